"""The obligations engine: a :class:`Situation` in, an explained :class:`Assessment` out.

Routing: each affected group is notified by the entity that holds its accounts; the
regulator follows that entity's establishment (GDPR one-stop shop: an EU-established
controller tells the lead SA of its main establishment about all EU residents; a
controller outside the EU tells every SA where subjects live). Every rule that does
not fire for a group with residents becomes a :class:`NonObligation` with its reason.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache

import pycountry

from breachdesk.law import deadlines
from breachdesk.law.decision import Decision, decide
from breachdesk.law.register import register_obligations
from breachdesk.law.rules import (
    RELATIVE_CLOCKS,
    Authority,
    JurisdictionRules,
    Rule,
    RuleBook,
    load_rulebook,
)
from breachdesk.law.rules import (
    UNVERIFIED_NOTE as UNVERIFIED_NOTE,
)
from breachdesk.law.situation import (
    Assessment,
    EntityEstablishment,
    NonObligation,
    Obligation,
    OpenQuestion,
    Situation,
    UnknownJurisdiction,
)


@lru_cache(maxsize=1)
def default_rulebook() -> RuleBook:
    return load_rulebook()


@dataclass
class _Target:
    """One evaluation: residents of ``code`` held by ``entity``, under ``jr``."""

    jr: JurisdictionRules
    code: str
    entity: str
    residents: int
    authority: Authority | None = None
    notes: list[str] = field(default_factory=list)
    kinds: frozenset[str] | None = None  # restrict to these recipient kinds


_NOT_ISO = {"UK": "GB", "EL": "GR"}


def _code_problem(code: str) -> str | None:
    if code in _NOT_ISO:
        return f"{code} is not an ISO 3166-1 code; use {_NOT_ISO[code]}"
    if "-" in code:
        if pycountry.subdivisions.get(code=code) is None:  # type: ignore[no-untyped-call]
            return f"{code} is not an ISO 3166-2 subdivision code"
        return None
    if pycountry.countries.get(alpha_2=code) is None:
        return f"{code} is not an ISO 3166-1 alpha-2 country code"
    return None


def _no_rules_reason(code: str) -> str:
    if code == "US":
        return "US residents without a state: the 50 state laws differ; give ISO 3166-2 (US-CA)"
    return f"no rules file covers {code}; take legal advice for these residents"


def _establishment(situation: Situation, entity: str) -> EntityEstablishment:
    return situation.entities.get(entity) or EntityEstablishment(
        id=entity, legal_name=entity, country=""
    )


def _targets(situation: Situation, rb: RuleBook) -> tuple[list[_Target], list[UnknownJurisdiction]]:
    """Group residents per (file, code the file covers, entity, authority).

    Subdivisions are summed into their country for country-level files (one OPC notice
    for CA-ON + CA-QC); GDPR regulator notices go to the lead SA when the entity is
    established in the regime, else to the SA of each residence country.
    """
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for g in situation.groups:
        counts[(g.jurisdiction, g.entity)] += g.count
    unknown: list[UnknownJurisdiction] = []
    merged: dict[tuple[str, str, str, str, str], list[tuple[str, int]]] = defaultdict(list)
    by_id = {jr.jurisdiction: jr for jr in rb.files.values()}
    for (code, entity), n in sorted(counts.items()):
        if n == 0:
            continue
        problem = _code_problem(code)
        files = [] if problem else rb.for_code(code)
        if problem or not files:
            reason = problem or _no_rules_reason(code)
            unknown.append(UnknownJurisdiction(jurisdiction=code, residents=n, reason=reason))
            continue
        for jr in files:
            target = code if code in jr.covers else code.split("-", 1)[0]
            if jr.routing != "one_stop_shop":
                merged[(jr.jurisdiction, target, entity, "", "all")].append((code, n))
                continue
            home = _establishment(situation, entity).country
            if home in jr.covers:
                merged[(jr.jurisdiction, home, entity, home, "regulator")].append((code, n))
                merged[(jr.jurisdiction, target, entity, "", "others")].append((code, n))
            else:
                merged[(jr.jurisdiction, target, entity, target, "all")].append((code, n))
    targets: list[_Target] = []
    for (jid, target, entity, authority, kinds), parts in merged.items():
        jr = by_id[jid]
        notes: list[str] = []
        if len(parts) > 1 or parts[0][0] != target:
            notes.append("residents: " + ", ".join(f"{c} {n:,}" for c, n in parts))
        home = _establishment(situation, entity).country
        if kinds == "regulator":
            notes.insert(
                0,
                f"lead supervisory authority of {entity}'s main establishment "
                f"({home}) for all {jr.name} residents (Art. 56)",
            )
        elif authority:
            why = (
                f"{entity} has no establishment in {jr.name}"
                if home
                else (f"establishment of {entity} not given")
            )
            notes.append(
                f"{why}: notify every SA where subjects live (EDPB Guidelines 9/2022 v2.0 para 73)"
            )
        targets.append(
            _Target(
                jr,
                target,
                entity,
                sum(n for _, n in parts),
                jr.authorities[authority] if authority else None,
                notes,
                {"regulator": _REGULATOR_ONLY, "others": _NOT_REGULATOR}.get(kinds),
            )
        )
    return targets, unknown


_REGULATOR_ONLY = frozenset({"regulator"})
_NOT_REGULATOR = frozenset(
    {"attorney_general", "individuals", "credit_reporting_agencies", "other_agency"}
)


def _due(
    rule: Rule, s: Situation, tz: str, cal: str | None, fired: dict[str, Obligation]
) -> tuple[datetime | None, str, list[str]]:
    d = rule.deadline
    notes: list[str] = []
    standard = f"{d.standard}" if d.standard else ""
    if d.clock in RELATIVE_CLOCKS:
        prior = fired.get(rule.requires or "")
        base = prior.due_at if prior else None
        whom = prior.recipient if prior else "the required notice"
        if d.clock == "before_individual_notice":
            return base, f"before notifying {whom}", notes
        if d.amount is None or d.unit is None:
            return base, standard, notes
        text = f"{deadlines.unit_text(d.amount, d.unit)} after notifying {whom}"
        if base is None:
            return None, text, notes
        notes.append(f"due time assumes {whom} are notified at their own deadline")
        return deadlines.add(base, d.amount, d.unit, tz, cal), text, notes
    if d.clock != "awareness":
        notes.append(
            f"the clock starts at {d.clock}; taken as the awareness time, recompute if later"
        )
    if d.amount is None or d.unit is None:
        return None, f"{standard} (from {d.clock})", notes
    span = f"{deadlines.unit_text(d.amount, d.unit)} after {d.clock}"
    text = f"{standard}; at the latest {span}" if standard else span
    return deadlines.add(s.became_aware_at, d.amount, d.unit, tz, cal), text, notes


def _questions(t: _Target, rule: Rule, d: Decision) -> list[OpenQuestion]:
    recipient = (
        t.authority.name if t.authority and rule.recipient_kind == "regulator" else rule.recipient
    )
    return [
        OpenQuestion(
            id=u.id,
            jurisdiction=t.code,
            entity=t.entity,
            rule_id=rule.id,
            recipient=recipient,
            criterion=u.criterion,
            question=u.question,
            citation=u.citation,
            if_yes=u.if_yes,
            effect=(
                f"yes: {recipient} must be notified"
                if u.if_yes == "fires"
                else f"yes: no notice to {recipient} is due"
            )
            + (f" (if risk is at least '{u.min_risk}')" if u.min_risk else ""),
        )
        for u in d.questions
    ]


def _evaluate(
    t: _Target,
    s: Situation,
    obligations: list[Obligation],
    non: list[NonObligation],
    questions: list[OpenQuestion],
) -> None:
    jr = t.jr
    fired: dict[str, Obligation] = {}
    for rule in jr.rules:
        if t.kinds is not None and rule.recipient_kind not in t.kinds:
            continue
        d = decide(rule, jr, s, t.residents)
        reason = d.reason
        if reason is None and rule.requires is not None and rule.requires not in fired:
            reason = f"depends on rule {rule.requires}, which is not due"
            d = Decision(reason)
        questions.extend(_questions(t, rule, d))
        if reason is not None:
            non.append(
                NonObligation(
                    jurisdiction=t.code,
                    entity=t.entity,
                    residents=t.residents,
                    reason=reason,
                    rule_id=rule.id,
                    citation=rule.citation,
                    verified=rule.verified,
                )
            )
            continue
        tz = t.authority.timezone if t.authority else jr.timezone
        cal = (t.authority.holidays if t.authority else None) or jr.holidays or t.code
        recipient = (
            t.authority.name
            if t.authority and rule.recipient_kind == "regulator"
            else rule.recipient
        )
        short = (
            t.authority.short if t.authority and rule.recipient_kind == "regulator" else rule.short
        )
        due_at, text, due_notes = _due(rule, s, tz, cal, fired)
        notes = [*t.notes, *d.notes, *rule.notes, *due_notes]
        if not rule.verified:
            notes.append(UNVERIFIED_NOTE)
        ob = Obligation(
            key=f"{t.code}/{short or rule.recipient_kind}/{t.entity}",
            recipient_kind=rule.recipient_kind,
            recipient=recipient,
            jurisdiction=t.code,
            entity=t.entity,
            residents=t.residents,
            due_at=due_at,
            timezone=tz,
            deadline_text=text,
            rule_id=rule.id,
            citation=rule.citation,
            last_verified=rule.last_verified,
            verified=rule.verified,
            notes=notes,
            content_elements=list(rule.content),
            content_required_ids=list(rule.content_required_ids),
            content_forbidden=list(rule.content_forbidden),
            exemptions=d.exemptions,
        )
        fired[rule.id] = ob
        obligations.append(ob)


def assess(situation: Situation, rulebook: RuleBook | None = None) -> Assessment:
    """Every obligation, every explained non-obligation, every unknown jurisdiction."""
    rb = rulebook or default_rulebook()
    targets, unknown = _targets(situation, rb)
    obligations: list[Obligation] = []
    non: list[NonObligation] = []
    questions: list[OpenQuestion] = []
    for t in targets:
        _evaluate(t, situation, obligations, non, questions)
    obligations.extend(register_obligations(situation, rb, targets_files(targets)))
    obligations = _unique_keys(obligations)
    obligations.sort(key=lambda o: (o.due_at or datetime.max.replace(tzinfo=UTC), o.key))
    return Assessment(
        situation=situation,
        obligations=obligations,
        non_obligations=non,
        unknown=unknown,
        open_questions=questions,
    )


def _unique_keys(obligations: list[Obligation]) -> list[Obligation]:
    """Two rules of one file that share a short name both fired: tell them apart by rule id."""
    counts: dict[str, int] = defaultdict(int)
    for o in obligations:
        counts[o.key] += 1
    return [
        o.model_copy(update={"key": f"{o.key}#{o.rule_id}"}) if counts[o.key] > 1 else o
        for o in obligations
    ]


def targets_files(targets: list[_Target]) -> dict[str, list[JurisdictionRules]]:
    """Per entity, the jurisdiction files that applied to its residents."""
    out: dict[str, list[JurisdictionRules]] = defaultdict(list)
    for t in targets:
        if t.jr not in out[t.entity]:
            out[t.entity].append(t.jr)
    return out
