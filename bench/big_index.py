"""A 10M-customer matching index, built without a 10M-row registry.

The real index of the imported registry (its customers are the ones the corpus
exposes) is extended with customers ``n_real..total-1`` of the same generator:
their normalised emails, E.164 phones and names are hashed with the workspace's
``KeyedHasher`` exactly as ``build_index`` does, and written in its format
(``keys.npy``, ``rows.npy``, ``names.npy``, ``meta.json``). Extra customers get row
numbers above every real one and are not in the store (they can never be hit:
the corpus holds none of their identifiers). A synthetic key that equals a real
one (a phone range wrapped around) is dropped.
"""

from __future__ import annotations

import json
import shutil
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from breachdesk.registry.keyed import KeyedHasher
from breachdesk.registry.normalize import name_tokens, normalise_email
from breachdesk.samples.customers import derive

CHUNK = 250_000


def _hash_chunk(key: bytes, seed: int, start: int, stop: int) -> tuple[np.ndarray, ...]:
    h = KeyedHasher(key)
    c = derive(seed, np.arange(start, stop, dtype=np.int64))
    emails = np.fromiter((h.email(normalise_email(e)) for e in c.email), np.uint64, len(c))
    phone_idx = [i for i, p in enumerate(c.phone_e164) if p]
    phones = np.fromiter((h.phone(c.phone_e164[i]) for i in phone_idx), np.uint64, len(phone_idx))
    names = np.fromiter((h.name(name_tokens(n)) for n in c.full_name), np.uint32, len(c))
    return emails, phones, np.array(phone_idx, dtype=np.int64), names


def synthetic(
    cache: Path, key: bytes, seed: int, n_real: int, total: int, workers: int
) -> dict[str, np.ndarray]:
    """Hashes of customers ``n_real..total-1``, cached per key, seed and range."""
    fp = KeyedHasher(key).fingerprint_of_key
    path = cache / f"synthetic-{fp}-{seed}-{n_real}-{total}.npz"
    if path.exists():
        with np.load(path) as z:
            return {k: z[k] for k in z.files}
    starts = list(range(n_real, total, CHUNK))
    with ProcessPoolExecutor(workers) as pool:
        parts = list(
            pool.map(
                _hash_chunk,
                [key] * len(starts),
                [seed] * len(starts),
                starts,
                [min(total, s + CHUNK) for s in starts],
            )
        )
    out = {
        "emails": np.concatenate([p[0] for p in parts]),
        "phones": np.concatenate([p[1] for p in parts]),
        "phone_idx": np.concatenate(
            [p[2] + (s - n_real) for s, p in zip(starts, parts, strict=True)]
        ),
        "names": np.concatenate([p[3] for p in parts]),
    }
    cache.mkdir(parents=True, exist_ok=True)
    np.savez(
        path,
        emails=out["emails"],
        phones=out["phones"],
        phone_idx=out["phone_idx"],
        names=out["names"],
    )
    return out


def build_big_index(src_ws: Path, dst_ws: Path, extra: dict[str, np.ndarray]) -> dict[str, int]:
    """Copy the workspace ``src_ws`` to ``dst_ws`` with its index extended by ``extra``."""
    if dst_ws.exists():
        shutil.rmtree(dst_ws)
    shutil.copytree(src_ws, dst_ws, ignore=shutil.ignore_patterns("index", "rejects"))
    src, dst = src_ws / "index", dst_ws / "index"
    dst.mkdir(parents=True)
    keys = np.load(src / "keys.npy")
    rows = np.load(src / "rows.npy")
    names = np.load(src / "names.npy")
    base = int(names.size)  # first free row number
    emails, phones = extra["emails"], extra["phones"]
    k = np.concatenate([keys, emails, phones])
    r = np.concatenate(
        [
            rows,
            np.arange(base, base + emails.size, dtype=np.uint32),
            (base + extra["phone_idx"]).astype(np.uint32),
        ]
    )
    synthetic_key = np.zeros(k.size, dtype=bool)
    synthetic_key[keys.size :] = True
    clash = synthetic_key & (np.isin(k, keys) | _repeated(k))
    k, r = k[~clash], r[~clash]
    order = np.argsort(k, kind="stable")
    np.save(dst / "keys.npy", k[order])
    np.save(dst / "rows.npy", r[order])
    np.save(dst / "names.npy", np.concatenate([names, extra["names"]]))
    for ids_file in ("ids.npy", "idrows.npy"):  # the imported customers' keyed ids, as built
        if (src / ids_file).exists():
            np.save(dst / ids_file, np.load(src / ids_file))
    meta = json.loads((src / "meta.json").read_text(encoding="utf-8"))
    customers = int(meta["customers"]) + int(emails.size)
    meta.update(identifiers=int(k.size), customers=customers)
    meta["note"] = f"bench: {emails.size:,} generated customers added to the real index"
    (dst / "meta.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
    size = sum((dst / f).stat().st_size for f in ("keys.npy", "rows.npy", "names.npy"))
    return {
        "identifiers": int(k.size),
        "customers": customers,
        "dropped": int(clash.sum()),
        "bytes": size,
    }


def _repeated(k: np.ndarray) -> np.ndarray:
    """True for every occurrence of a key after its first."""
    _, first = np.unique(k, return_index=True)
    mask = np.ones(k.size, dtype=bool)
    mask[first] = False
    return mask
