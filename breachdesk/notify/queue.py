"""Outbox queries: claim rows under a lease, renew it, record SMTP outcomes, count states.

Claiming is one ``UPDATE ... WHERE id IN (SELECT ... LIMIT n) RETURNING`` that
sets ``sending`` with a lease, increments ``lease_gen`` (the fencing token) and
commits BEFORE any SMTP traffic. On PostgreSQL the inner select takes ``FOR
UPDATE SKIP LOCKED``, so several workers never claim the same row; on SQLite the
statement holds the single write lock. A ``sending`` row whose lease expired (its
worker died) is claimed again and resent with the same Message-ID.

A claim is not an attempt: ``attempts`` grows by one per SMTP transaction whose
outcome was recorded, so a row in flight at many crashes is not failed for it.
Every write after the claim (renewal, outcome, release) carries the fencing
token in its ``WHERE``: once another sender has claimed the row, the old holder
can neither extend its lease nor record an outcome.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, and_, bindparam, func, or_, select, update

from breachdesk.store import Store
from breachdesk.store.models.base import utcnow
from breachdesk.store.models.outbox import OutboxRow

T: Table = OutboxRow.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class Claimed:
    id: int
    customer_pk: int
    message_id: str
    verification: str
    entity: str
    locale: str
    context: dict[str, Any]
    attempts: int  # SMTP transactions recorded before this claim
    lease_gen: int  # the fencing token of this claim
    token: str


@dataclass(frozen=True)
class Outcome:
    """What the server said about one claimed row."""

    row: Claimed
    kind: str  # sent | retry | failed
    reply: str
    queue_id: str | None = None
    transacted: bool = True  # an SMTP transaction was made (counts as an attempt)

    @property
    def attempts(self) -> int:
        return self.row.attempts + (1 if self.transacted else 0)

    def final(self, max_attempts: int) -> bool:
        return self.kind == "failed" or (self.kind == "retry" and self.attempts >= max_attempts)


def _due(incident_id: int, now: datetime) -> Any:
    return and_(
        T.c.incident_id == incident_id,
        or_(
            and_(
                T.c.state == "pending",
                or_(T.c.next_attempt_at.is_(None), T.c.next_attempt_at <= now),
            ),
            and_(T.c.state == "sending", T.c.lease_until < now),
        ),
    )


def claim(
    store: Store, incident_id: int, limit: int, worker: str, lease_seconds: float
) -> list[Claimed]:
    now = utcnow()
    token = f"{worker}/{uuid.uuid4().hex[:8]}"[:64]
    inner = select(T.c.id).where(_due(incident_id, now)).order_by(T.c.id).limit(limit)
    if store.dialect == "postgresql":
        inner = inner.with_for_update(skip_locked=True)
    stmt = (
        update(T)
        .where(T.c.id.in_(inner))
        .values(
            state="sending",
            lease_until=now + timedelta(seconds=lease_seconds),
            worker=token,
            lease_gen=T.c.lease_gen + 1,
            updated_at=now,
        )
        .returning(
            T.c.id,
            T.c.customer_pk,
            T.c.message_id,
            T.c.verification,
            T.c.entity,
            T.c.locale,
            T.c.context,
            T.c.attempts,
            T.c.lease_gen,
        )
    )
    with store.session() as s:
        rows = s.execute(stmt).all()
    return sorted((Claimed(**r._mapping, token=token) for r in rows), key=lambda c: c.id)


def backoff(attempts: int, base: float) -> float:
    return float(min(base * 2 ** max(0, attempts - 1), 3600.0))


def _held(o: Outcome) -> dict[str, Any]:
    return {"b_id": o.row.id, "b_gen": o.row.lease_gen}


_FENCED = (T.c.id == bindparam("b_id"), T.c.state == "sending", T.c.lease_gen == bindparam("b_gen"))


def record(
    store: Store, outcomes: list[Outcome], max_attempts: int, backoff_base: float
) -> set[int]:
    """Write outcomes in one short transaction; returns the ids that were written.

    An outcome is written only while the row is still ``sending`` under this
    claim's ``lease_gen``; an id missing from the result was taken over by another
    sender (its lease had expired) and is that sender's now.
    """
    if not outcomes:
        return set()
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for o in outcomes:
        final = o.final(max_attempts)
        state = "sent" if o.kind == "sent" else ("failed" if final else "pending")
        retry_at = None
        if state == "pending":
            retry_at = now + timedelta(seconds=backoff(max(1, o.attempts), backoff_base))
        rows.append(
            {
                **_held(o),
                "b_state": state,
                "b_attempts": o.attempts,
                "b_qid": o.queue_id,
                "b_reply": o.reply[:500],
                "b_next": retry_at,
                "b_sent": now if state == "sent" else None,
            }
        )
    stmt = (
        update(T)
        .where(*_FENCED)
        .values(
            state=bindparam("b_state"),
            attempts=bindparam("b_attempts"),
            queue_id=bindparam("b_qid"),
            last_reply=bindparam("b_reply"),
            next_attempt_at=bindparam("b_next"),
            sent_at=bindparam("b_sent"),
            lease_until=None,
            updated_at=now,
        )
        .returning(T.c.id)
    )
    with store.session() as s:
        return _written(s, stmt, rows)


def _written(s: Any, stmt: Any, rows: list[dict[str, Any]]) -> set[int]:
    """Run a fenced UPDATE for each row; the ids it changed."""
    done: set[int] = set()
    for r in rows:  # one statement per row: RETURNING tells exactly which were still held
        done.update(s.execute(stmt, r).scalars())
    return done


def renew(store: Store, rows: list[Claimed], lease_seconds: float) -> set[int]:
    """Extend the lease of ``rows`` this sender still holds; returns their ids."""
    if not rows:
        return set()
    now = utcnow()
    gens = {r.id: r.lease_gen for r in rows}
    stmt = (
        update(T)
        .where(T.c.id.in_(list(gens)), T.c.state == "sending", T.c.worker == rows[0].token)
        .values(lease_until=now + timedelta(seconds=lease_seconds))
        .returning(T.c.id, T.c.lease_gen)
    )
    with store.session() as s:
        got = s.execute(stmt).all()
    return {i for i, gen in got if gens.get(i) == gen}


def release(store: Store, rows: list[Claimed]) -> int:
    """Give claimed rows back as ``pending`` without an attempt (nothing was sent)."""
    if not rows:
        return 0
    now = utcnow()
    stmt = (
        update(T)
        .where(*_FENCED)
        .values(state="pending", lease_until=None, worker=None, updated_at=now)
        .returning(T.c.id)
    )
    with store.session() as s:
        return len(_written(s, stmt, [{"b_id": r.id, "b_gen": r.lease_gen} for r in rows]))


def counts(store: Store, incident_id: int) -> dict[str, int]:
    with store.session() as s:
        rows = s.execute(
            select(T.c.state, func.count())
            .where(T.c.incident_id == incident_id)
            .group_by(T.c.state)
        ).all()
    return {state: int(n) for state, n in rows}


def seconds_until_due(store: Store, incident_id: int) -> float | None:
    """None when no row can still go out; else how long until the next one is due."""
    now = utcnow()
    with store.session() as s:
        nxt_retry = s.scalar(
            select(func.min(func.coalesce(T.c.next_attempt_at, now))).where(
                T.c.incident_id == incident_id, T.c.state == "pending"
            )
        )
        nxt_lease = s.scalar(
            select(func.min(T.c.lease_until)).where(
                T.c.incident_id == incident_id, T.c.state == "sending"
            )
        )
    times = [t for t in (nxt_retry, nxt_lease) if t is not None]
    if not times:
        return None
    soonest: datetime = min(t if t.tzinfo else t.replace(tzinfo=now.tzinfo) for t in times)
    return max(0.0, (soonest - now).total_seconds())
