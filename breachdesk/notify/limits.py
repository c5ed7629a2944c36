"""Sending limits: messages per second and a sliding-window cap (e.g. 50,000 per hour).

Concurrency is a semaphore in the sender; this module only paces starts.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque


class RateLimiter:
    def __init__(self, per_second: float = 0.0, window_cap: int = 0, window_seconds: float = 3600):
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self.window_cap = window_cap
        self.window_seconds = window_seconds
        self._next = 0.0
        self._starts: deque[float] = deque()
        self._lock = asyncio.Lock()

    def delay(self, now: float) -> float:
        """Seconds to wait before one more message may start at ``now`` (0 when it may)."""
        wait = max(0.0, self._next - now)
        if self.window_cap > 0:
            while self._starts and self._starts[0] <= now - self.window_seconds:
                self._starts.popleft()
            if len(self._starts) >= self.window_cap:
                wait = max(wait, self._starts[0] + self.window_seconds - now)
        return wait

    def room(self, now: float) -> int | None:
        """Messages the window still allows now (None: no window cap)."""
        if self.window_cap <= 0:
            return None
        while self._starts and self._starts[0] <= now - self.window_seconds:
            self._starts.popleft()
        return max(0, self.window_cap - len(self._starts))

    def take(self, now: float) -> None:
        self._next = max(self._next, now) + self.interval
        if self.window_cap > 0:
            self._starts.append(now)

    async def acquire(self) -> None:
        if not self.interval and not self.window_cap:
            return
        async with self._lock:
            while True:
                now = time.monotonic()
                wait = self.delay(now)
                if wait <= 0:
                    self.take(now)
                    return
                await asyncio.sleep(wait)
