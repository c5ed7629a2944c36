"""Detach evidence from an incident: findings (by id or by scan) or listed customers.

The opposite of :mod:`breachdesk.incident.attach`, for evidence that belongs to
another incident or to none. The findings themselves stay as they are (retract a
finding that is wrong in itself with ``breachdesk findings retract``). A reason is
required and goes to the audit log with what was detached. Scope, the affected set,
obligations and reports read the incident's attachments, so they follow at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import delete, select

from breachdesk.errors import UsageError
from breachdesk.incident.lifecycle import subject
from breachdesk.store import Store
from breachdesk.store.audit import record
from breachdesk.store.models import Customer, Finding
from breachdesk.store.models.incidents import Incident, IncidentCustomer, IncidentFinding


@dataclass
class DetachResult:
    findings: list[int] = field(default_factory=list)
    customers: list[str] = field(default_factory=list)
    not_attached: list[str] = field(default_factory=list)  # what was named but not held


def detach(
    store: Store,
    incident_id: int,
    reason: str,
    actor: str,
    *,
    finding_ids: Sequence[int] = (),
    scan_id: int | None = None,
    customer_ids: Sequence[str] = (),
) -> DetachResult:
    """Detach findings (``finding_ids``, or every finding of ``scan_id``) and listed
    customers (``customer_ids``) from ``incident_id``."""
    why = " ".join(reason.split())
    result = DetachResult()
    with store.session() as s:
        inc = s.get(Incident, incident_id)
        if inc is None:
            raise UsageError(f"incident {incident_id}: no such incident")
        if inc.status == "closed":
            raise UsageError(f"incident {incident_id}: closed; reopen it before detaching")
        if not why:
            raise UsageError("--reason: say why the evidence is detached (the audit log keeps it)")
        if not finding_ids and scan_id is None and not customer_ids:
            raise UsageError("name what to detach: --finding ID, --scan ID or --customer ID")
        held = select(IncidentFinding.finding_id).where(IncidentFinding.incident_id == incident_id)
        if scan_id is not None:
            held_of_scan = held.join(Finding, Finding.id == IncidentFinding.finding_id).where(
                Finding.scan_id == scan_id
            )
            result.findings.extend(s.scalars(held_of_scan))
            if not result.findings:
                result.not_attached.append(f"scan {scan_id}")
        if finding_ids:
            wanted = sorted(set(finding_ids))
            have = set(s.scalars(held.where(IncidentFinding.finding_id.in_(wanted))))
            result.findings.extend(f for f in wanted if f in have)
            result.not_attached.extend(f"finding {f}" for f in wanted if f not in have)
        result.findings = sorted(set(result.findings))
        for i in range(0, len(result.findings), 1000):
            chunk = result.findings[i : i + 1000]
            s.execute(
                delete(IncidentFinding).where(
                    IncidentFinding.incident_id == incident_id,
                    IncidentFinding.finding_id.in_(chunk),
                )
            )
        if customer_ids:
            wanted_ids = sorted(set(customer_ids))
            listed = dict(
                s.execute(
                    select(Customer.customer_id, IncidentCustomer.customer_pk)
                    .join(Customer, Customer.id == IncidentCustomer.customer_pk)
                    .where(
                        IncidentCustomer.incident_id == incident_id,
                        Customer.customer_id.in_(wanted_ids),
                    )
                ).all()
            )
            result.customers = [c for c in wanted_ids if c in listed]
            result.not_attached.extend(
                f"customer {c} (not on a list attached)" for c in wanted_ids if c not in listed
            )
            if listed:
                s.execute(
                    delete(IncidentCustomer).where(
                        IncidentCustomer.incident_id == incident_id,
                        IncidentCustomer.customer_pk.in_(list(listed.values())),
                    )
                )
        if result.findings or result.customers:
            record(
                s,
                actor,
                "incident.detach",
                subject(incident_id),
                {
                    "findings": result.findings,
                    "customers": result.customers,
                    "scan": scan_id,
                    "reason": why,
                },
            )
    return result
