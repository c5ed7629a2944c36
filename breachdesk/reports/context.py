"""The data a report template sees, for ONE obligation: built from the incident, the
affected customers that obligation covers, the persisted obligations, the notify
outbox and the risk result. Plain JSON-able values only, so the
same dict is the JSON report and the Jinja context.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from breachdesk.incident.affected import AffectedCustomer
from breachdesk.incident.lifecycle import get_incident
from breachdesk.notify.shaping import content_shaping
from breachdesk.notify.spec import load_spec
from breachdesk.registry.entities import Entity
from breachdesk.reports.facts import Clock, individuals_text, notice_facts, viewers
from breachdesk.reports.obligations import Reportable
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


def _window(pop: Sequence[AffectedCustomer], inc: Incident, clock: Clock) -> str:
    firsts = [c.first_seen for c in pop if c.first_seen]
    lasts = [c.last_seen for c in pop if c.last_seen]
    start = min(firsts) if firsts else inc.window_start
    end = max(lasts) if lasts else inc.window_end
    return clock.span(start, end)


def _individual_rows(
    rows: Sequence[ObligationRow], ob: Reportable, pop: Sequence[AffectedCustomer]
) -> list[ObligationRow]:
    """The individuals obligations of the same entity for the residents this report covers."""
    places = {c.country for c in pop} | {c.subdivision for c in pop if c.subdivision}
    if ob.row is not None:
        places.add(ob.row.jurisdiction)
    return [
        r
        for r in rows
        if r.recipient_kind == "individuals" and r.entity == ob.entity and r.jurisdiction in places
    ]


def _required(mine: Sequence[ObligationRow], clock: Clock) -> dict[str, Any] | None:
    if not mine:
        return None
    due = min((r.due_at for r in mine if r.due_at), default=None)
    return {
        "residents": sum(r.residents for r in mine),
        "when": f"by {clock.at(due)}" if due else "without undue delay",
        "status": ", ".join(sorted({r.status for r in mine})),
        "jurisdictions": sorted({r.jurisdiction for r in mine}),
    }


def _obligation(ob: Reportable, clock: Clock, covered: int) -> dict[str, Any] | None:
    r = ob.row
    if r is None:
        return None
    data = r.data or {}
    stale = None
    if ob.residents is not None and ob.residents != covered:
        stale = (
            f"The obligation was assessed for {ob.residents:,} residents; the store now holds "
            f"{covered:,} affected residents it covers. Re-run `breachdesk obligations "
            f"{r.incident_id}` before submitting."
        )
    return {
        "key": r.key,
        "recipient": r.recipient,
        "residents": ob.residents,
        "due": clock.at(r.due_at),
        "due_utc": _iso(r.due_at),
        "timezone": r.timezone,
        "deadline_text": str(data.get("deadline_text", "")),
        "rule_id": r.rule_id,
        "citation": r.citation,
        "status": r.status,
        "content_elements": list(data.get("content_elements") or []),
        "stale": stale,
    }


def _short(text: Any, n: int = 160) -> str:
    t = " ".join(str(text or "").split())
    return t if len(t) <= n else t[: n - 1] + "…"


def changes(prev: Mapping[str, Any], now: Mapping[str, Any]) -> list[str]:
    """Human lines for what changed between the previous report's context and now."""
    out: list[str] = []
    for key, label in (
        ("subjects", "approximate number of data subjects"),
        ("records", "approximate number of records"),
    ):
        if prev.get(key) != now.get(key):
            out.append(f"{label}: {prev.get(key)} → {now.get(key)}")
    for key in ("status", "cause"):
        a, b = prev.get("incident", {}).get(key), now["incident"].get(key)
        if a != b:
            out.append(f"incident {key}: {a} → {b}")
    for key in ("description", "measures", "consequences"):
        a, b = prev.get("incident", {}).get(key), now["incident"].get(key)
        if a != b:
            out.append(f"{key} updated: {_short(b) or '(removed)'}")
    a_ne, b_ne = prev.get("incident", {}).get("not_exposed", []), now["incident"]["not_exposed"]
    if a_ne != b_ne:
        out.append(f"data stated as not exposed: {', '.join(b_ne) or '-'}")
    a_el, b_el = prev.get("scope", {}).get("elements", {}), now["scope"]["elements"]
    if a_el != b_el:
        out.append(f"categories of data: {', '.join(a_el) or '-'} → {', '.join(b_el) or '-'}")
    a_risk, b_risk = prev.get("risk") or {}, now.get("risk") or {}
    for key in ("score", "level"):
        if a_risk.get(key) != b_risk.get(key):
            out.append(f"risk {key}: {a_risk.get(key, '-')} → {b_risk.get(key, '-')}")
    a_ob, b_ob = prev.get("obligation") or {}, now.get("obligation") or {}
    for key, label in (("status", "status of this obligation"), ("due", "deadline")):
        if a_ob.get(key) != b_ob.get(key):
            out.append(f"{label}: {a_ob.get(key) or '-'} → {b_ob.get(key) or '-'}")
    a_n, b_n = prev.get("notices") or {}, now.get("notices") or {}
    for key, label in (
        ("planned", "notices to individuals planned"),
        ("sent", "notices sent"),
        ("failed", "notices failed"),
        ("held", "notices held back"),
    ):
        if a_n.get(key, 0) != b_n.get(key, 0):
            out.append(f"{label}: {a_n.get(key, 0):,} → {b_n.get(key, 0):,}")
    if prev.get("individuals") != now.get("individuals"):
        out.append(f"communication to data subjects: {now.get('individuals')}")
    return out


