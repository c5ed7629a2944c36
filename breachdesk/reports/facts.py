"""Facts a report states about notices and times, read from the store as it is now.

``notice_facts`` counts the notify outbox rows of the customers an obligation covers
(planned, sent, failed, held) with their dates; ``Clock`` writes times for people in
one time zone ("27 November 2026, 10:16"); the report names that zone once, in its header.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from breachdesk.incident.affected import AffectedCustomer
from breachdesk.store import Store
from breachdesk.store.models import Customer, Finding
from breachdesk.store.models.incidents import IncidentFinding
from breachdesk.store.models.outbox import OutboxRow

CHUNK = 5000
FAILED = ("failed", "bounced")
IN_FLIGHT = ("pending", "sending")


@dataclass(frozen=True)
class Clock:
    """Formats UTC times in one zone, for people."""

    zone: str

    @property
    def tz(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.zone)
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo("UTC")

    def text(self) -> str:
        """How the report names its zone, once: "Europe/London (local time)"."""
        return "UTC" if self.zone == "UTC" else f"{self.zone} (local time)"

    def at(self, dt: datetime | None) -> str | None:
        if dt is None:
            return None
        local = dt.astimezone(self.tz)
        return f"{local.day} {local:%B %Y, %H:%M}"

    def day(self, dt: datetime | None) -> str | None:
        if dt is None:
            return None
        local = dt.astimezone(self.tz)
        return f"{local.day} {local:%B %Y}"

    def span(self, start: datetime | None, end: datetime | None) -> str:
        """ "on 27 November 2026, 10:16" or "from ... to ..."."""
        if start is None or end is None:
            return "not yet known"
        a, b = self.at(start), self.at(end)
        return f"on {a}" if a == b else f"from {a} to {b}"


def _outbox(store: Store, incident_id: int, pks: Sequence[int]) -> list[OutboxRow]:
    rows: list[OutboxRow] = []
    with store.session() as s:
        for i in range(0, len(pks), CHUNK):
            part = list(pks[i : i + CHUNK])
            rows.extend(
                s.scalars(
                    select(OutboxRow).where(
                        OutboxRow.incident_id == incident_id, OutboxRow.customer_pk.in_(part)
                    )
                )
            )
    return rows


def viewers(store: Store, incident_id: int, pks: Sequence[int]) -> tuple[int, bool]:
    """Distinct viewers (other than the customer) of the covered customers' data, and
    whether any view was public."""
    seen: set[str] = set()
    with store.session() as s:
        for i in range(0, len(pks), CHUNK):
            part = list(pks[i : i + CHUNK])
            seen.update(
                s.scalars(
                    select(Finding.viewer)
                    .join(IncidentFinding, IncidentFinding.finding_id == Finding.id)
                    .join(Customer, Customer.id == Finding.customer_pk)
                    .where(
                        IncidentFinding.incident_id == incident_id,
                        Finding.customer_pk.in_(part),
                        Finding.viewer != Customer.customer_id,
                    )
                    .distinct()
                )
            )
    return len(seen), "public" in seen


def notice_facts(
    store: Store, incident_id: int, pop: Sequence[AffectedCustomer], clock: Clock
) -> dict[str, Any]:
    """Notices to the covered customers as the outbox records them now."""
    rows = _outbox(store, incident_id, [c.customer_pk for c in pop])
    states = Counter(r.state for r in rows)
    sent = [r.sent_at for r in rows if r.state == "sent" and r.sent_at]
    failed = [r for r in rows if r.state in FAILED]
    failed_at = [r.bounced_at or r.updated_at for r in failed]
    reasons = Counter((r.last_reply or r.reason or r.state).split("\n")[0][:80] for r in failed)
    held = Counter(r.reason.split(" (")[0] for r in rows if r.state == "held")
    return {
        "covered": len(pop),
        "planned": len(rows),
        "not_planned": len(pop) - len({r.customer_pk for r in rows}),
        "sent": states["sent"],
        "first_sent": clock.at(min(sent)) if sent else None,
        "last_sent": clock.at(max(sent)) if sent else None,
        "first_sent_day": clock.day(min(sent)) if sent else None,
        "last_sent_day": clock.day(max(sent)) if sent else None,
        "in_flight": sum(states[s] for s in IN_FLIGHT),
        "failed": len(failed),
        "last_failed": clock.at(max(failed_at)) if failed_at else None,
        "failed_reasons": dict(reasons.most_common(5)),
        "held": states["held"],
        "held_reasons": dict(held.most_common(5)),
        "planned_at": clock.at(min(r.created_at for r in rows)) if rows else None,
    }


def individuals_text(required: dict[str, Any] | None, n: dict[str, Any]) -> str:
    """One sentence: whether notice to the individuals is due, and what the outbox shows."""
    if required is None:
        head = "not required on the current assessment"
    else:
        head = f"required for {required['residents']:,} individuals {required['when']}"
    if not n["planned"]:
        tail = (
            "no notice to individuals is planned"
            if required is None
            else "no notice has been planned yet"
        )
        return f"{head}; {tail}."
    parts = []
    if n["sent"]:
        when = (
            f"on {n['first_sent']}"
            if n["first_sent"] == n["last_sent"]
            else f"between {n['first_sent']} and {n['last_sent']}"
        )
        parts.append(f"{n['sent']:,} sent {when}")
    if n["in_flight"]:
        parts.append(f"{n['in_flight']:,} waiting to be sent")
    if n["failed"]:
        parts.append(f"{n['failed']:,} failed (last on {n['last_failed']})")
    if n["held"]:
        reasons = ", ".join(f"{k}: {v:,}" for k, v in n["held_reasons"].items())
        parts.append(f"{n['held']:,} held back ({reasons})")
    if n["not_planned"]:
        parts.append(f"{n['not_planned']:,} not planned")
    lead = "" if required is not None else "nevertheless "
    planned = f"{n['planned']:,} {'notice was' if n['planned'] == 1 else 'notices were'}"
    return f"{head}; {lead}{planned} planned on {n['planned_at']}: " + "; ".join(parts) + "."
