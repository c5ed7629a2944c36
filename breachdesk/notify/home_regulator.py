"""Was the regulator of the customer's own country (or state) told, and if not, why not?

Read from the obligations the law engine persisted (``IncidentFacts.regulators``); when
no regulator obligation covers the customer, the law engine's own decision
(:func:`breachdesk.law.decision.decide`) is taken for the regulator rules of the
customer's place with the incident's inputs, and its cause named in plain words: an
exemption (encryption, a harm threshold), the data involved, the risk, a residents
threshold. Where a rule would fire, or waits on a question to the DPO, nothing is
claimed: the notice says the assessment is still open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import ValidationError

from breachdesk.law.conditions import exemption_outcome
from breachdesk.law.decision import decide
from breachdesk.law.engine import default_rulebook
from breachdesk.law.rules import JurisdictionRules, Rule
from breachdesk.law.situation import RISK_ORDER, Situation
from breachdesk.notify.facts import IncidentFacts, RegulatorFact

Kind = Literal["informed", "informing", "lead", "not_required", "unknown"]
Reason = Literal["encrypted", "data", "risk", "high_risk", "threshold", "other"]
_REASON_ORDER: tuple[Reason, ...] = (
    "encrypted",
    "data",
    "risk",
    "high_risk",
    "threshold",
    "other",
)


@dataclass(frozen=True)
class HomeRegulator:
    kind: Kind
    place: str  # ISO code of the customer's place the statement is about
    authority: str = ""  # lookup key for the localised name: "US-CA/AG" or "ICO"
    short: str = ""
    done: bool = False
    done_at: datetime | None = None
    reason: Reason | None = None
    at_least: int = 0  # the residents threshold, for reason "threshold"


def _key(fact_or_place: str, short: str) -> str:
    return f"{fact_or_place}/{short}" if short else ""


def _mine(facts: IncidentFacts, entity: str) -> list[RegulatorFact]:
    return [r for r in facts.regulators if r.entity in (None, entity)]


def _situation(facts: IncidentFacts) -> Situation:
    return Situation(
        groups=[],
        elements=facts.elements,
        cause=facts.cause,
        became_aware_at=facts.became_aware_at,
        risk=facts.risk,
        encrypted=facts.encrypted,
        key_compromised=facts.key_compromised,
        answers=dict(facts.answers),
    )


def _trigger_reason(rule: Rule, facts: IncidentFacts, n: int) -> tuple[Reason, int]:
    """Which condition kept the rule's triggers from matching, most telling first."""
    found: list[tuple[Reason, int]] = []
    for t in rule.triggers:
        if t.elements_any_of is not None and not any(
            set(c) <= facts.elements for c in t.elements_any_of
        ):
            found.append(("data", 0))
        elif t.min_risk is not None and RISK_ORDER.get(facts.risk, 0) < RISK_ORDER[t.min_risk]:
            found.append(("high_risk" if t.min_risk == "high" else "risk", 0))
        elif t.threshold is not None and not t.threshold.met(n):
            at_least = t.threshold.count + (1 if t.threshold.op == ">" else 0)
            found.append(("threshold", at_least))
        else:
            found.append(("other", 0))
    return min(found, key=lambda r: _REASON_ORDER.index(r[0]))


def _rule_reason(
    rule: Rule, jr: JurisdictionRules, facts: IncidentFacts, n: int
) -> tuple[Reason, int] | None:
    """Why ``rule`` does not fire for these inputs; None when it fires or when the
    answer waits on a question to the DPO (nothing may then be claimed)."""
    if rule.requires is not None:  # e.g. the AG hears only when residents are notified
        first = next((r for r in jr.rules if r.id == rule.requires), None)
        why = _rule_reason(first, jr, facts, n) if first is not None else None
        if why is not None:
            return why
    try:
        s = _situation(facts)
    except ValidationError:  # no risk level or elements known yet: nothing to explain
        return None
    d = decide(rule, jr, s, n)
    if d.reason is None or d.questions:
        return None
    for ex in rule.exemptions:
        if exemption_outcome(ex, s)[0]:
            kind: Reason = {"encryption": "encrypted", "harm_threshold": "risk"}.get(
                ex.kind, "other"
            )  # type: ignore[assignment]
            return kind, 0
    return _trigger_reason(rule, facts, n)


def _authority_short(jr: JurisdictionRules, rule: Rule, place: str, home: str) -> str:
    if jr.routing == "one_stop_shop":
        code = home if home in jr.covers else place.split("-", 1)[0]
        auth = jr.authorities.get(code)
        return auth.short if auth else ""
    return rule.short or ""


def home_regulator(
    facts: IncidentFacts, country: str, subdivision: str | None, entity: str, entity_country: str
) -> HomeRegulator:
    """The statement about the regulator of the customer's place."""
    places = [p for p in (subdivision, country) if p]
    mine = _mine(facts, entity)
    # 1. a regulator of the customer's own place (state first, then country)
    for place in places:
        own = [r for r in mine if r.jurisdiction == place]
        own.sort(key=lambda r: (r.kind != "regulator", not r.done))
        if own:
            r = own[0]
            return HomeRegulator(
                "informed" if r.done else "informing",
                place,
                _key(r.jurisdiction, r.short),
                r.short,
                r.done,
                r.done_at,
            )
    # 2. GDPR one-stop-shop: the entity's lead authority covers the customer's country
    for r in mine:
        if r.oss_covers and country in r.oss_covers and r.jurisdiction == entity_country:
            return HomeRegulator(
                "lead", country, _key(r.jurisdiction, r.short), r.short, r.done, r.done_at
            )
    # 3. nobody told: why not, from the rules of the customer's place
    book = default_rulebook()
    place = places[0] if places else country
    files = book.for_code(place)
    if not files:
        return HomeRegulator("unknown", place)
    best: HomeRegulator | None = None
    would_fire = False
    for jr in files:
        n = facts.count(place if place in jr.covers else country, entity)
        for rule in jr.rules:
            if rule.recipient_kind not in ("regulator", "attorney_general"):
                continue
            why = _rule_reason(rule, jr, facts, n)
            if why is None:  # would fire: the assessment is out of date or pending
                would_fire = True
                continue
            short = _authority_short(jr, rule, place, entity_country)
            code = jr.jurisdiction if jr.jurisdiction != "EU" else country
            found = HomeRegulator(
                "not_required",
                place,
                _key(code, short),
                short,
                reason=why[0],
                at_least=why[1],
            )
            if best is None or _REASON_ORDER.index(why[0]) < _REASON_ORDER.index(
                best.reason or "other"
            ):
                best = found
    if would_fire or best is None:  # not assessed (or out of date): say so, claim nothing
        return HomeRegulator("unknown", place)
    return best
