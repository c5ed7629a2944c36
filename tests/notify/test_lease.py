"""A batch that outlives its lease is still delivered exactly once (issue 8 §6).

Defect reproduced: on PostgreSQL with two senders, a batch that outlived the lease
(a slow first batch loading DKIM keys) was sent twice with no crash at all: the
sender never renewed its lease and recorded ``sent`` without checking who held
the row. Two senders run in their own threads (their own event loops), as two
processes would.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter

from breachdesk.notify.approval import approve
from breachdesk.notify.dkim_keys import DkimKey
from breachdesk.notify.missing import status
from breachdesk.notify.plan import plan
from breachdesk.notify.sender import Progress, Sender
from breachdesk.registry.entities import Entity

from .conftest import World, make_incident

N = 12


def _incident(w: World) -> int:
    rows = [
        (
            f"l{i:03d}",
            f"lease{i}@example.org",
            f"Lease {i}",
            "DE",
            None,
            "shop-de",
            "de-DE",
            "email",
        )
        for i in range(N)
    ]
    incident_id = make_incident(w.store, rows)
    plan(w.store, w.settings, incident_id)
    approve(w.store, w.settings, incident_id, "tester")
    return incident_id


class _SlowKeys(Sender):
    """Blocks its whole event loop on the first DKIM key, as a slow key load does."""

    stall = 0.0

    def _key(self, entity: Entity) -> DkimKey:
        if self.stall:
            time.sleep(self.stall)
            self.stall = 0.0
        return super()._key(entity)


def _in_thread(sender: Sender, out: dict[str, Progress], name: str) -> threading.Thread:
    t = threading.Thread(target=lambda: out.__setitem__(name, asyncio.run(sender.run())))
    t.start()
    return t


def _exactly_once(w: World, incident_id: int) -> None:
    per_rcpt = Counter(m.rcpt[0] for m in w.sink.messages)
    assert per_rcpt == {f"lease{i}@example.org": 1 for i in range(N)}
    assert status(w.store, incident_id).states == {"sent": N}


def test_a_batch_stalled_past_its_lease_is_not_sent_twice(world: World) -> None:
    incident_id = _incident(world)
    lease = 1.0
    opts = world.options(batch=N, concurrency=2, lease_seconds=lease)
    slow = _SlowKeys(world.store, world.settings, incident_id, opts)
    slow.stall = lease * 3  # the whole batch outlives its lease before the first message
    other = Sender(world.store, world.settings, incident_id, opts)
    other.worker = "other-sender"
    done: dict[str, Progress] = {}
    first = _in_thread(slow, done, "slow")
    deadline = time.monotonic() + 10
    while status(world.store, incident_id).states.get("sending", 0) < N:
        assert time.monotonic() < deadline, "the slow sender never claimed its batch"
        time.sleep(0.01)
    second = _in_thread(other, done, "other")  # takes the rows over once the lease expires
    first.join(60)
    second.join(60)
    _exactly_once(world, incident_id)
    # The stalled sender found it had lost the rows and stopped before sending them.
    assert done["slow"].lost == N and done["slow"].sent == 0
    assert done["other"].sent == N


def test_the_lease_is_renewed_while_a_slow_batch_is_in_progress(world: World) -> None:
    incident_id = _incident(world)
    lease = 1.0
    world.sink.delay = 0.25  # N messages one after another: 3 s, three leases long
    opts = world.options(batch=N, concurrency=1, lease_seconds=lease)
    busy = Sender(world.store, world.settings, incident_id, opts)
    other = Sender(world.store, world.settings, incident_id, opts)
    other.worker = "other-sender"
    done: dict[str, Progress] = {}
    first = _in_thread(busy, done, "busy")
    deadline = time.monotonic() + 10
    while status(world.store, incident_id).states.get("sending", 0) < N:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    second = _in_thread(other, done, "other")
    first.join(60)
    second.join(60)
    _exactly_once(world, incident_id)
    # Renewed, the busy sender kept its batch to the end; the other got nothing to send.
    assert done["busy"].sent == N and done["busy"].lost == 0
    assert done["other"].sent == 0
