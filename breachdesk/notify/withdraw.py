"""Withdraw notices not yet sent to customers an incident no longer affects.

After a finding is retracted or evidence is detached, a customer may drop out of
the incident's affected set. Their outbox row, if still ``pending`` or ``held``,
becomes ``withdrawn`` (never claimed by a sender) with the reason; a row already
``sending``, ``sent``, ``failed`` or ``bounced`` is history and stays. Customers
who remain affected keep their rows. Audited with counts only.
"""

from __future__ import annotations

from sqlalchemy import select, update

from breachdesk.incident.affected import affected_customers
from breachdesk.store import Store
from breachdesk.store.audit import record
from breachdesk.store.models.base import utcnow
from breachdesk.store.models.outbox import OutboxRow

WITHDRAWABLE = ("pending", "held")


def withdraw_unaffected(store: Store, incident_id: int, actor: str, why: str) -> int:
    """Withdraw not-yet-sent notices of customers no longer affected; return how many."""
    still = {a.customer_pk for a in affected_customers(store, incident_id)}
    with store.session() as s:
        rows = s.execute(
            select(OutboxRow.id, OutboxRow.customer_pk).where(
                OutboxRow.incident_id == incident_id, OutboxRow.state.in_(WITHDRAWABLE)
            )
        ).all()
        gone = [rid for rid, pk in rows if pk not in still]
        now = utcnow()
        for i in range(0, len(gone), 1000):
            s.execute(
                update(OutboxRow)
                .where(OutboxRow.id.in_(gone[i : i + 1000]), OutboxRow.state.in_(WITHDRAWABLE))
                .values(state="withdrawn", reason=f"withdrawn: {why}", updated_at=now)
            )
        if gone:
            record(
                s,
                actor,
                "notify.withdraw",
                f"incident:{incident_id}",
                {"withdrawn": len(gone), "reason": why},
            )
    return len(gone)
