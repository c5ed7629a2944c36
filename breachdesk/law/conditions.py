"""Exemptions and unmodelled criteria: the parts of a rule decided by inputs, not triggers.

An exemption (encryption, redaction, unusable data, a harm threshold) applies from the
situation's flags and is always explained, applied or not. An unmodelled criterion is a
yes/no question for the DPO (Brazil's "large scale"): unanswered, it is listed next to
the rule; answered, it makes the rule fire (``if_yes: fires``) or stops it
(``if_yes: exempt``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from breachdesk.law.rules import Exemption, Rule, Unmodelled
from breachdesk.law.situation import RISK_ORDER, Situation

_FLAG = {"encryption": "encrypted", "redaction": "redacted", "unusable": "unusable"}
_WORD = {"encryption": "encrypted", "redaction": "redacted", "unusable": "unreadable or unusable"}


def exemption_outcome(ex: Exemption, s: Situation) -> tuple[bool, str]:
    """(applies, explanation) for one exemption of a rule."""
    head = f"{ex.kind} exemption ({ex.citation}): {ex.explain}"
    if ex.kind == "harm_threshold":
        if s.risk == "unlikely":
            return True, f"{head}; applied: harm was assessed as unlikely"
        return False, f"{head}; not applied: risk assessed as '{s.risk}', not 'unlikely'"
    word = _WORD[ex.kind]
    if not getattr(s, _FLAG[ex.kind]):
        return False, f"{head}; not applied: the data was not {word}"
    if s.key_compromised and ex.defeated_by_key_compromise:
        return False, (
            f"{head}; not applied: the data was {word} but the key (or means to read it) "
            "was also compromised"
        )
    if s.key_compromised:
        return True, f"{head}; applied: the data was {word} (a compromised key does not defeat it)"
    return True, f"{head}; applied: the data was {word} and the key was not compromised"


def apply_exemptions(rule: Rule, s: Situation) -> tuple[str | None, list[str]]:
    """The reason the rule is exempt (None if not), and the explanation of each exemption."""
    notes: list[str] = []
    for ex in rule.exemptions:
        applies, text = exemption_outcome(ex, s)
        if applies:
            return text, [text]
        notes.append(text)
    return None, notes


def _counts(u: Unmodelled, s: Situation) -> bool:
    return u.min_risk is None or RISK_ORDER[s.risk] >= RISK_ORDER[u.min_risk]


def _yes(u: Unmodelled) -> str:
    return f"the DPO answered yes to {u.id}: {u.criterion} ({u.citation})"


@dataclass
class CriteriaOutcome:
    """What the unmodelled criteria of one rule decided."""

    fired_by: Unmodelled | None = None
    exempted_by: Unmodelled | None = None
    questions: list[Unmodelled] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def criteria_that_fire(rule: Rule, s: Situation) -> CriteriaOutcome:
    """For a rule whose triggers did not match: does a yes answer make it fire?"""
    out = CriteriaOutcome()
    for u in rule.unmodelled:
        if u.if_yes != "fires":
            continue
        if not _counts(u, s):
            out.notes.append(
                f"{u.id} ({u.criterion}) counts only at risk '{u.min_risk}' or above; "
                f"risk is '{s.risk}'"
            )
            continue
        answer = s.answers.get(u.id)
        if answer is True:
            out.fired_by = u
            out.notes.append(f"due because {_yes(u)}")
            return out
        if answer is False:
            out.notes.append(f"the DPO answered no to {u.id} ({u.criterion})")
        else:
            out.questions.append(u)
    return out


def criteria_that_exempt(rule: Rule, s: Situation) -> CriteriaOutcome:
    """For a rule that would fire: does a yes answer stop it?"""
    out = CriteriaOutcome()
    for u in rule.unmodelled:
        if u.if_yes != "exempt":
            continue
        answer = s.answers.get(u.id)
        if answer is True:
            out.exempted_by = u
            out.notes.append(f"not due because {_yes(u)}")
            return out
        if answer is False:
            out.notes.append(f"the DPO answered no to {u.id} ({u.criterion})")
        else:
            out.questions.append(u)
    return out
