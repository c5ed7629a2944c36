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
    # A claim is not an attempt; it moves the fencing token on.
    assert len(first) == 3 and all(r.attempts == 0 and r.lease_gen == 1 for r in first)
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
    assert all(r.attempts == 0 and r.lease_gen == 2 for r in again)  # claimed twice, sent never
    # The old holder's outcomes, renewals and releases are all fenced off now.
    stale = [queue.Outcome(first[0], "retry", "451 late"), queue.Outcome(first[1], "sent", "250")]
    assert queue.record(world.store, stale, 8, 0) == set()
    assert queue.renew(world.store, first, 60) == set()
    assert queue.release(world.store, first) == 0
    with world.store.session() as s:
        row = s.get(OutboxRow, first[1].id)
        assert row is not None and (row.state, row.attempts, row.lease_gen) == ("sending", 0, 2)
    # The new holder records: one SMTP transaction, one attempt.
    done = [
        queue.Outcome(again[0], "sent", "250 ok", "Q1"),
        queue.Outcome(again[1], "retry", "451"),
    ]
    assert queue.record(world.store, done, 8, 0) == {again[0].id, again[1].id}
    with world.store.session() as s:
        a, b = s.get(OutboxRow, again[0].id), s.get(OutboxRow, again[1].id)
        assert a is not None and (a.state, a.attempts, a.queue_id) == ("sent", 1, "Q1")
        assert b is not None and (b.state, b.attempts) == ("pending", 1)
    assert queue.release(world.store, [again[2]]) == 1  # given back untouched: no attempt
    with world.store.session() as s:
        c = s.get(OutboxRow, again[2].id)
        assert c is not None and (c.state, c.attempts, c.worker) == ("pending", 0, None)


def test_renew_extends_only_the_holders_lease(world: World) -> None:
    plan(world.store, world.settings, world.incident_id)
    rows = queue.claim(world.store, world.incident_id, 2, "w1", lease_seconds=5)
    with world.store.session() as s:
        before = s.get(OutboxRow, rows[0].id).lease_until  # type: ignore[union-attr]
    assert queue.renew(world.store, rows, 600) == {r.id for r in rows}
    with world.store.session() as s:
        after = s.get(OutboxRow, rows[0].id).lease_until  # type: ignore[union-attr]
    assert before is not None and after is not None
    assert after - before > timedelta(seconds=500)


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


def test_eight_crashes_then_one_dropped_connection_does_not_fail_the_row(world: World) -> None:
    """Issue 8: claims by senders that then died counted as attempts, so after 8 crashes
    a single dropped connection (a retry) failed the row for good."""
    plan(world.store, world.settings, world.incident_id)
    for _ in range(8):  # claimed, then the sender is killed before any outcome
        rows = queue.claim(world.store, world.incident_id, 1, "doomed", lease_seconds=60)
        with world.store.session() as s:
            s.execute(
                update(OutboxRow)
                .where(OutboxRow.id == rows[0].id)
                .values(lease_until=utcnow() - timedelta(seconds=1))
            )
    row = queue.claim(world.store, world.incident_id, 1, "survivor", lease_seconds=60)[0]
    assert (row.attempts, row.lease_gen) == (0, 9)
    dropped = queue.Outcome(row, "retry", "no reply: SMTPServerDisconnected")
    assert not dropped.final(max_attempts=8)
    queue.record(world.store, [dropped], max_attempts=8, backoff_base=0)
    with world.store.session() as s:
        got = s.get(OutboxRow, row.id)
        assert got is not None and (got.state, got.attempts) == ("pending", 1)
