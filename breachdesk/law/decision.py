"""Whether one rule fires for one group of residents, and if not, why not.

Order: the rule's effective date, its exemptions (applied from the situation's inputs),
its triggers, unmodelled criteria that make it fire, then criteria that stop it. The
:class:`Decision` carries the reason (None when the rule fires), the explanation of
each exemption and the questions left for the DPO.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import get_args

from breachdesk.law.conditions import apply_exemptions, criteria_that_exempt, criteria_that_fire
from breachdesk.law.rules import JurisdictionRules, Rule, Trigger, Unmodelled
from breachdesk.law.situation import RISK_ORDER, DataElement, Situation

_ELEMENT_ORDER = {e: i for i, e in enumerate(get_args(DataElement))}


def _elements_text(situation: Situation) -> str:
    ordered = sorted(situation.elements, key=_ELEMENT_ORDER.__getitem__)
    return " + ".join(ordered) or "no data elements"


def _trigger_failure(t: Trigger, jr: JurisdictionRules, s: Situation, n: int) -> str | None:
    """None when the trigger matches, else why it does not."""
    if _elements_fail(t, s):
        if jr.definition is not None:
            return (
                f'{_elements_text(s)} alone is not "{jr.definition.term}" under '
                f"{jr.definition.citation}"
            )
        combos = "; ".join(" + ".join(c) for c in t.elements_any_of or [])
        return f"{_elements_text(s)} matches none of: {combos}"
    if t.min_risk is not None and RISK_ORDER[s.risk] < RISK_ORDER[t.min_risk]:
        return f"risk assessed as '{s.risk}', the rule needs at least '{t.min_risk}'"
    if t.causes is not None and s.cause not in t.causes:
        return f"cause '{s.cause}' is not one of {', '.join(t.causes)}"
    if t.threshold is not None and not t.threshold.met(n):
        return f"{n:,} residents, the rule needs {t.threshold.text()}"
    return None


def _trigger_reason(rule: Rule, jr: JurisdictionRules, s: Situation, n: int) -> str | None:
    """None when a trigger matches, else why none does."""
    failures = []
    for t in rule.triggers:
        reason = _trigger_failure(t, jr, s, n)
        if reason is None:
            return None
        failures.append((t, reason))
    if len(failures) == 1:
        t, reason = failures[0]
        return f"{t.when}: {reason}"
    if all(_elements_fail(t, s) for t, _ in failures) and jr.definition is None:
        combos = [" + ".join(c) for t, _ in failures for c in t.elements_any_of or []]
        return (
            f"{_elements_text(s)} includes none of the data that counts here: {'; '.join(combos)}"
        )
    return "none applies: " + " | ".join(f"{t.when}: {reason}" for t, reason in failures)


@dataclass
class Decision:
    reason: str | None  # None: the rule fires
    notes: list[str] = field(default_factory=list)
    exemptions: list[str] = field(default_factory=list)
    questions: list[Unmodelled] = field(default_factory=list)


def _ask(questions: list[Unmodelled]) -> str:
    """Short pointer to the questions table (the full question is printed there)."""
    return "; ".join(f"open question {u.id}: {u.criterion}" for u in questions)


def decide(rule: Rule, jr: JurisdictionRules, s: Situation, n: int) -> Decision:
    """Exemptions, then triggers, then unmodelled criteria that fire, then criteria that
    exempt; every step that mattered is explained."""
    if rule.effective_from is not None and s.became_aware_at.date() < rule.effective_from:
        return Decision(f"not in force for breaches known before {rule.effective_from.isoformat()}")
    exempt, explained = apply_exemptions(rule, s)
    if exempt is not None:
        return Decision(exempt, exemptions=explained)
    notes: list[str] = []
    reason = _trigger_reason(rule, jr, s, n)
    if reason is not None:
        fire = criteria_that_fire(rule, s)
        if fire.fired_by is None:
            extra = [*fire.notes, _ask(fire.questions)] if fire.questions else fire.notes
            text = "; ".join([reason, *(e for e in extra if e)])
            return Decision(text, questions=fire.questions)
        notes.extend(fire.notes)
    stop = criteria_that_exempt(rule, s)
    if stop.exempted_by is not None:
        return Decision("; ".join(stop.notes), exemptions=explained)
    notes.extend(stop.notes)
    if stop.questions:
        notes.append(_ask(stop.questions) + " (a yes means this notice is not due)")
    return Decision(None, notes, explained, stop.questions)


def _elements_fail(t: Trigger, s: Situation) -> bool:
    return t.elements_any_of is not None and not any(
        set(c) <= s.elements for c in t.elements_any_of
    )
