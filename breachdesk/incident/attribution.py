"""Keep an attribution: store its summary, and open or add to an incident with its scope.

The incident gets cause ``insider`` when an export was named, else ``unknown``,
and one affected customer per registry customer found, with the elements seen
with them (``email``, ``name``, ``phone``, ``password``). Customers are attached
through the incident area's own list import (``incident.attach.attach_list``),
from a temporary customer-id list written 0600 in the workspace and deleted after.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass

from sqlalchemy import select

from breachdesk.incident.attach import attach_list
from breachdesk.incident.lifecycle import NewIncident, open_incident
from breachdesk.insider.attribute import Attribution
from breachdesk.settings import Settings
from breachdesk.store import Store
from breachdesk.store.audit import record
from breachdesk.store.models import Customer
from breachdesk.store.models.base import utcnow
from breachdesk.store.models.exports import Attribution as AttributionRow

ATTACH_BATCH = 20_000


@dataclass(frozen=True)
class Recorded:
    attribution_id: int
    incident_id: int | None
    attached: int


def _title(att: Attribution) -> str:
    named = att.named
    if not named:
        return f"Leaked list of {att.matched:,} customers, source unknown"
    first = named[0]
    more = f" and {len(named) - 1} more" if len(named) > 1 else ""
    return f"Leaked list traced to export {first.uid} to {first.recipient}{more}"


def _attach(store: Store, cfg: Settings, att: Attribution, incident_id: int, actor: str) -> int:
    """Attach the scope in lists of ``ATTACH_BATCH`` customers (each list is one query)."""
    scope = att.scope()
    pks = sorted(scope)
    attached = 0
    path = cfg.workspace / f"attribution-{os.getpid()}-{incident_id}.csv"
    for start in range(0, len(pks), ATTACH_BATCH):
        batch = pks[start : start + ATTACH_BATCH]
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
                writer = csv.writer(fh)
                writer.writerow(["customer_id", "fields"])
                with store.sessions() as session:
                    for i in range(0, len(batch), 5_000):
                        chunk = batch[i : i + 5_000]
                        stmt = select(Customer.id, Customer.customer_id).where(
                            Customer.id.in_(chunk)
                        )
                        for pk, cid in session.execute(stmt):
                            writer.writerow([cid, scope[pk]])
            result = attach_list(store, cfg, incident_id, path, actor)
        finally:
            path.unlink(missing_ok=True)
        attached += result.added + result.already
    return attached


def record_attribution(
    store: Store,
    cfg: Settings,
    att: Attribution,
    actor: str,
    incident_id: int | None = None,
    open_new: bool = False,
) -> Recorded:
    """Store the summary; with ``open_new`` or ``incident_id``, put the scope on an incident."""
    if open_new:
        description = (
            f"A leaked list named {att.matched:,} registry customers. Named source exports: "
            + (", ".join(f"{e.uid} ({e.evidence})" for e in att.named) or "none")
            + "."
        )
        incident = open_incident(
            store,
            NewIncident(
                title=_title(att),
                cause=att.cause,
                became_aware_at=utcnow(),
                description=description,
            ),
            actor,
        )
        incident_id = incident.id
    attached = _attach(store, cfg, att, incident_id, actor) if incident_id and att.matched else 0
    att.incident_id = incident_id
    summary = att.to_json()
    with store.session() as session:
        row = AttributionRow(
            paths=att.stats.paths,
            matched=att.matched,
            cause=att.cause,
            incident_id=incident_id,
            result={k: v for k, v in summary.items() if k != "stats"},
        )
        session.add(row)
        session.flush()
        record(
            session,
            actor,
            "attribution.run",
            f"attribution:{row.id}",
            {
                "matched": att.matched,
                "named": [e.uid for e in att.named],
                "cause": att.cause,
                "incident": incident_id,
            },
        )
        attribution_id = row.id
    return Recorded(attribution_id, incident_id, attached)