def build_context(
    store: Store,
    incident_id: int,
    ob: Reportable,
    entity: Entity,
    pop: Sequence[AffectedCustomer],
    rows: Sequence[ObligationRow],
    *,
    phase: str,
    number: int,
    generated_at: datetime,
    previous: Previous | None,
    risk: Mapping[str, Any] | None,
    charts: Sequence[Mapping[str, str]],
    clock: Clock,
) -> dict[str, Any]:
    inc = get_incident(store, incident_id)
    spec = ob.spec
    elements: Counter[str] = Counter()
    for c in pop:
        elements.update(c.fields)
    required = _required(_individual_rows(rows, ob, pop), clock)
    notices = notice_facts(store, incident_id, pop, clock)
    notices["required"] = required
    answers = inc.risk_answers or {}
    law_enf = str(answers.get("law_enforcement") or "")
    n_viewers, public = viewers(store, incident_id, [c.customer_pk for c in pop])
    ctx: dict[str, Any] = {
        "report": {
            "id": f"{spec.id}-{number:02d}",
            "number": number,
            "phase": phase,
            "generated_at": clock.at(generated_at),
            "generated_at_utc": _iso(generated_at),
            "late": generated_at > inc.became_aware_at + timedelta(hours=GDPR_HOURS),
            "voluntary": ob.row is None,
            "previous": (
                {"number": previous.number, "generated_at": previous.generated_at}
                if previous
                else None
            ),
            "changes": [],
        },
        "times": {"zone": clock.zone, "text": clock.text()},
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
            "became_aware_at": clock.at(inc.became_aware_at),
            "became_aware_day": clock.day(inc.became_aware_at),
            "description": inc.description,
            "measures": inc.measures,
            "consequences": inc.consequences,
            "encrypted": inc.encrypted,
            "not_exposed": _labels(inc.not_exposed or []),
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
            "total_affected": len({c.customer_pk for c in pop}),
            "elements": dict(sorted(elements.items(), key=lambda kv: (-kv[1], kv[0]))),
            "labels": dict(zip(elements, _labels(list(elements)), strict=True)),
            "by_country": dict(Counter(c.country for c in pop).most_common()),
            "by_subdivision": dict(
                Counter(c.subdivision or f"{c.country}-?" for c in pop).most_common()
            ),
            "window_text": _window(pop, inc, clock),
            "recipients": n_viewers,
            "public": public,
        },
        "risk": dict(risk) if risk else None,
        "obligation": _obligation(ob, clock, len(pop)),
        "notices": notices,
        "individuals": individuals_text(required, notices),
        "notified": notices["sent"],
        "content": _content(ob),
        "charts": [dict(c) for c in charts],
    }
    if previous is not None:
        ctx["report"]["changes"] = changes(previous.content, ctx)
    return ctx


def _labels(kinds: Sequence[str]) -> list[str]:
    """Data kinds as people read them ("payment_card" -> "payment card details")."""
    labels = load_spec().data_labels
    return [labels.get(k, k.replace("_", " ")) for k in kinds]


def _content(ob: Reportable) -> dict[str, list[str]]:
    """Content ids the rules require of, and text they forbid in, this recipient's report;
    for a sample consumer notice, the paragraphs and omissions the jurisdiction's rules
    set for the notice to residents (the same data that shapes the customer notices)."""
    req: list[str] = []
    forbidden: list[str] = []
    for r in ob.rows:
        data = r.data or {}
        req += [i for i in data.get("content_required_ids") or [] if i not in req]
        forbidden += [f for f in data.get("content_forbidden") or [] if f not in forbidden]
    out = {"required_ids": req, "forbidden": forbidden, "notice_paragraphs": [], "notice_omit": []}
    if ob.spec.sample_notice:
        spec = load_spec()
        omit: set[str] = set()
        paras: list[str] = []
        for place in ob.spec.jurisdictions:
            o, p = content_shaping(
                place.split("-", 1)[0], place, spec.content_blocks, spec.content_paragraphs
            )
            omit |= o
            paras += [i for i in p if i not in paras]
        out["notice_paragraphs"] = [spec.content_paragraphs[i] for i in paras]
        out["notice_omit"] = sorted(omit)
    return out
