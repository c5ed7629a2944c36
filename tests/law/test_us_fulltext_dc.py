"""District of Columbia rules compared with the full text of D.C. Code §§ 28-3851, 28-3852
(as amended by D.C. Law 23-98), from the Council's codified XML; each test cites its provision."""

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
            "groups": [{"jurisdiction": "US-DC", "entity": "shop", "count": count}],
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


def test_dc_rules_verified_with_a_source_for_each_element() -> None:
    """All three DC rules were compared with §§ 28-3851, 28-3852 element by element."""
    doc = load_file(RULES_DIR / "us-dc.yaml")
    for rule in doc.rules:
        assert rule.verified, rule.id
        assert {s.element for s in rule.sources} == set(SOURCE_ELEMENTS), rule.id
        assert str(rule.last_verified) == "2026-11-30"


def test_dc_redacted_data_is_not_covered_unless_protection_compromised() -> None:
    """§ 28-3851(1)(B)(ii): data rendered unusable 'including through encryption or redaction'
    is not a breach unless information obtained could compromise the protection."""
    assert "US-DC/individuals/shop" not in obligations(
        assess(sit(3, {"name", "ssn"}, redacted=True))
    )
    a = assess(sit(3, {"name", "ssn"}, redacted=True, key_compromised=True))
    assert "US-DC/individuals/shop" in obligations(a)


def test_dc_encrypted_data_with_key_compromised_is_covered() -> None:
    """§ 28-3851(1)(B)(ii): encryption exempts unless the protection can be defeated."""
    assert "US-DC/individuals/shop" not in obligations(
        assess(sit(3, {"name", "ssn"}, encrypted=True))
    )
    a = assess(sit(3, {"name", "ssn"}, encrypted=True, key_compromised=True))
    assert "US-DC/individuals/shop" in obligations(a)


def test_dc_other_personal_identifier_is_asked_and_the_answer_fires() -> None:
    """§ 28-3851(3)(A)(i): a listed element with 'any other personal identifier' (here an
    e-mail address with an SSN) is personal information; breachdesk asks, a yes fires."""
    a = assess(sit(3, {"email", "ssn"}))
    assert "US-DC/individuals/shop" not in obligations(a)
    assert "us-dc-other-identifier" in {q.id for q in a.open_questions}
    a = assess(sit(3, {"email", "ssn"}, answers={"us-dc-other-identifier": True}))
    assert "US-DC/individuals/shop" in obligations(a)


def test_dc_attorney_general_notice_no_later_than_residents_with_statutory_content() -> None:
    """§ 28-3852(b-1): written notice to the AG for 50 or more residents, no later than the
    notice to residents, listing cause, foreign country involvement and a sample notice."""
    ob = obligations(assess(sit(50, {"name", "health"})))["US-DC/AG/shop"]
    assert "before notifying" in ob.deadline_text
    text = " ".join(ob.content_elements)
    assert "foreign country involvement" in text
    assert "cause of the breach" in text
    assert "sample of the notice" in text
    assert "type of business" not in text  # not an item of § 28-3852(b-1)


def test_dc_resident_notice_content_and_cra_at_1001() -> None:
    """§ 28-3852(a-1): categories, contact, CRA numbers with the free security freeze, FTC and
    OAG; § 28-3852(c): consumer reporting agencies when more than 1,000 persons."""
    obs = obligations(assess(sit(1001, {"name", "passport"})))
    ind = obs["US-DC/individuals/shop"]
    assert {
        "data_types",
        "contact",
        "credit_agencies_contact",
        "security_freeze",
        "ftc_contact",
        "regulator_contact",
    } <= set(ind.content_required_ids)
    assert "US-DC/CRA/shop" in obs
    assert "US-DC/CRA/shop" not in obligations(assess(sit(1000, {"name", "passport"})))
