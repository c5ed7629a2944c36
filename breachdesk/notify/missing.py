"""Status and "who did not get it?": counts per state, the missing list, resend to them.

Missing means every affected customer whose row is not ``sent``: held back
(with the reason), failed (5xx or retries exhausted), bounced, or still pending.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from breachdesk.notify import queue
from breachdesk.store import Store
from breachdesk.store.models import Customer
from breachdesk.store.models.base import utcnow
from breachdesk.store.models.outbox import OutboxRow

MISSING_STATES = ("held", "failed", "bounced", "pending", "sending")
RESENDABLE = ("failed", "bounced")
COLUMNS = ["customer_id", "email", "entity", "locale", "state", "reason", "attempts", "last_reply"]


@dataclass(frozen=True)
class Status:
    incident_id: int
    states: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.states.values())

    def to_json(self) -> dict[str, Any]:
        keys = ("sent", "pending", "sending", "failed", "bounced", "held")
        return {
            "incident": self.incident_id,
            "total": self.total,
            **{k: self.states.get(k, 0) for k in keys},
            "missing": sum(self.states.get(k, 0) for k in MISSING_STATES),
        }


def status(store: Store, incident_id: int) -> Status:
    return Status(incident_id, queue.counts(store, incident_id))


def export_missing(store: Store, incident_id: int, out: Path) -> int:
    """Write every customer who did not get the notice to ``out`` (CSV); returns the count."""
    stmt = (
        select(
            Customer.customer_id,
            Customer.email,
            OutboxRow.entity,
            OutboxRow.locale,
            OutboxRow.state,
            OutboxRow.reason,
            OutboxRow.attempts,
            OutboxRow.last_reply,
        )
        .join(Customer, Customer.id == OutboxRow.customer_pk)
        .where(OutboxRow.incident_id == incident_id, OutboxRow.state.in_(MISSING_STATES))
        .order_by(OutboxRow.id)
    )
    n = 0
    out.parent.mkdir(parents=True, exist_ok=True)
    with store.session() as s, out.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        for row in s.execute(stmt.execution_options(yield_per=5000)):
            w.writerow(list(row))
            n += 1
    return n


def requeue_missing(store: Store, incident_id: int) -> int:
    """Put failed and bounced rows back to ``pending`` (same Message-ID); returns the count.

    Held rows are released by re-planning once the registry is fixed.
    """
    with store.session() as s:
        res = s.execute(
            update(OutboxRow)
            .where(OutboxRow.incident_id == incident_id, OutboxRow.state.in_(RESENDABLE))
            .values(
                state="pending",
                attempts=0,
                next_attempt_at=None,
                lease_until=None,
                updated_at=utcnow(),
            )
        )
        return int(getattr(res, "rowcount", 0) or 0)
