"""The lease on one claimed batch: renewed while the batch is in progress, checked
before every message.

A batch that takes longer than the lease (a slow first batch that loads DKIM keys,
a slow server) would otherwise let another sender claim the same rows and send
them again. The sender renews the lease every third of its length; before each
message it asks :meth:`BatchLease.holds`, which renews on the spot when less than
half the lease is left (the event loop may have been busy) and answers no for a
row another sender has claimed since. Such a row is not sent: this sender stops
before the next message of it, and the new holder sends it.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterable

from sqlalchemy.exc import SQLAlchemyError

from breachdesk.notify import queue
from breachdesk.store import Store


class BatchLease:
    def __init__(
        self,
        store: Store,
        rows: list[queue.Claimed],
        lease_seconds: float,
        claimed_at: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.rows = {r.id: r for r in rows}
        self.lease_seconds = lease_seconds
        self.clock = clock
        self.deadline = claimed_at + lease_seconds
        self.open: set[int] = set(self.rows)  # claimed, outcome not yet written
        self.lost: set[int] = set()  # claimed since by another sender
        self.renewals = 0

    def done(self, ids: Iterable[int]) -> None:
        """Outcomes of ``ids`` are written: nothing left to hold for them."""
        self.open.difference_update(ids)

    def renew(self) -> None:
        ids = self.open - self.lost
        if not ids:
            return
        started = self.clock()
        held = queue.renew(self.store, [self.rows[i] for i in ids], self.lease_seconds)
        self.lost.update(ids - held)
        self.deadline = started + self.lease_seconds
        self.renewals += 1

    def holds(self, row_id: int) -> bool:
        """True while this sender still holds the row (renews when the lease runs low)."""
        if row_id in self.lost:
            return False
        if self.clock() > self.deadline - self.lease_seconds / 2:
            self.renew()
        return row_id not in self.lost

    async def keep(self) -> None:
        """Renew every third of the lease until cancelled."""
        while True:
            await asyncio.sleep(self.lease_seconds / 3)
            # A store hiccup is not fatal here: holds() renews (or fails) before the next message.
            with contextlib.suppress(SQLAlchemyError):
                self.renew()
