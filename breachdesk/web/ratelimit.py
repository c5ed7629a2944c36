"""Rate limits per IP and per address: fixed windows counted in the store or in Redis.

``StoreLimiter`` needs nothing but the database (one process, or several sharing
it); ``RedisLimiter`` is used when ``BREACHDESK_REDIS_URL`` is set, so several
workers share the counts cheaply. Keys are keyed hashes: no IP or address is kept.
"""

from __future__ import annotations

import time
from typing import Any, Protocol

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from breachdesk.store import Store
from breachdesk.store.models.web import RateHit

SWEEP_AFTER = 2 * 86400  # counters older than the longest window are deleted


class Limiter(Protocol):
    def hit(self, key: str, limit: int, window_seconds: int) -> bool:
        """Count one hit; True while the window holds at most ``limit`` hits."""
        ...


class StoreLimiter:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._last_sweep = 0.0

    def hit(self, key: str, limit: int, window_seconds: int) -> bool:
        now = time.time()
        window = int(now // window_seconds) * window_seconds  # the window's start, epoch s
        ins: Any = (
            pg_insert(RateHit) if self.store.dialect == "postgresql" else sqlite_insert(RateHit)
        )
        stmt = (
            ins.values(key=key, window=window, hits=1)
            .on_conflict_do_update(
                index_elements=["key", "window"], set_={"hits": RateHit.hits + 1}
            )
            .returning(RateHit.hits)
        )
        with self.store.session() as s:
            hits = int(s.execute(stmt).scalar_one())
            if now - self._last_sweep > 60:
                self._last_sweep = now
                s.execute(delete(RateHit).where(RateHit.window < int(now) - SWEEP_AFTER))
        return hits <= limit


class RedisLimiter:
    def __init__(self, url: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url)

    def hit(self, key: str, limit: int, window_seconds: int) -> bool:
        window = int(time.time() // window_seconds)
        name = f"bd:rl:{key}:{window}"
        pipe = self.client.pipeline()
        pipe.incr(name)
        pipe.expire(name, window_seconds * 2)
        hits, _ = pipe.execute()
        return int(hits) <= limit


def limiter_for(store: Store, redis_url: str | None) -> Limiter:
    return RedisLimiter(redis_url) if redis_url else StoreLimiter(store)
