"""Connecticut and Delaware rules compared with the full texts (Conn. Gen. Stat. § 36a-701b as
amended through P.A. 23-98; Del. Code tit. 6, §§ 12B-101 to -104); each test cites the provision
it checks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from breachdesk.law.engine import assess
from breachdesk.law.rules import RULES_DIR, SOURCE_ELEMENTS, load_file
from breachdesk.law.situation import Assessment, Situation

AWARE = "2026-05-04T15:00:00+00:00"


def sit(jurisdiction: str, count: int, elements: set[str], **kw: Any) -> Situation:
    return Situation.model_validate(
        {
            "groups": [{"jurisdiction": jurisdiction, "entity": "shop", "count": count}],
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


def test_de_rules_verified_with_a_source_for_each_element() -> None:
    """Both Delaware rules were compared with §§ 12B-101 to 12B-104 element by element."""
    for rule in load_file(RULES_DIR / "us-de.yaml").rules:
        assert rule.verified, rule.id
        assert {s.element for s in rule.sources} == set(SOURCE_ELEMENTS), rule.id


def test_ct_stays_unverified_but_records_the_full_text_compared() -> None:
    """§ 36a-701b was read in full as amended through P.A. 23-98; a 2026 amending bill was not."""
    for rule in load_file(RULES_DIR / "us-ct.yaml").rules:
        assert not rule.verified, rule.id
        assert {s.element for s in rule.sources} == set(SOURCE_ELEMENTS), rule.id
        assert any("not compared" in n for n in rule.notes), rule.id


def test_de_credentials_count_only_with_the_residents_name() -> None:
    """§ 12B-101(7)a.5.: user name or e-mail with password is one of the data elements that
    count 'in combination with' the resident's first name or initial and last name."""
    assert "US-DE/individuals/shop" not in obligations(assess(sit("US-DE", 5, {"credentials"})))
    assert "US-DE/individuals/shop" in obligations(assess(sit("US-DE", 5, {"name", "credentials"})))


def test_de_attorney_general_over_500_and_ssn_notice_offers_credit_monitoring() -> None:
    """§ 12B-102(d): Attorney General when the residents to notify exceed 500; § 12B-102(e):
    one year of credit monitoring and credit-freeze information if an SSN was breached."""
    assert "US-DE/AG/shop" not in obligations(assess(sit("US-DE", 500, {"name", "ssn"})))
    obs = obligations(assess(sit("US-DE", 501, {"name", "ssn"})))
    assert "US-DE/AG/shop" in obs
    content = " ".join(obs["US-DE/individuals/shop"].content_elements)
    assert "credit monitoring" in content and "credit freeze" in content


def test_ct_harm_exception_no_longer_needs_law_enforcement_consultation() -> None:
    """§ 36a-701b(b)(1) as amended by P.A. 21-59: 'after an appropriate investigation the
    person reasonably determines that the breach will not likely result in harm'."""
    rule = next(r for r in load_file(RULES_DIR / "us-ct.yaml").rules if r.id == "us-ct-individuals")
    q = next(u for u in rule.unmodelled if u.id == "us-ct-no-harm")
    assert "law enforcement" not in q.question
    a = assess(sit("US-CT", 5, {"name", "ssn"}, answers={"us-ct-no-harm": True}))
    assert "US-CT/individuals/shop" not in obligations(a)


def test_ct_ssn_notice_offers_two_years_of_services_and_freeze_information() -> None:
    """§ 36a-701b(b)(2)(B): identity theft prevention services for not less than two years and
    information on how to place a credit freeze."""
    ob = obligations(assess(sit("US-CT", 5, {"name", "ssn"})))["US-CT/individuals/shop"]
    content = " ".join(ob.content_elements)
    assert "two years" in content and "credit freeze" in content
