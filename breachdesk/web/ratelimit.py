"""Rate limits per IP and per address: fixed windows counted in the store or in Redis.

``StoreLimiter`` needs nothing but the database (one process, or several sharing
it); ``RedisLimiter`` is used when ``BREACHDESK_REDIS_URL`` is set, so several
workers share the counts cheaply. Keys are keyed hashes: no IP or address is kept.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Any, Protocol

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from breachdesk.store import Store
from breachdesk.store.models.web import RateHit

SWEEP_AFTER = 2 * 86400  # counters older than the longest window are deleted


Check = tuple[str, int, int]  # key, limit, window in seconds


class Limiter(Protocol):
    def hit_all(self, checks: Sequence[Check]) -> int | None:
        """Count one hit on each key; the index of the first check over its limit, else None."""
        ...


def hit(limiter: Limiter, key: str, limit: int, window_seconds: int) -> bool:
    """One check: True while the window holds at most ``limit`` hits."""
    return limiter.hit_all([(key, limit, window_seconds)]) is None


class StoreLimiter:
    """Counts in the store, all checks of a request in one transaction. ``writes``
    serialises this process's writers on SQLite (its busy handler sleeps, which
    shows in the tail latency); PostgreSQL needs no such lock."""

    def __init__(self, store: Store, writes: AbstractContextManager[object] | None = None) -> None:
        self.store = store
        self.writes = writes or nullcontext()
        self._last_sweep = 0.0

    def hit_all(self, checks: Sequence[Check]) -> int | None:
        now = time.time()
        ins: Any = (
            pg_insert(RateHit) if self.store.dialect == "postgresql" else sqlite_insert(RateHit)
        )
        stmt = ins.on_conflict_do_update(
            index_elements=["key", "window"], set_={"hits": RateHit.hits + 1}
        ).returning(RateHit.hits)
        over: int | None = None
        with self.writes, self.store.session() as s:
            for i, (key, limit, window_seconds) in enumerate(checks):
                window = int(now // window_seconds) * window_seconds  # the window's start
                hits = int(s.execute(stmt.values(key=key, window=window, hits=1)).scalar_one())
                if over is None and hits > limit:
                    over = i
            if now - self._last_sweep > 60:
                self._last_sweep = now
                s.execute(delete(RateHit).where(RateHit.window < int(now) - SWEEP_AFTER))
        return over


class RedisLimiter:
    def __init__(self, url: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url)

    def hit_all(self, checks: Sequence[Check]) -> int | None:
        now = time.time()
        pipe = self.client.pipeline()
        for key, _, window_seconds in checks:
            name = f"bd:rl:{key}:{int(now // window_seconds)}"
            pipe.incr(name)
            pipe.expire(name, window_seconds * 2)
        replies = pipe.execute()
        for i, (_, limit, _) in enumerate(checks):
            if int(replies[2 * i]) > limit:
                return i
        return None


def limiter_for(
    store: Store, redis_url: str | None, writes: AbstractContextManager[object] | None = None
) -> Limiter:
    return RedisLimiter(redis_url) if redis_url else StoreLimiter(store, writes)
