"""South Carolina rules compared with the full text of S.C. Code § 39-1-90 (as amended by 2013
Act No. 15); each test cites the provision it checks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from breachdesk.law.engine import assess
from breachdesk.law.rules import RULES_DIR, SOURCE_ELEMENTS, load_file
from breachdesk.law.situation import Assessment, Situation

AWARE = "2026-05-04T15:00:00+00:00"


def sit(count: int, elements: set[str], **kw: Any) -> Situation:
    return Situation.model_validate(
        {
            "groups": [{"jurisdiction": "US-SC", "entity": "shop", "count": count}],
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


def test_sc_rules_verified_with_a_source_for_each_element() -> None:
    """All three South Carolina rules were compared with § 39-1-90 element by element."""
    for rule in load_file(RULES_DIR / "us-sc.yaml").rules:
        assert rule.verified, rule.id
        assert {s.element for s in rule.sources} == set(SOURCE_ELEMENTS), rule.id


def test_sc_glba_compliant_financial_institutions_are_outside_the_section() -> None:
    """§ 39-1-90(I): the section does not apply to a bank or financial institution subject to
    and in compliance with GLBA's privacy and security provisions."""
    a = assess(sit(2000, {"name", "ssn"}))
    assert "us-sc-glba" in {q.id for q in a.open_questions}
    assert {"US-SC/individuals/shop", "US-SC/SCDCA/shop", "US-SC/CRA/shop"} <= set(obligations(a))
    a = assess(sit(2000, {"name", "ssn"}, answers={"us-sc-glba": True}))
    assert not {"US-SC/individuals/shop", "US-SC/SCDCA/shop"} & set(obligations(a))


def test_sc_consumer_affairs_and_agencies_over_1000_persons_at_one_time() -> None:
    """§ 39-1-90(K): 'more than one thousand persons at one time' -> Consumer Protection
    Division and nationwide agencies, told the timing, distribution and content."""
    assert "US-SC/SCDCA/shop" not in obligations(assess(sit(1000, {"name", "ssn"})))
    ob = obligations(assess(sit(1001, {"name", "ssn"})))["US-SC/SCDCA/shop"]
    assert any("distribution" in c for c in ob.content_elements)


def test_sc_government_issued_unique_identifier_with_name_fires() -> None:
    """§ 39-1-90(D)(3)(d): numbers or information issued by a governmental or regulatory entity
    that uniquely identify an individual."""
    assert "US-SC/individuals/shop" in obligations(assess(sit(2, {"name", "passport"})))
