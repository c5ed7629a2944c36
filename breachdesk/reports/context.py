"""The data a report template sees: built from the incident, its affected set, the
persisted obligations and the risk result. Plain JSON-able values only, so the
same dict is the JSON report and the Jinja context.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from breachdesk.errors import ConfigError
from breachdesk.incident.affected import AffectedCustomer, affected_customers
from breachdesk.incident.lifecycle import get_incident
from breachdesk.registry.entities import Entity
from breachdesk.reports.catalogue import ReportSpec
from breachdesk.store import Store
from breachdesk.store.models.incidents import Incident, ObligationRow

CAUSE_TEXT = {
    "technical-error": "a technical error (no malicious intent)",
    "insider": "an insider: data passed on by someone with authorised access",
    "attack": "an external attack (malicious unauthorised access)",
    "unknown": "not yet determined",
}
GDPR_HOURS = 72


@dataclass(frozen=True)
class Previous:
    number: int
    generated_at: str
    content: Mapping[str, Any]


def _iso(dt: datetime | None) -> str | None:
    return dt.isoformat(timespec="minutes") if dt else None


def _regulator_rows(rows: Sequence[ObligationRow], spec: ReportSpec) -> list[ObligationRow]:
    out = []
    for r in rows:
        if r.recipient_kind not in ("regulator", "attorney_general"):
            continue
        parts = r.key.split("/")
        named = len(parts) > 1 and parts[1] == spec.id
        if named or r.jurisdiction in spec.jurisdictions:
            out.append(r)
    return out


def choose_entity(
    spec: ReportSpec,
    people: Sequence[AffectedCustomer],
    entities: Mapping[str, Entity],
    rows: Sequence[ObligationRow],
) -> Entity:
    """The reporting entity: named by the regulator obligation, else the entity
    established in the regulator's country that holds the most affected customers."""
    for r in _regulator_rows(rows, spec):
        if r.entity and r.entity in entities:
            return entities[r.entity]
    held = Counter(c.entity for c in people)
    local = [e for e in entities.values() if e.country == spec.entity_country]
    if not local:
        raise ConfigError(
            f"entities.yaml: no entity established in {spec.entity_country} to report to {spec.id}"
        )
    return max(local, key=lambda e: (held.get(e.id, 0), -list(entities).index(e.id)))


def _population(
    spec: ReportSpec, entity: Entity, people: Sequence[AffectedCustomer]
) -> list[AffectedCustomer]:
    if spec.population == "entity" and entity.country in spec.jurisdictions:
        # established here (lead authority): every affected customer the entity holds
        return [c for c in people if c.entity == entity.id]
    local = [c for c in people if spec.covers(c.country, c.subdivision)]
    if spec.population == "entity":  # not established here: its customers living here
        return [c for c in local if c.entity == entity.id]
    return local


def _window_text(pop: Sequence[AffectedCustomer], inc: Incident) -> str:
    firsts = [c.first_seen for c in pop if c.first_seen]
    lasts = [c.last_seen for c in pop if c.last_seen]
    start = min(firsts) if firsts else inc.window_start
    end = max(lasts) if lasts else inc.window_end
    if start and end and _iso(start) == _iso(end):
        return f"on {_iso(start)} UTC"
    if start and end:
        return f"from {_iso(start)} to {_iso(end)} UTC"
    return "not yet known"


def _individuals(
    rows: Sequence[ObligationRow], entity: Entity, spec: ReportSpec
) -> tuple[str, int]:
    mine = [
        r
        for r in rows
        if r.recipient_kind == "individuals"
        and (r.entity in (None, entity.id))
        and (spec.population == "entity" or r.jurisdiction in spec.jurisdictions)
    ]
    if not mine:
        return "not required on the current assessment; no notice to individuals is planned.", 0
    total = sum(r.residents for r in mine)
    done = sum(r.residents for r in mine if r.status == "done")
    due = min((r.due_at for r in mine if r.due_at), default=None)
    when = f" by {_iso(due)} UTC" if due else " without undue delay"
    return (
        f"notice to {total} individuals required{when}; {done} notified so far "
        f"(status: {', '.join(sorted({r.status for r in mine}))})."
    ), done


def _obligation(rows: Sequence[ObligationRow], spec: ReportSpec) -> dict[str, Any] | None:
    regs = _regulator_rows(rows, spec)
    if not regs:
        return None
    r = min(regs, key=lambda x: (x.due_at is None, x.due_at or datetime.max))
    local = None
    if r.due_at:
        try:
            local = r.due_at.astimezone(ZoneInfo(r.timezone)).strftime("%Y-%m-%d %H:%M %Z")
        except (KeyError, ValueError):
            local = None
    return {
        "recipient": r.recipient,
        "due_utc": f"{_iso(r.due_at)} UTC" if r.due_at else None,
        "due_local": local,
        "timezone": r.timezone,
        "deadline_text": str(r.data.get("deadline_text", "")),
        "rule_id": r.rule_id,
        "citation": r.citation,
        "status": r.status,
        "content_elements": list(r.data.get("content_elements") or []),
    }


