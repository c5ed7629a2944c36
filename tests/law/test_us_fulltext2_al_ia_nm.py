"""Alabama, Iowa and New Mexico rules compared with the full texts (Ala. Code §§ 8-38-1 to -12;
Iowa Code §§ 715C.1, 715C.2; N.M. Stat. §§ 57-12C-1 to -12); each test cites the provision it
checks."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

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


@pytest.mark.parametrize("state", ["al", "ia", "nm"])
def test_rules_verified_with_a_source_for_each_element(state: str) -> None:
    """Every rule of these states was compared with the full text element by element."""
    for rule in load_file(RULES_DIR / f"us-{state}.yaml").rules:
        assert rule.verified, rule.id
        assert {s.element for s in rule.sources} == set(SOURCE_ELEMENTS), rule.id


def test_al_credentials_count_only_with_the_residents_name() -> None:
    """§ 8-38-2(6)a.6.: user name or e-mail with password is listed among the elements that
    count 'in combination with' the resident's first name or initial and last name."""
    assert "US-AL/individuals/shop" not in obligations(assess(sit("US-AL", 5, {"credentials"})))
    a = assess(sit("US-AL", 5, {"name", "credentials"}))
    assert "US-AL/individuals/shop" in obligations(a)


def test_al_truncated_data_counts_when_the_credential_was_breached_too() -> None:
    """§ 8-38-2(6)b.2.: truncated, encrypted or modified data is excluded unless the key or
    security credential that could make it readable was breached together with it."""
    assert "US-AL/individuals/shop" not in obligations(
        assess(sit("US-AL", 5, {"name", "ssn"}, redacted=True))
    )
    a = assess(sit("US-AL", 5, {"name", "ssn"}, redacted=True, key_compromised=True))
    assert "US-AL/individuals/shop" in obligations(a)


def test_al_attorney_general_over_1000_within_45_days() -> None:
    """§ 8-38-6(a): written notice when the number to notify 'exceeds 1,000', within 45 days."""
    assert "US-AL/AG/shop" not in obligations(assess(sit("US-AL", 1000, {"name", "health"})))
    ob = obligations(assess(sit("US-AL", 1001, {"name", "health"})))["US-AL/AG/shop"]
    assert ob.due_at is not None
    assert ob.due_at - datetime.fromisoformat(AWARE) <= timedelta(days=45)


def test_ia_redacted_data_counts_when_the_keys_were_obtained() -> None:
    """§ 715C.1(11)(a): redacted or otherwise altered data counts if 'the keys to unencrypt,
    unredact, or otherwise read the data elements have been obtained through the breach'."""
    for flag in ("redacted", "unusable"):
        assert "US-IA/individuals/shop" not in obligations(
            assess(sit("US-IA", 5, {"name", "ssn"}, **{flag: True}))
        ), flag
        a = assess(sit("US-IA", 5, {"name", "ssn"}, key_compromised=True, **{flag: True}))
        assert "US-IA/individuals/shop" in obligations(a), flag


def test_ia_attorney_general_over_500_within_five_business_days() -> None:
    """§ 715C.2(8): more than five hundred residents; within five business days after notice
    to any consumer."""
    assert "US-IA/AG/shop" not in obligations(assess(sit("US-IA", 500, {"name", "biometric"})))
    assert "US-IA/AG/shop" in obligations(assess(sit("US-IA", 501, {"name", "biometric"})))


def test_nm_glba_or_hipaa_entities_are_outside_the_act() -> None:
    """§ 57-12C-8: the Act does not apply to a person subject to GLBA or HIPAA."""
    a = assess(sit("US-NM", 2000, {"name", "ssn"}))
    assert "us-nm-glba-hipaa" in {q.id for q in a.open_questions}
    a = assess(sit("US-NM", 2000, {"name", "ssn"}, answers={"us-nm-glba-hipaa": True}))
    assert not {"US-NM/individuals/shop", "US-NM/AG/shop"} & set(obligations(a))


def test_nm_significant_risk_exception_is_cited_to_6b() -> None:
    """§ 57-12C-6(B): no resident notice if an investigation finds no significant risk of
    identity theft or fraud."""
    rule = next(r for r in load_file(RULES_DIR / "us-nm.yaml").rules if r.id == "us-nm-individuals")
    risk = next(u for u in rule.unmodelled if u.id == "us-nm-risk")
    assert risk.citation.endswith("57-12C-6(B)")


def test_nm_residents_within_45_days_and_ag_over_1000() -> None:
    """§ 57-12C-6(A): not later than 45 calendar days after discovery; § 57-12C-10: more than
    one thousand residents."""
    obs = obligations(assess(sit("US-NM", 1001, {"name", "government_id"})))
    assert obs["US-NM/individuals/shop"].due_at == datetime.fromisoformat(AWARE) + timedelta(
        days=45
    )
    assert {"US-NM/AG/shop", "US-NM/CRA/shop"} <= set(obs)
    assert "US-NM/AG/shop" not in obligations(assess(sit("US-NM", 1000, {"name", "government_id"})))
