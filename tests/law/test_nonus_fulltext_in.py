"""India: DPDP Rules 2025 rule 7 compared with its full text; each test cites its provision."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from breachdesk.law.engine import assess
from breachdesk.law.rules import RULES_DIR, load_file
from breachdesk.law.situation import Assessment, Situation

AWARE = "2027-06-01T04:30:00+00:00"


def sit(count: int, elements: set[str], **kw: Any) -> Situation:
    data: dict[str, Any] = {
        "groups": [{"jurisdiction": "IN", "entity": "shop", "count": count}],
        "elements": elements,
        "cause": "attack",
        "became_aware_at": datetime.fromisoformat(AWARE),
        "risk": "risk",
        "entities": {
            "shop": {"id": "shop", "legal_name": "Śrī Gaṇeśa Traders Pvt Ltd", "country": "IN"}
        },
    }
    data.update(kw)
    return Situation.model_validate(data)


def obligations(a: Assessment) -> dict[str, Any]:
    return {o.key: o for o in a.obligations}


def test_in_rules_are_verified_with_a_source_for_every_element() -> None:
    """DPDP Act ss. 2(u), 8(6), 17 and Rules 2025 rule 7 were compared in full on
    2026-12-01 (tests/law/test_nonus_fulltext2_in.py): every element has its source."""
    for rule in load_file(RULES_DIR / "in.yaml").rules:
        assert rule.verified, rule.id
        assert {s.element for s in rule.sources} >= {
            "definition",
            "exemptions",
            "threshold",
            "recipients",
            "deadline",
            "content",
        }


def test_in_every_breach_is_intimated_without_a_harm_threshold() -> None:
    """Rule 7(1), (2): on becoming aware of any personal data breach; one person, low risk."""
    keys = set(obligations(assess(sit(1, {"email"}))))
    assert {"IN/DPB-initial/shop", "IN/DPB-report/shop", "IN/individuals/shop"} <= keys


def test_in_board_report_due_72_hours_after_awareness() -> None:
    """Rule 7(2)(b): within seventy-two hours of becoming aware (Board may extend on request)."""
    ob = obligations(assess(sit(10, {"name", "email"})))["IN/DPB-report/shop"]
    assert ob.due_at == datetime.fromisoformat("2027-06-04T04:30:00+00:00")


def test_in_individual_intimation_has_the_five_items_of_rule_7_1() -> None:
    """Rule 7(1)(a)-(e): description, consequences, mitigation, safety measures, contact."""
    ob = obligations(assess(sit(10, {"name", "email"})))["IN/individuals/shop"]
    assert len(ob.content_elements) == 5
    assert "business contact information" in " ".join(ob.content_elements)


def test_in_rules_not_in_force_before_13_may_2027() -> None:
    """DPDP Rules 2025 rule 1(2)(c): rule 7 commences eighteen months after publication."""
    keys = set(
        obligations(
            assess(
                sit(
                    10,
                    {"name"},
                    became_aware_at=datetime.fromisoformat("2027-05-01T00:00:00+00:00"),
                )
            )
        )
    )
    assert not any(k.startswith("IN/") and "register" not in k for k in keys)


def test_in_section_17_purposes_exempt_every_intimation_when_answered_yes() -> None:
    """DPDP Act s. 17(1): Chapter II except s. 8(1), (5) does not apply to the listed
    purposes, so s. 8(6) intimations fall away; s. 17(2): the Act does not apply."""
    a = assess(sit(10, {"name", "email"}))
    assert "in-s17-exempt" in {q.id for q in a.open_questions}
    keys = set(obligations(assess(sit(10, {"name", "email"}, answers={"in-s17-exempt": True}))))
    assert not {"IN/DPB-initial/shop", "IN/DPB-report/shop", "IN/individuals/shop"} & keys
