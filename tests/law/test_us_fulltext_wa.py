"""Washington rules compared with the full text of RCW 19.255.005-.040 (as last amended by
2019 c 241); each test cites the provision it checks."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from breachdesk.law.engine import assess
from breachdesk.law.rules import RULES_DIR, SOURCE_ELEMENTS, load_file
from breachdesk.law.situation import Assessment, Situation

AWARE = "2026-05-04T15:00:00+00:00"


def sit(count: int, elements: set[str], **kw: Any) -> Situation:
    return Situation.model_validate(
        {
            "groups": [{"jurisdiction": "US-WA", "entity": "shop", "count": count}],
            "elements": elements,
            "cause": "attack",
            "became_aware_at": datetime.fromisoformat(AWARE),
            "risk": "high",
            "entities": {"shop": {"id": "shop", "legal_name": "Shop Ltd", "country": "US"}},
            **kw,
        }
    )


def obligations(a: Assessment) -> dict[str, Any]:
    return {o.key: o for o in a.obligations}


def test_wa_rules_verified_with_a_source_for_each_element() -> None:
    """Both WA rules were compared with §§ 19.255.005, 19.255.010 element by element."""
    for rule in load_file(RULES_DIR / "us-wa.yaml").rules:
        assert rule.verified, rule.id
        assert {s.element for s in rule.sources} == set(SOURCE_ELEMENTS), rule.id


def test_wa_redacted_or_unusable_data_is_secured_unless_the_means_to_decipher_was_taken() -> None:
    """§ 19.255.005(3): 'secured' includes data otherwise modified so it is unreadable or
    unusable; § 19.255.010(1): it must be disclosed if the means to decipher was acquired."""
    for flag in ("redacted", "unusable"):
        assert "US-WA/individuals/shop" not in obligations(
            assess(sit(3, {"name", "ssn"}, **{flag: True}))
        ), flag
        a = assess(sit(3, {"name", "ssn"}, key_compromised=True, **{flag: True}))
        assert "US-WA/individuals/shop" in obligations(a), flag


def test_wa_elements_without_name_are_asked_and_a_yes_fires() -> None:
    """§ 19.255.005(2)(a)(iii): listed elements without the name count if they would enable
    identity theft; breachdesk asks and a yes makes the resident notice due."""
    a = assess(sit(3, {"ssn", "date_of_birth"}))
    assert "US-WA/individuals/shop" not in obligations(a)
    assert "us-wa-without-name" in {q.id for q in a.open_questions}
    a = assess(sit(3, {"ssn", "date_of_birth"}, answers={"us-wa-without-name": True}))
    assert "US-WA/individuals/shop" in obligations(a)


def test_wa_attorney_general_over_500_within_30_days_of_discovery() -> None:
    """§ 19.255.010(7): 'more than five hundred Washington residents', no more than thirty
    days after the breach was discovered; (7)(a) lists a summary of containment steps."""
    assert "US-WA/AG/shop" not in obligations(assess(sit(500, {"name", "ssn"})))
    ob = obligations(assess(sit(501, {"name", "ssn"})))["US-WA/AG/shop"]
    assert ob.due_at == datetime.fromisoformat(AWARE) + timedelta(days=30)
    assert any("contain the breach" in c for c in ob.content_elements)
    assert "measures" in ob.content_required_ids
