"""The matching index: sorted 64-bit keyed hashes mapped from disk by every scanner worker.

Files in ``<workspace>/index/``:

- ``keys.npy``  uint64, sorted: keyed hashes of normalised emails and phones (8 bytes);
- ``rows.npy``  uint32: the ``customers.id`` each key belongs to (4 bytes);
- ``names.npy`` uint32 per customer row: keyed first-word and whole-name hashes + word count;
- ``ids.npy`` / ``idrows.npy`` uint64 sorted / uint32: keyed hashes of customer ids and their
  rows, so a worker recognises a signed-in viewer's own page without asking the store;
- ``meta.json`` counts, build time and the key fingerprint.

So every identifier (email, phone, customer id) costs 12 bytes, and a customer's name 4
more: a customer with an email costs 28 bytes for 2 identifiers, 14 per identifier, and at
most 16 bytes per identifier in any case (about 3 GB for 100M customers with an email and a
phone). No plaintext is in any file.
"""

from __future__ import annotations

import json
import os
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from breachdesk.errors import ConfigError
from breachdesk.registry.keyed import KeyedHasher
from breachdesk.registry.normalize import name_tokens
from breachdesk.registry.npy_map import map_npy

if TYPE_CHECKING:  # the store is only needed to build the index, not to scan with it
    # numpy only to build the index and for the insider's arrays: a scan maps the files
    import numpy as np
    import numpy.typing as npt

    from breachdesk.store import Store

    U64 = npt.NDArray[np.uint64]
    U32 = npt.NDArray[np.uint32]

FILES = ("keys.npy", "rows.npy", "names.npy", "ids.npy", "idrows.npy")


@dataclass(frozen=True)
class IndexStats:
    identifiers: int
    customers: int
    bytes_on_disk: int


def build_index(store: Store, hasher: KeyedHasher, directory: Path) -> IndexStats:
    """Rebuild the index from the registry, atomically replacing the old files."""
    import numpy as np
    from sqlalchemy import select

    from breachdesk.store.models import Customer

    directory.mkdir(parents=True, exist_ok=True)
    keys: list[int] = []
    rows: list[int] = []
    name_rows: list[int] = []
    name_vals: list[int] = []
    countries: set[str] = set()
    ids: list[int] = []
    with store.sessions() as session:
        stmt = select(
            Customer.id,
            Customer.email_norm,
            Customer.phone,
            Customer.full_name,
            Customer.country,
            Customer.customer_id,
        )
        for cid, email_norm, phone, full_name, country, external in session.execute(
            stmt.execution_options(yield_per=50_000)
        ):
            keys.append(hasher.email(email_norm))
            rows.append(cid)
            if phone:
                keys.append(hasher.phone(phone))
                rows.append(cid)
            countries.add(country)
            ids.append(hasher.customer_id(external))
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
    id_keys = np.array(ids, dtype=np.uint64)
    id_order = np.argsort(id_keys, kind="stable")
    _save(directory / "ids.npy", id_keys[id_order])
    _save(directory / "idrows.npy", np.array(name_rows, dtype=np.uint32)[id_order])
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
    on_disk = sum((directory / f).stat().st_size for f in FILES)
    return IndexStats(int(k.size), len(name_rows), on_disk)


def _save(path: Path, arr: npt.NDArray[np.generic]) -> None:
    import numpy as np

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
        # flat read-only views of the mapped files: the core and the scan's look-ups need
        # nothing more, so a scan never imports numpy (the properties below give arrays)
        self.key_buf = map_npy(directory / "keys.npy", "<u8")
        self.row_buf = map_npy(directory / "rows.npy", "<u4")
        self.name_buf = map_npy(directory / "names.npy", "<u4")
        if len(self.key_buf) != len(self.row_buf):
            raise ConfigError(
                f"{directory}: keys and rows differ in length; "
                "rebuild the index with `breachdesk registry reindex`"
            )
        # indexes written by older builds or other tools may lack customer ids:
        # then the scanner's parent process recognises self-views instead
        self.id_buf: memoryview[int] | None = None
        self.idrow_buf: memoryview[int] | None = None
        if (directory / "ids.npy").exists() and (directory / "idrows.npy").exists():
            self.id_buf = map_npy(directory / "ids.npy", "<u8")
            self.idrow_buf = map_npy(directory / "idrows.npy", "<u4")

    # numpy arrays over the same mapped memory, for the insider's vectorised matching
    @property
    def keys(self) -> U64:
        import numpy as np

        return np.frombuffer(self.key_buf, dtype=np.uint64)

    @property
    def rows(self) -> U32:
        import numpy as np

        return np.frombuffer(self.row_buf, dtype=np.uint32)

    @property
    def names(self) -> U32:
        import numpy as np

        return np.frombuffer(self.name_buf, dtype=np.uint32)

    @property
    def ids(self) -> U64 | None:
        import numpy as np

        return None if self.id_buf is None else np.frombuffer(self.id_buf, dtype=np.uint64)

    @property
    def idrows(self) -> U32 | None:
        import numpy as np

        return None if self.idrow_buf is None else np.frombuffer(self.idrow_buf, dtype=np.uint32)

    def __len__(self) -> int:
        return len(self.key_buf)

    def lookup(self, hashes: Iterable[int]) -> dict[int, list[int]]:
        """Map each hash that is in the index to the customer rows it belongs to."""
        keys, rows, n = self.key_buf, self.row_buf, len(self.key_buf)
        out: dict[int, list[int]] = {}
        for h in hashes:
            if h in out:
                continue
            j = bisect_left(keys, h)
            found: list[int] = []
            while j < n and keys[j] == h:
                found.append(rows[j])
                j += 1
            if found:
                out[h] = found
        return out

    def row_of_customer(self, id_hash: int) -> int | None:
        """The row of the customer whose keyed id hash this is, if the index knows it."""
        if self.id_buf is None or self.idrow_buf is None:
            return None
        i = bisect_left(self.id_buf, id_hash)
        if i < len(self.id_buf) and self.id_buf[i] == id_hash:
            return int(self.idrow_buf[i])
        return None

    def name_of(self, row: int) -> int:
        """The packed name hash of a customer row (0 when unknown)."""
        if 0 <= row < len(self.name_buf):
            return int(self.name_buf[row])
        return 0
