"""Outbox queries: claim rows under a lease, record SMTP outcomes, count states.

Claiming is one ``UPDATE ... WHERE id IN (SELECT ... LIMIT n) RETURNING`` that
sets ``sending`` with a lease and commits BEFORE any SMTP traffic. On PostgreSQL
the inner select takes ``FOR UPDATE SKIP LOCKED``, so several workers never
claim the same row; on SQLite the statement holds the single write lock.
A ``sending`` row whose lease expired (its worker died) is claimed again and
resent with the same Message-ID. Outcomes are written only after the server
answered, so nothing advances ahead of an acknowledged send.
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
    attempts: int
    token: str


@dataclass(frozen=True)
class Outcome:
    """What the server said about one claimed row."""

    row: Claimed
    kind: str  # sent | retry | failed
    reply: str
    queue_id: str | None = None


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
            attempts=T.c.attempts + 1,
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
        )
    )
    with store.session() as s:
        rows = s.execute(stmt).all()
    return sorted((Claimed(**r._mapping, token=token) for r in rows), key=lambda c: c.id)


def backoff(attempts: int, base: float) -> float:
    return float(min(base * 2 ** max(0, attempts - 1), 3600.0))


def record(store: Store, outcomes: list[Outcome], max_attempts: int, backoff_base: float) -> None:
    """Write outcomes in one short transaction."""
    if not outcomes:
        return
    now = utcnow()
    sent = [
        {"b_id": o.row.id, "b_qid": o.queue_id, "b_reply": o.reply[:500]}
        for o in outcomes
        if o.kind == "sent"
    ]
    later: list[dict[str, Any]] = []
    for o in outcomes:
        if o.kind == "sent":
            continue
        final = o.kind == "failed" or o.row.attempts >= max_attempts
        later.append(
            {
                "b_id": o.row.id,
                "b_token": o.row.token,
                "b_state": "failed" if final else "pending",
                "b_reply": o.reply[:500],
                "b_next": None
                if final
                else now + timedelta(seconds=backoff(o.row.attempts, backoff_base)),
            }
        )
    with store.session() as s:
        conn = s.connection()
        if sent:
            conn.execute(
                update(T)
                .where(
                    T.c.id == bindparam("b_id"), or_(T.c.state == "sending", T.c.state == "pending")
                )
                .values(
                    state="sent",
                    queue_id=bindparam("b_qid"),
                    last_reply=bindparam("b_reply"),
                    sent_at=now,
                    lease_until=None,
                    next_attempt_at=None,
                    updated_at=now,
                ),
                sent,
            )
        if later:
            conn.execute(
                update(T)
                .where(
                    T.c.id == bindparam("b_id"),
                    T.c.state == "sending",
                    T.c.worker == bindparam("b_token"),
                )
                .values(
                    state=bindparam("b_state"),
                    last_reply=bindparam("b_reply"),
                    next_attempt_at=bindparam("b_next"),
                    lease_until=None,
                    updated_at=now,
                ),
                later,
            )


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
