"""Password hashes in the store: add counts, and read one range."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from breachdesk.store import Store
from breachdesk.store.models.base import utcnow
from breachdesk.store.models.web import PasswordHash

MODES = {"sha1": 40, "ntlm": 32}
BATCH = 5000


def add_hashes(
    store: Store, mode: str, counts: Iterable[tuple[str, int]], replace: bool = False
) -> int:
    """Add (full uppercase hex hash, count) pairs; counts add up unless ``replace``."""
    if mode not in MODES:
        raise ValueError(f"mode {mode!r}")
    ins: Any = (
        pg_insert(PasswordHash) if store.dialect == "postgresql" else sqlite_insert(PasswordHash)
    )
    new = ins.excluded.count if replace else PasswordHash.count + ins.excluded.count
    stmt = ins.on_conflict_do_update(
        index_elements=["mode", "prefix", "suffix"],
        set_={"count": new, "updated_at": ins.excluded.updated_at},
    )
    now = utcnow()
    n = 0
    batch: list[dict[str, Any]] = []
    with store.session() as s:
        for full, count in counts:
            batch.append(
                {
                    "mode": mode,
                    "prefix": full[:5],
                    "suffix": full[5:],
                    "count": count,
                    "updated_at": now,
                }
            )
            if len(batch) >= BATCH:
                s.execute(stmt, batch)
                n += len(batch)
                batch = []
        if batch:
            s.execute(stmt, batch)
            n += len(batch)
    return n


def read_range(store: Store, mode: str, prefix: str) -> list[tuple[str, int]]:
    return read_range_dated(store, mode, prefix)[0]


def read_range_dated(
    store: Store, mode: str, prefix: str
) -> tuple[list[tuple[str, int]], datetime | None]:
    """The range's (suffix, count) rows, and when the newest of them was added to."""
    with store.session() as s:
        rows = s.execute(
            select(PasswordHash.suffix, PasswordHash.count, PasswordHash.updated_at)
            .where(PasswordHash.mode == mode, PasswordHash.prefix == prefix)
            .order_by(PasswordHash.suffix)
        ).all()
    dates = [d for _, _, d in rows if d is not None]
    return [(str(a), int(b)) for a, b, _ in rows], max(dates) if dates else None
