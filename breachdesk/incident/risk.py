"""The incident's risk: the law area's ENISA 2013 method fed from the incident.

Inputs come from the affected set (data elements, how many people), the cause
and the operator's answers (``--answer recipients=known`` ...); the incident's
``encrypted`` flag answers ``unintelligible``. Operators may
override DPC, EI, CB or the GDPR level; each override is stored with its reason
and audited, and the newest override per factor applies.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from pydantic import ValidationError
from sqlalchemy import select

from breachdesk.errors import UsageError
from breachdesk.incident.affected import AffectedCustomer, affected_customers
from breachdesk.incident.law_answers import key_compromised
from breachdesk.incident.lifecycle import get_incident, subject
from breachdesk.incident.situation import elements_of
from breachdesk.law.risk import RiskAnswers, RiskOverride, RiskResult, assess_risk
from breachdesk.law.situation import Cause, DataElement
from breachdesk.store import Store
from breachdesk.store.audit import record
from breachdesk.store.models.base import utcnow
from breachdesk.store.models.incidents import Incident
from breachdesk.store.models.incidents import RiskOverride as OverrideRow

LEVELS = ("unlikely", "risk", "high")
ANSWERS = frozenset(RiskAnswers.model_fields)
RANGES = {"dpc": (1.0, 4.0), "ei": (0.25, 1.0), "cb": (0.0, 2.0)}


def _answers(inc: Incident) -> RiskAnswers:
    given: dict[str, Any] = {k: v for k, v in (inc.risk_answers or {}).items() if k in ANSWERS}
    if inc.encrypted and not key_compromised(inc):
        given.setdefault("unintelligible", True)
    return RiskAnswers.model_validate(given)


def overrides(store: Store, incident_id: int) -> list[RiskOverride]:
    """The newest override per factor, oldest factor first."""
    with store.session() as s:
        rows = list(
            s.scalars(
                select(OverrideRow)
                .where(OverrideRow.incident_id == incident_id)
                .order_by(OverrideRow.id)
            )
        )
    latest: dict[str, OverrideRow] = {r.factor: r for r in rows}
    return [
        RiskOverride(
            field=cast(Any, r.factor),
            value=r.value if r.factor == "level" else float(r.value),
            reason=r.reason,
            by=r.actor,
            at=r.at,
        )
        for r in latest.values()
    ]


def current_risk(
    store: Store, incident_id: int, people: Sequence[AffectedCustomer] | None = None
) -> RiskResult:
    inc = get_incident(store, incident_id)
    people = affected_customers(store, incident_id) if people is None else people
    elements: set[DataElement] = set()
    for c in people:
        elements |= elements_of(c.fields)
    return assess_risk(
        elements,
        len(people),
        cast(Cause, inc.cause),
        _answers(inc),
        overrides(store, incident_id),
    )


def risk_summary(store: Store, incident_id: int) -> dict[str, Any]:
    """The risk as plain values for reports: factors, score, band, level, explanation."""
    r = current_risk(store, incident_id)
    lines = [
        f"DPC {r.dpc.value}: " + "; ".join(r.dpc.explanation),
        f"EI {r.ei.value}: " + "; ".join(r.ei.explanation),
        f"CB {r.cb.value}: " + "; ".join(r.cb.explanation),
        *r.level_explanation,
    ]
    return {
        "dpc": r.dpc.value,
        "ei": r.ei.value,
        "cb": r.cb.value,
        "score": r.se,
        "band": r.band,
        "level": r.level,
        "explanation": lines,
    }


def parse_override(text: str) -> tuple[str, str]:
    """``DPC=2`` -> ("dpc", "2"); ``level=high`` -> ("level", "high")."""
    if "=" not in text:
        raise UsageError(f"--override {text!r}: use FACTOR=VALUE, e.g. DPC=2 or level=high")
    name, value = (p.strip() for p in text.split("=", 1))
    factor = name.lower()
    if factor == "level":
        if value not in LEVELS:
            raise UsageError(f"--override {text!r}: level is one of {', '.join(LEVELS)}")
        return factor, value
    if factor not in RANGES:
        raise UsageError(f"--override {text!r}: factor is one of DPC, EI, CB, level")
    try:
        number = float(value)
    except ValueError:
        raise UsageError(f"--override {text!r}: {value!r} is not a number") from None
    lo, hi = RANGES[factor]
    if not lo <= number <= hi:
        raise UsageError(f"--override {text!r}: {factor.upper()} must be within {lo}-{hi}")
    return factor, str(number)


def add_overrides(
    store: Store, incident_id: int, pairs: Sequence[tuple[str, str]], reason: str, actor: str
) -> None:
    if len(reason.strip()) < 3:
        raise UsageError("--reason: an override needs a reason (3 characters or more)")
    before = current_risk(store, incident_id)
    now = utcnow()
    with store.session() as s:
        for factor, value in pairs:
            s.add(
                OverrideRow(
                    incident_id=incident_id,
                    factor=factor,
                    value=value,
                    reason=reason.strip(),
                    actor=actor,
                    at=now,
                )
            )
        record(
            s,
            actor,
            "risk.override",
            subject(incident_id),
            {
                "overrides": {f: v for f, v in pairs},
                "reason": reason.strip(),
                "before": {"se": before.se, "level": before.level},
            },
        )


def set_answers(store: Store, incident_id: int, given: Mapping[str, str], actor: str) -> None:
    """Store operator answers (``recipients=known``, ``malicious=false`` ...), validated."""
    with store.session() as s:
        inc = s.get(Incident, incident_id)
        if inc is None:
            raise UsageError(f"incident {incident_id}: no such incident")
        unknown = sorted(set(given) - ANSWERS)
        if unknown:
            raise UsageError(
                f"--answer {unknown[0]}: not a risk question; "
                f"use one of {', '.join(sorted(ANSWERS))}"
            )
        merged = {**(inc.risk_answers or {}), **_typed(given)}
        try:
            RiskAnswers.model_validate({k: v for k, v in merged.items() if k in ANSWERS})
        except ValidationError as exc:
            err = exc.errors()[0]
            raise UsageError(f"--answer {err['loc'][0]}: {err['msg']}") from None
        inc.risk_answers = merged
        record(s, actor, "risk.answers", subject(incident_id), {"answers": _typed(given)})


def _typed(given: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in given.items():
        low = v.strip().lower()
        if low in ("true", "yes"):
            out[k] = True
        elif low in ("false", "no"):
            out[k] = False
        elif low.isdigit():
            out[k] = int(low)
        else:
            out[k] = v.strip()
    return out
