"""Who must be told, by whom, by when: run the law engine on an incident and keep
each obligation with a status (pending, done, not-required) that people change.

Re-running keeps the status of obligations that are still due (matched by their
stable key), adds new ones as pending, and marks vanished ones as no longer
current (never deleted), so the history stays readable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from breachdesk.errors import UsageError
from breachdesk.incident.affected import affected_customers
from breachdesk.incident.lifecycle import get_incident, subject
from breachdesk.incident.risk import current_risk
from breachdesk.incident.situation import build_situation
from breachdesk.law.engine import assess
from breachdesk.law.render import assessment_json
from breachdesk.law.situation import Assessment
from breachdesk.registry.entities import load_entities
from breachdesk.settings import Settings
from breachdesk.store import Store
from breachdesk.store.audit import record
from breachdesk.store.models.base import utcnow
from breachdesk.store.models.incidents import ObligationRow

STATUSES = ("pending", "done", "not-required")


@dataclass(frozen=True)
class ObligationsResult:
    assessment: Assessment
    rows: list[ObligationRow]
    added: int
    superseded: int


def assess_incident(store: Store, cfg: Settings, incident_id: int) -> Assessment:
    """The law engine's assessment for the incident as it stands (stores nothing)."""
    inc = get_incident(store, incident_id)
    people = affected_customers(store, incident_id)
    level = current_risk(store, incident_id, people).level
    situation = build_situation(inc, people, load_entities(cfg.entities_path), level)
    return assess(situation)


def _row_values(o: Any) -> dict[str, Any]:
    return {
        "recipient_kind": o.recipient_kind,
        "recipient": o.recipient,
        "jurisdiction": o.jurisdiction,
        "entity": o.entity,
        "residents": o.residents,
        "due_at": o.due_at,
        "timezone": o.timezone,
        "rule_id": o.rule_id,
        "citation": o.citation,
        "data": o.model_dump(mode="json"),
    }


def refresh_obligations(
    store: Store, cfg: Settings, incident_id: int, actor: str
) -> ObligationsResult:
    """Assess and persist; returns current rows ordered by due time."""
    assessment = assess_incident(store, cfg, incident_id)
    now = utcnow()
    added = superseded = 0
    with store.session() as s:
        existing = {
            r.key: r
            for r in s.scalars(
                select(ObligationRow).where(ObligationRow.incident_id == incident_id)
            )
        }
        seen: set[str] = set()
        for o in assessment.obligations:
            seen.add(o.key)
            values = _row_values(o)
            row = existing.get(o.key)
            if row is None:
                s.add(
                    ObligationRow(
                        incident_id=incident_id,
                        key=o.key,
                        status="pending",
                        status_reason="",
                        current=True,
                        updated_at=now,
                        **values,
                    )
                )
                added += 1
                continue
            changed = any(getattr(row, k) != v for k, v in values.items()) or not row.current
            if changed:
                for k, v in values.items():
                    setattr(row, k, v)
                row.current, row.updated_at = True, now
        for key, row in existing.items():
            if key not in seen and row.current:
                row.current, row.updated_at = False, now
                superseded += 1
        record(
            s,
            actor,
            "obligations.assess",
            subject(incident_id),
            {
                "obligations": len(assessment.obligations),
                "added": added,
                "superseded": superseded,
                "non_obligations": len(assessment.non_obligations),
                "unknown": len(assessment.unknown),
                "risk": assessment.situation.risk,
            },
        )
    return ObligationsResult(assessment, current_rows(store, incident_id), added, superseded)


def current_rows(store: Store, incident_id: int) -> list[ObligationRow]:
    with store.session() as s:
        rows = list(
            s.scalars(
                select(ObligationRow).where(
                    ObligationRow.incident_id == incident_id, ObligationRow.current.is_(True)
                )
            )
        )
    return sorted(rows, key=lambda r: (r.due_at is None, r.due_at or datetime.max, r.key))


def set_obligation_status(
    store: Store, incident_id: int, key: str, status: str, actor: str, reason: str = ""
) -> ObligationRow:
    """Mark an obligation (by key or row id) pending, done or not-required (needs a reason)."""
    if status not in STATUSES:
        raise UsageError(f"status: {status!r} is not one of {', '.join(STATUSES)}")
    if status == "not-required" and not reason.strip():
        raise UsageError("marking an obligation not-required needs --reason")
    with store.session() as s:
        stmt = select(ObligationRow).where(ObligationRow.incident_id == incident_id)
        stmt = stmt.where(
            ObligationRow.id == int(key) if key.isdigit() else ObligationRow.key == key
        )
        row = s.scalars(stmt).first()
        if row is None:
            raise UsageError(
                f"incident {incident_id}: no obligation {key!r} "
                "(run `breachdesk obligations ID` to list them)"
            )
        old = row.status
        row.status, row.status_reason, row.updated_at = status, reason.strip(), utcnow()
        record(
            s,
            actor,
            "obligation.status",
            subject(incident_id),
            {"key": row.key, "from": old, "to": status, "reason": reason.strip()},
        )
    return row


def statuses(rows: Sequence[ObligationRow]) -> dict[str, str]:
    """Obligation key -> status, with the reason when one was given (for the renderer)."""
    return {r.key: r.status + (f" ({r.status_reason})" if r.status_reason else "") for r in rows}


def obligations_json(result: ObligationsResult, now: datetime) -> dict[str, Any]:
    """The shared assessment JSON plus stored ids, statuses and reasons."""
    out = assessment_json(result.assessment, now, statuses(result.rows))
    out["stored"] = [
        {"id": r.id, "key": r.key, "status": r.status, "status_reason": r.status_reason}
        for r in result.rows
    ]
    return out
