"""Australia: notice to individuals compared with the full text of Privacy Act 1988 (Cth)
s. 26WL (AustLII and ATO copies); each test cites its provision."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from breachdesk.law.engine import assess
from breachdesk.law.rules import RULES_DIR, load_file
from breachdesk.law.situation import Assessment, Situation

AWARE = "2026-05-04T15:00:00+00:00"


def sit(count: int, elements: set[str], **kw: Any) -> Situation:
    data: dict[str, Any] = {
        "groups": [{"jurisdiction": "AU", "entity": "shop", "count": count}],
        "elements": elements,
        "cause": "attack",
        "became_aware_at": datetime.fromisoformat(AWARE),
        "risk": "high",
        "entities": {"shop": {"id": "shop", "legal_name": "Ngā Shop Pty Ltd", "country": "AU"}},
    }
    data.update(kw)
    return Situation.model_validate(data)


def obligations(a: Assessment) -> dict[str, Any]:
    return {o.key: o for o in a.obligations}


def test_au_individual_rule_sources_and_honest_status() -> None:
    """s. 26WL compared (threshold, recipients, deadline, content); s. 26WE and s. 26WF were
    not read, so the rule must stay unverified."""
    doc = load_file(RULES_DIR / "au.yaml")
    rule = next(r for r in doc.rules if r.id == "au-individuals")
    assert {s.element for s in rule.sources} == {"threshold", "recipients", "deadline", "content"}
    assert not rule.verified


def test_au_individuals_notified_after_the_statement_with_its_contents() -> None:
    """s. 26WL(2), (3): notify the contents of the s. 26WK statement as soon as practicable
    after preparing it; the statement lists contact, description, kinds of information and
    recommended steps (s. 26WK(3)(a)-(d))."""
    ob = obligations(assess(sit(12, {"name", "financial_account"})))["AU/individuals/shop"]
    assert "26WK statement" in ob.deadline_text
    assert not ob.verified


def test_au_no_individual_notice_below_serious_harm() -> None:
    """s. 26WL(1) applies only to an eligible data breach (likely serious harm, s. 26WG)."""
    keys = set(obligations(assess(sit(12, {"name", "email"}, risk="risk"))))
    assert "AU/individuals/shop" not in keys
