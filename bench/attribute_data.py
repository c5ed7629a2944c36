"""Synthetic data for the attribution benchmark, built directly (no SQL import).

The registry index is written with ``KeyedHasher`` + numpy in the format of
``breachdesk.registry.index`` (keys/rows/names/meta), which is what attribution
reads; the customers table itself is left empty (so the by-country breakdown is
skipped in the benchmark). Exports are registered in the store with their member
hashes and canaries exactly as ``create_export`` would store them.
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from breachdesk.registry.canary import canary_count, email_hash_hex, make_canary
from breachdesk.registry.keyed import KeyedHasher
from breachdesk.registry.normalize import name_tokens
from breachdesk.store import Store
from breachdesk.store.models.exports import Export, ExportCanary

GIVEN = ["anna", "ben", "clara", "david", "elena", "felix", "grace", "hugo", "ines", "jonas"]
FAMILY = ["archer", "baker", "castillo", "dupont", "eriksen", "fischer", "greco", "hale", "ito"]


def email_of(i: int) -> str:
    return f"{GIVEN[i % 10]}.{FAMILY[i % 9]}{i}@mail{i % 13}.example.com"


def name_of(i: int) -> str:
    return f"{GIVEN[i % 10].title()} {FAMILY[(i // 10) % 9].title()}"


@dataclass
class Registry:
    keys_by_row: np.ndarray  # uint64 email hash of each row (row = i + 1)


def build_registry(hasher: KeyedHasher, n: int, index_dir: Path) -> Registry:
    index_dir.mkdir(parents=True, exist_ok=True)
    email = hasher.email
    name = hasher.name
    by_row = np.fromiter((email(email_of(i)) for i in range(n)), dtype=np.uint64, count=n)
    packed = {}
    for g in range(10):
        for f in range(9):
            packed[(g, f)] = name(name_tokens(f"{GIVEN[g]} {FAMILY[f]}"))
    names = np.zeros(n + 1, dtype=np.uint32)
    idx = np.arange(n)
    table = np.array([[packed[(g, f)] for f in range(9)] for g in range(10)], dtype=np.uint32)
    names[1:] = table[idx % 10, (idx // 10) % 9]
    order = np.argsort(by_row, kind="stable")
    np.save(index_dir / "keys.npy", by_row[order])
    np.save(index_dir / "rows.npy", (order + 1).astype(np.uint32))
    np.save(index_dir / "names.npy", names)
    meta = {
        "format": 1,
        "identifiers": n,
        "customers": n,
        "key_fingerprint": hasher.fingerprint_of_key,
        "countries": [],
    }
    (index_dir / "meta.json").write_text(json.dumps(meta))
    return Registry(by_row)


@dataclass
class BenchExport:
    export_id: int
    uid: str
    rows: np.ndarray  # registry row offsets (0-based i)
    canaries: list[str]


def register_exports(
    store: Store, hasher: KeyedHasher, reg: Registry, count: int, rng: random.Random
) -> list[BenchExport]:
    n = reg.keys_by_row.size
    out = []
    nprng = np.random.default_rng(rng.randrange(2**32))
    for e in range(count):
        size = int(math.exp(rng.uniform(math.log(1_000), math.log(min(n // 4, 400_000)))))
        start = rng.randrange(0, n - size)
        rows = np.sort(
            nprng.choice(np.arange(start, min(n, start + size * 3)), size, replace=False)
        )
        uid = f"exp_bench{e:04d}"
        k = canary_count(size)
        canaries = [
            make_canary(hasher, uid, j, "GB", "shop-uk", "mail-uk.shop-canary.example", "C0000000")
            for j in range(k)
        ]
        with store.session() as s:
            export = Export(
                uid=uid,
                recipient=f"Partner {e}",
                exporter=f"emp{e % 17}",
                purpose="benchmark",
                filters={},
                columns=["email", "full_name"],
                format="csv",
                out_path="-",
                members=size,
                canaries=k,
                countries={"GB": size},
                member_hashes=np.sort(reg.keys_by_row[rows]).astype("<u8").tobytes(),
            )
            s.add(export)
            s.flush()
            for j, c in enumerate(canaries):
                s.add(
                    ExportCanary(
                        export_id=export.id,
                        email_hash=email_hash_hex(hasher, c.email_norm),
                        domain=c.domain,
                        country="GB",
                        position=j,
                    )
                )
            out.append(BenchExport(export.id, uid, rows, [c.email for c in canaries]))
    return out


def write_dump(
    path: Path,
    lines: int,
    registry_size: int,
    leaked: list[BenchExport],
    rng: random.Random,
) -> dict[str, int]:
    """``lines`` lines: all members of ``leaked`` exports (+ a few canaries each), random
    registry customers, unknown addresses and prose, in several line shapes."""
    nprng = np.random.default_rng(rng.randrange(2**32))
    picks = [int(i) for e in leaked for i in e.rows]
    known = int(lines * 0.9) - len(picks)
    picks += nprng.integers(0, registry_size, max(known, 0)).tolist()
    canaries = [c for e in leaked for c in e.canaries[:3]]
    unknown = lines - len(picks) - len(canaries)
    order = nprng.permutation(len(picks) + len(canaries) + unknown)
    shapes = 0
    with path.open("w", encoding="utf-8", buffering=1 << 22) as fh:
        buf = []
        for pos in order.tolist():
            if pos < len(picks):
                i = picks[pos]
                shapes += 1
                s = shapes % 4
                if s == 0:
                    buf.append(f"{email_of(i)}:pw{i % 99991}x\n")
                elif s == 1:
                    buf.append(f"{name_of(i)},{email_of(i)},GB\n")
                elif s == 2:
                    buf.append(f'{{"mail": "{email_of(i)}", "name": "{name_of(i)}"}}\n')
                else:
                    buf.append(f"{email_of(i)}\n")
            elif pos < len(picks) + len(canaries):
                buf.append(f"{canaries[pos - len(picks)]},x\n")
            else:
                buf.append(f"someone{pos}@elsewhere.example.net,nobody\n")
            if len(buf) >= 100_000:
                fh.write("".join(buf))
                buf.clear()
        fh.write("".join(buf))
    return {"lines": lines, "registry_lines": len(picks), "canary_lines": len(canaries)}
