"""Claiming under a lease, SKIP LOCKED between PostgreSQL workers, and the rate limits."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest
from sqlalchemy import select, text, update

from breachdesk.notify import queue
from breachdesk.notify.limits import RateLimiter
from breachdesk.notify.plan import plan
from breachdesk.store import Store
from breachdesk.store.models.base import utcnow
from breachdesk.store.models.outbox import OutboxRow

from .conftest import GOOD, World


def test_claim_leases_rows_and_expired_leases_come_back(world: World) -> None:
    plan(world.store, world.settings, world.incident_id)
    first = queue.claim(world.store, world.incident_id, 3, "w1", lease_seconds=60)
    assert len(first) == 3 and all(r.attempts == 1 for r in first)
    rest = queue.claim(world.store, world.incident_id, 100, "w2", lease_seconds=60)
    assert {r.id for r in first}.isdisjoint({r.id for r in rest})
    assert len(first) + len(rest) == len(GOOD)  # held rows are never claimed
    assert queue.claim(world.store, world.incident_id, 100, "w3", 60) == []
    # w1 "dies": its lease runs out, and its rows are claimed again with the same Message-ID.
    with world.store.session() as s:
        s.execute(
            update(OutboxRow)
            .where(OutboxRow.id.in_([r.id for r in first]))
            .values(lease_until=utcnow() - timedelta(seconds=1))
        )
    again = queue.claim(world.store, world.incident_id, 100, "w3", 60)
    assert [(r.id, r.message_id) for r in again] == [(r.id, r.message_id) for r in first]
    assert all(r.attempts == 2 for r in again)
    # An outcome from the dead worker's token no longer moves the row back.
    queue.record(world.store, [queue.Outcome(first[0], "retry", "451 late")], 8, 0)
    with world.store.session() as s:
        assert s.get(OutboxRow, first[0].id).state == "sending"  # type: ignore[union-attr]


def test_postgresql_workers_skip_locked_rows(world: World) -> None:
    if world.store.dialect != "postgresql":
        pytest.skip("FOR UPDATE SKIP LOCKED is the PostgreSQL path")
    plan(world.store, world.settings, world.incident_id)
    other = Store.open(str(world.store.engine.url.render_as_string(hide_password=False)))
    try:
        with other.engine.connect() as conn:
            tx = conn.begin()
            locked = (
                conn.execute(
                    text(
                        "SELECT id FROM outbox WHERE state = 'pending' ORDER BY id LIMIT 3 "
                        "FOR UPDATE"
                    )
                )
                .scalars()
                .all()
            )
            got = queue.claim(world.store, world.incident_id, 100, "w2", 60)
            assert {r.id for r in got}.isdisjoint(locked)
            assert len(got) == len(GOOD) - 3
            tx.rollback()
    finally:
        other.dispose()
    rest = queue.claim(world.store, world.incident_id, 100, "w3", 60)
    assert sorted(r.id for r in rest) == sorted(locked)


def test_two_workers_deliver_each_row_once(world: World) -> None:
    from breachdesk.notify.approval import approve
    from breachdesk.notify.sender import Sender

    plan(world.store, world.settings, world.incident_id)
    approve(world.store, world.settings, world.incident_id, "tester")
    opts = world.options(batch=2, concurrency=1)

    async def both() -> None:
        a = Sender(world.store, world.settings, world.incident_id, opts)
        b = Sender(world.store, world.settings, world.incident_id, opts)
        b.worker = "other"
        await asyncio.gather(a.run(), b.run())

    asyncio.run(both())
    assert sorted(m.rcpt[0] for m in world.sink.messages) == sorted(c[1] for c in GOOD)
    with world.store.session() as s:
        assert set(s.scalars(select(OutboxRow.state))) == {"sent", "held"}


def test_rate_limit_spaces_starts() -> None:
    lim = RateLimiter(per_second=4)
    lim.take(100.0)
    assert lim.delay(100.0) == pytest.approx(0.25)
    assert lim.delay(100.3) == 0


def test_sliding_window_caps_messages() -> None:
    lim = RateLimiter(window_cap=3, window_seconds=60)
    for t in (0.0, 1.0, 2.0):
        assert lim.delay(t) == 0
        lim.take(t)
    assert lim.delay(30.0) == pytest.approx(30.0)  # the first start leaves the window at 60
    assert lim.room(30.0) == 0
    assert lim.delay(60.5) == 0
    assert lim.room(60.5) == 1


def test_sender_claims_no_more_than_the_limits_allow(world: World) -> None:
    from breachdesk.notify.approval import approve
    from breachdesk.notify.sender import Sender

    plan(world.store, world.settings, world.incident_id)
    approve(world.store, world.settings, world.incident_id, "tester")
    rated = Sender(
        world.store,
        world.settings,
        world.incident_id,
        world.options(rate=2.0, lease_seconds=10.0, batch=200),
    )
    assert rated._batch_size() == 10  # half a lease's worth at 2/s
    capped = Sender(world.store, world.settings, world.incident_id, world.options(window_cap=3))
    for t in (1.0, 2.0):
        capped.limiter.take(time.monotonic() - t)
    assert capped._batch_size() == 1
