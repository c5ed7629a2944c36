"""Hawaii rules compared with the full text of Haw. Rev. Stat. §§ 487N-1 and 487N-2 (as last
amended by L 2008, c 19); each test cites the provision it checks."""

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
            "groups": [{"jurisdiction": "US-HI", "entity": "shop", "count": count}],
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


def test_hi_rules_verified_with_a_source_for_each_element() -> None:
    """All three Hawaii rules were compared with §§ 487N-1, 487N-2 element by element."""
    for rule in load_file(RULES_DIR / "us-hi.yaml").rules:
        assert rule.verified, rule.id
        assert {s.element for s in rule.sources} == set(SOURCE_ELEMENTS), rule.id


def test_hi_key_defeats_encryption_but_not_redaction() -> None:
    """§ 487N-1 'security breach': encrypted data 'along with the confidential process or key'
    is a breach; redacted (unreadable or truncated to the last four digits) data is not."""
    key = {"key_compromised": True}
    assert "US-HI/individuals/shop" in obligations(
        assess(sit(3, {"name", "ssn"}, encrypted=True, **key))
    )
    assert "US-HI/individuals/shop" not in obligations(
        assess(sit(3, {"name", "ssn"}, redacted=True, **key))
    )


def test_hi_no_risk_of_harm_answer_exempts() -> None:
    """§ 487N-1: a security breach needs illegal use that has occurred or is reasonably likely
    and creates a risk of harm; a documented 'no' to that is the DPO's answer."""
    a = assess(sit(3, {"name", "drivers_license"}))
    assert "US-HI/individuals/shop" in obligations(a)
    assert "us-hi-no-risk-of-harm" in {q.id for q in a.open_questions}
    a = assess(sit(3, {"name", "drivers_license"}, answers={"us-hi-no-risk-of-harm": True}))
    assert "US-HI/individuals/shop" not in obligations(a)


def test_hi_notice_content_and_office_of_consumer_protection_above_1000() -> None:
    """§ 487N-2(d): incident in general terms, type of information, acts taken, telephone
    number, advice to stay vigilant; § 487N-2(f): consumer protection office and reporting
    agencies when 'more than one thousand persons at one time'."""
    obs = obligations(assess(sit(1001, {"name", "ssn"})))
    ind = obs["US-HI/individuals/shop"]
    assert {"breach_description", "data_types", "measures", "contact", "advice"} <= set(
        ind.content_required_ids
    )
    assert {"US-HI/OCP/shop", "US-HI/CRA/shop"} <= set(obs)
    assert not {"US-HI/OCP/shop", "US-HI/CRA/shop"} & set(
        obligations(assess(sit(1000, {"name", "ssn"})))
    )
