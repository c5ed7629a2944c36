"""Switzerland rules compared with the full text of FADP Art. 24 and DPO Art. 15; each test
cites its provision."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from breachdesk.law.engine import assess
from breachdesk.law.rules import RULES_DIR, SOURCE_ELEMENTS, load_file
from breachdesk.law.situation import Assessment, Situation

AWARE = "2026-05-04T15:00:00+00:00"


def sit(count: int, elements: set[str], **kw: Any) -> Situation:
    data: dict[str, Any] = {
        "groups": [{"jurisdiction": "CH", "entity": "shop", "count": count}],
        "elements": elements,
        "cause": "attack",
        "became_aware_at": datetime.fromisoformat(AWARE),
        "risk": "high",
        "entities": {"shop": {"id": "shop", "legal_name": "Müller & Söhne AG", "country": "CH"}},
    }
    data.update(kw)
    return Situation.model_validate(data)


def obligations(a: Assessment) -> dict[str, Any]:
    return {o.key: o for o in a.obligations}


def test_ch_rules_verified_with_a_source_for_each_element() -> None:
    """FADP Art. 24 and DPO Art. 15 were read in full; each rule has six sources."""
    doc = load_file(RULES_DIR / "ch.yaml")
    for rule in doc.rules:
        assert rule.verified, rule.id
        assert {s.element for s in rule.sources} == set(SOURCE_ELEMENTS), rule.id
    assert doc.record_keeping is not None and doc.record_keeping.verified


def test_ch_fdpic_report_lists_the_seven_items_of_dpo_art_15_1() -> None:
    """DPO Art. 15(1)(a)-(g): nature, time and duration, data, data subjects, consequences,
    measures, contact person."""
    ob = obligations(assess(sit(30, {"name", "health"})))["CH/FDPIC/shop"]
    assert len(ob.content_elements) == 7
    assert "contact person" in " ".join(ob.content_elements)


def test_ch_no_fdpic_report_below_high_risk() -> None:
    """FADP Art. 24(1): only a breach likely to result in a high risk is reported."""
    keys = set(obligations(assess(sit(30, {"name", "email"}, risk="risk"))))
    assert "CH/FDPIC/shop" not in keys


def test_ch_individuals_informed_below_high_risk_when_protection_requires_it() -> None:
    """FADP Art. 24(4): inform the data subject if required for their protection or if the
    FDPIC so requests; breachdesk asks, and a yes makes the duty fire."""
    a = assess(sit(30, {"name", "email", "password"}, risk="risk"))
    assert "CH/individuals/shop" not in obligations(a)
    assert "ch-inform-required" in {q.id for q in a.open_questions}
    a = assess(
        sit(30, {"name", "email", "password"}, risk="risk", answers={"ch-inform-required": True})
    )
    assert "CH/individuals/shop" in obligations(a)


def test_ch_individual_notice_has_no_statutory_deadline_and_the_dpo_minimum_content() -> None:
    """FADP Art. 24(4) sets no time limit (the 'as quickly as possible' of Art. 24(1) is for
    the FDPIC); DPO Art. 15(3): at least items (a) and (e)-(g) of Art. 15(1)."""
    ob = obligations(assess(sit(30, {"name", "health"})))["CH/individuals/shop"]
    assert "no time limit" in ob.deadline_text
    assert len(ob.content_elements) == 4


def test_ch_art_24_5_a_reason_dispenses_with_individual_information() -> None:
    """FADP Art. 24(5)(a): information may be limited, delayed or dispensed with for an
    Art. 26 reason or a statutory duty of confidentiality; the FDPIC report stays."""
    a = assess(sit(30, {"name", "health"}, answers={"ch-art24-5a": True}))
    keys = set(obligations(a))
    assert "CH/individuals/shop" not in keys
    assert "CH/FDPIC/shop" in keys
