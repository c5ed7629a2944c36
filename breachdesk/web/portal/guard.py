"""What every public look-up goes through: rate limits per IP and per address, and
a response-time floor so that the time taken never tells one answer from another."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
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


def check_ip(svc: Services, request: Request) -> None:
    key = keyed(svc.key, "rl-ip", client_ip(request))
    if not svc.limiter.hit(f"ip:{key[:40]}", svc.settings.portal_ip_per_minute, 60):
        raise HTTPException(429, "Too many look-ups from this address; wait a minute.", RETRY)


def check_address(svc: Services, address: str) -> None:
    key = keyed(svc.key, "rl-address", address)
    if not svc.limiter.hit(f"ad:{key[:40]}", svc.settings.portal_address_per_hour, 3600):
        raise HTTPException(
            429, "Too many look-ups for this email address; try again in an hour.", RETRY
        )


async def floored(svc: Services, work: Callable[[], T]) -> T:
    """Run ``work`` in a thread and answer no sooner than the configured floor."""
    started = time.perf_counter()
    try:
        return await run_in_threadpool(work)
    finally:
        rest = svc.settings.portal_floor_ms / 1000 - (time.perf_counter() - started)
        if rest > 0:
            await asyncio.sleep(rest)


async def floored_async(svc: Services, work: Callable[[], Awaitable[T]]) -> T:
    started = time.perf_counter()
    try:
        return await work()
    finally:
        rest = svc.settings.portal_floor_ms / 1000 - (time.perf_counter() - started)
        if rest > 0:
            await asyncio.sleep(rest)
