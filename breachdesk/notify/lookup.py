"""Check a verification code typed on the official site: is this notice genuine?

The answer names the incident, the sending entity and when the notice was sent,
never who it was sent to. The code is re-derived from the workspace key, so a
row whose code was altered in the database does not verify either.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from breachdesk.notify.codes import check_code, normalise_code
from breachdesk.store import Store
from breachdesk.store.models import Customer
from breachdesk.store.models.outbox import OutboxRow


@dataclass(frozen=True)
class GenuineNotice:
    incident_id: int
    entity: str
    state: str
    sent_at: datetime | None


def find_notice(store: Store, key: bytes, code: str) -> GenuineNotice | None:
    """The notice carrying ``code``, or None when no genuine notice does."""
    wanted = normalise_code(code)
    with store.session() as s:
        rows = s.execute(
            select(OutboxRow, Customer.customer_id)
            .join(Customer, Customer.id == OutboxRow.customer_pk)
            .where(OutboxRow.verification == wanted)
        ).all()
    for row, customer_id in rows:
        if check_code(key, row.incident_id, customer_id, wanted):
            return GenuineNotice(row.incident_id, row.entity, row.state, row.sent_at)
    return None
