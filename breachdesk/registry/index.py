"""The matching index: sorted 64-bit keyed hashes mapped from disk by every scanner worker.

Files in ``<workspace>/index/``:

- ``keys.npy``  uint64, sorted: keyed hashes of normalised emails and phones (8 bytes);
- ``rows.npy``  uint32: the ``customers.id`` each key belongs to (4 bytes);
- ``names.npy`` uint32 per customer row: 28-bit keyed name hash + token count;
- ``meta.json`` counts, build time and the key fingerprint.

So an identifier costs 12 bytes, and a customer's name 4 more: at most 16 bytes per
identifier, about 1.6 GB for 100M customers. No plaintext is in any file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt
from sqlalchemy import select

from breachdesk.errors import ConfigError
from breachdesk.registry.keyed import KeyedHasher
from breachdesk.registry.normalize import name_tokens
from breachdesk.store import Store
from breachdesk.store.models import Customer

U64 = npt.NDArray[np.uint64]
U32 = npt.NDArray[np.uint32]


@dataclass(frozen=True)
class IndexStats:
    identifiers: int
    customers: int
    bytes_on_disk: int


def build_index(store: Store, hasher: KeyedHasher, directory: Path) -> IndexStats:
    """Rebuild the index from the registry, atomically replacing the old files."""
    directory.mkdir(parents=True, exist_ok=True)
    keys: list[int] = []
    rows: list[int] = []
    name_rows: list[int] = []
    name_vals: list[int] = []
    countries: set[str] = set()
    with store.sessions() as session:
        stmt = select(
            Customer.id, Customer.email_norm, Customer.phone, Customer.full_name, Customer.country
        )
        for cid, email_norm, phone, full_name, country in session.execute(
            stmt.execution_options(yield_per=50_000)
        ):
            keys.append(hasher.email(email_norm))
            rows.append(cid)
            if phone:
                keys.append(hasher.phone(phone))
                rows.append(cid)
            countries.add(country)
            name_rows.append(cid)
            name_vals.append(hasher.name(name_tokens(full_name)))
    k = np.array(keys, dtype=np.uint64)
    r = np.array(rows, dtype=np.uint32)
    order = np.argsort(k, kind="stable")
    k, r = k[order], r[order]
    size = (max(name_rows) + 1) if name_rows else 1
    names = np.zeros(size, dtype=np.uint32)
    if name_rows:
        names[np.array(name_rows, dtype=np.int64)] = np.array(name_vals, dtype=np.uint32)
    _save(directory / "keys.npy", k)
    _save(directory / "rows.npy", r)
    _save(directory / "names.npy", names)
    meta = {
        "format": 1,
        "identifiers": int(k.size),
        "customers": len(name_rows),
        "built_at": datetime.now(UTC).isoformat(),
        "key_fingerprint": hasher.fingerprint_of_key,
        "countries": sorted(countries),
    }
    tmp = directory / "meta.json.tmp"
    tmp.write_text(json.dumps(meta, indent=2), encoding="utf-8")
    os.replace(tmp, directory / "meta.json")
    on_disk = sum((directory / f).stat().st_size for f in ("keys.npy", "rows.npy", "names.npy"))
    return IndexStats(int(k.size), len(name_rows), on_disk)


def _save(path: Path, arr: npt.NDArray[np.generic]) -> None:
    tmp = path.with_suffix(".tmp.npy")
    np.save(tmp, arr)
    os.replace(tmp, path)


class MatchIndex:
    """Read-only view of the index, memory-mapped so workers share the page cache."""

    def __init__(self, directory: Path, key_fingerprint: str | None = None) -> None:
        meta_path = directory / "meta.json"
        if not meta_path.exists():
            raise ConfigError(
                f"{directory}: no matching index; import the registry first "
                "(`breachdesk registry import FILE`)"
            )
        self.meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if key_fingerprint is not None and self.meta.get("key_fingerprint") != key_fingerprint:
            raise ConfigError(
                f"{directory}: index was built with another secret key; "
                "rebuild it with `breachdesk registry reindex`"
            )
        self.directory = directory
        self.keys: U64 = np.load(directory / "keys.npy", mmap_mode="r")
        self.rows: U32 = np.load(directory / "rows.npy", mmap_mode="r")
        self.names: U32 = np.load(directory / "names.npy", mmap_mode="r")

    def __len__(self) -> int:
        return int(self.keys.size)

    def lookup(self, hashes: Iterable[int]) -> dict[int, list[int]]:
        """Map each hash that is in the index to the customer rows it belongs to."""
        q = np.fromiter(hashes, dtype=np.uint64)
        if q.size == 0 or self.keys.size == 0:
            return {}
        left = np.searchsorted(self.keys, q, side="left")
        clipped = np.minimum(left, self.keys.size - 1)
        hit = self.keys[clipped] == q
        out: dict[int, list[int]] = {}
        for i in np.nonzero(hit)[0]:
            h = int(q[i])
            if h in out:
                continue
            j = int(left[i])
            found: list[int] = []
            while j < self.keys.size and int(self.keys[j]) == h:
                found.append(int(self.rows[j]))
                j += 1
            out[h] = found
        return out

    def name_of(self, row: int) -> int:
        """The packed name hash of a customer row (0 when unknown)."""
        if 0 <= row < self.names.size:
            return int(self.names[row])
        return 0