def changes(prev: Mapping[str, Any], now: Mapping[str, Any]) -> list[str]:
    """Human lines for what changed between two report contexts."""
    out: list[str] = []
    for key, label in (
        ("subjects", "approximate number of data subjects"),
        ("records", "approximate number of records"),
    ):
        if prev.get(key) != now.get(key):
            out.append(f"{label}: {prev.get(key)} → {now.get(key)}")
    for key in ("status", "description", "measures", "consequences", "cause"):
        a, b = prev.get("incident", {}).get(key), now["incident"].get(key)
        if a != b:
            out.append(
                f"{key}: updated"
                if key in ("description", "measures", "consequences")
                else f"{key}: {a} → {b}"
            )
    a_el, b_el = prev.get("scope", {}).get("elements", {}), now["scope"]["elements"]
    if a_el != b_el:
        out.append(f"categories of data: {', '.join(a_el) or '-'} → {', '.join(b_el) or '-'}")
    a_risk, b_risk = prev.get("risk") or {}, now.get("risk") or {}
    for key in ("score", "level"):
        if a_risk.get(key) != b_risk.get(key):
            out.append(f"risk {key}: {a_risk.get(key, '-')} → {b_risk.get(key, '-')}")
    if prev.get("individuals") != now.get("individuals"):
        out.append(f"communication to data subjects: {now.get('individuals')}")
    return out


def build_context(
    store: Store,
    incident_id: int,
    spec: ReportSpec,
    entities: Mapping[str, Entity],
    *,
    phase: str,
    number: int,
    generated_at: datetime,
    previous: Previous | None,
    risk: Mapping[str, Any] | None,
    charts: Sequence[Mapping[str, str]],
    scope_recipients: tuple[int, bool],
) -> dict[str, Any]:
    inc = get_incident(store, incident_id)
    people = affected_customers(store, incident_id)
    with store.session() as s:
        rows = list(
            s.scalars(
                select(ObligationRow).where(
                    ObligationRow.incident_id == incident_id, ObligationRow.current.is_(True)
                )
            )
        )
    entity = choose_entity(spec, people, entities, rows)
    pop = _population(spec, entity, people)
    elements: Counter[str] = Counter()
    for c in pop:
        elements.update(c.fields)
    individuals, notified = _individuals(rows, entity, spec)
    answers = inc.risk_answers or {}
    law_enf = str(answers.get("law_enforcement") or "")
    ctx: dict[str, Any] = {
        "report": {
            "id": f"{spec.id}-{number:02d}",
            "number": number,
            "phase": phase,
            "generated_at": _iso(generated_at),
            "late": generated_at > inc.became_aware_at + timedelta(hours=GDPR_HOURS),
            "previous": (
                {"number": previous.number, "generated_at": previous.generated_at}
                if previous
                else None
            ),
            "changes": [],
        },
        "recipient": {
            "id": spec.id,
            "name": spec.name,
            "regime": spec.regime,
            "citation": spec.citation,
        },
        "incident": {
            "id": inc.id,
            "title": inc.title,
            "status": inc.status,
            "cause": inc.cause,
            "cause_text": CAUSE_TEXT.get(inc.cause, inc.cause),
            "became_aware_at": _iso(inc.became_aware_at),
            "description": inc.description,
            "measures": inc.measures,
            "consequences": inc.consequences,
            "encrypted": inc.encrypted,
            "law_enforcement_text": law_enf
            or "No law enforcement agency is involved and notification was not delayed "
            "at the request of law enforcement.",
        },
        "entity": {
            "id": entity.id,
            "legal_name": entity.legal_name,
            "country": entity.country,
            "website": entity.website,
            "dpo": entity.dpo.model_dump(),
        },
        "subjects": len(pop),
        "records": sum(c.findings for c in pop)
        + sum(1 for c in pop if c.listed and not c.findings),
        "scope": {
            "total_affected": len(people),
            "elements": dict(sorted(elements.items(), key=lambda kv: (-kv[1], kv[0]))),
            "by_country": dict(Counter(c.country for c in pop).most_common()),
            "by_subdivision": dict(
                Counter(c.subdivision or f"{c.country}-?" for c in pop).most_common()
            ),
            "window_text": _window_text(pop, inc),
            "recipients": scope_recipients[0],
            "public": scope_recipients[1],
        },
        "risk": dict(risk) if risk else None,
        "obligation": _obligation(rows, spec),
        "individuals": individuals,
        "notified": notified,
        "charts": [dict(c) for c in charts],
    }
    if previous is not None:
        ctx["report"]["changes"] = changes(previous.content, ctx)
    return ctx
