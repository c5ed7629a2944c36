"""What every public look-up goes through: rate limits per IP and per address, and
a response-time floor so that the time taken never tells one answer from another."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request

from breachdesk.web.deps import Services
from breachdesk.web.keys import keyed

T = TypeVar("T")
RETRY = {"Retry-After": "60"}


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def check(svc: Services, request: Request, address: str | None = None) -> None:
    """Count this request against its IP and (when given) its address; 429 when over."""
    checks = [
        (
            f"ip:{keyed(svc.key, 'rl-ip', client_ip(request))[:40]}",
            svc.settings.portal_ip_per_minute,
            60,
        )
    ]
    if address is not None:
        checks.append(
            (
                f"ad:{keyed(svc.key, 'rl-address', address)[:40]}",
                svc.settings.portal_address_per_hour,
                3600,
            )
        )
    over = svc.limiter.hit_all(checks)
    if over == 0:
        raise HTTPException(429, "Too many look-ups from this address; wait a minute.", RETRY)
    if over == 1:
        raise HTTPException(
            429, "Too many look-ups for this email address; try again in an hour.", RETRY
        )


async def floored(svc: Services, work: Callable[[], T]) -> T:
    """Run ``work`` in a worker thread that returns no sooner than the configured floor.

    The wait is a ``time.sleep`` in that thread (microsecond resolution), not an
    ``asyncio.sleep``: the event loop wakes on millisecond ticks, so an awaited
    floor would still end later for slower work by a fraction of a millisecond,
    which a two-sample test on an idle machine does detect."""
    floor = svc.settings.portal_floor_ms / 1000

    def timed() -> T:
        started = time.perf_counter()
        try:
            return work()
        finally:
            rest = floor - (time.perf_counter() - started)
            if rest > 0:
                time.sleep(rest)

    return await run_in_threadpool(timed)
