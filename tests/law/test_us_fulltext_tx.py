"""Texas attorney-general rule compared with § 521.053(i)-(j) as amended by SB 768 (2023,
enrolled text); each test cites the provision it checks."""

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
            "groups": [{"jurisdiction": "US-TX", "entity": "shop", "count": count}],
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


def test_tx_ag_rule_verified_with_sb_768_sources() -> None:
    """The AG rule has a compared source for each element; threshold, deadline and content
    cite the enrolled text of SB 768 (2023)."""
    rule = next(r for r in load_file(RULES_DIR / "us-tx.yaml").rules if r.id == "us-tx-ag")
    assert rule.verified
    assert {s.element for s in rule.sources} == set(SOURCE_ELEMENTS)
    assert all("SB 768" in s.citation for s in rule.sources if s.element == "deadline")


def test_tx_ag_at_least_250_within_30_days_of_determination() -> None:
    """§ 521.053(i): 'at least 250 residents', 'not later than the 30th day after the date on
    which the person determines that the breach occurred', on the AG's electronic form."""
    assert "US-TX/AG/shop" not in obligations(assess(sit(249, {"name", "ssn"})))
    ob = obligations(assess(sit(250, {"name", "ssn"})))["US-TX/AG/shop"]
    assert ob.verified
    assert ob.due_at == datetime.fromisoformat(AWARE) + timedelta(days=30)
    assert any("electronically" in c for c in ob.content_elements)
    assert any("law enforcement" in c for c in ob.content_elements)


def test_tx_encrypted_data_without_key_is_not_notified_to_the_ag() -> None:
    """§ 521.053(a): encrypted data is breached only if the person accessing it has the key;
    without the resident notice the AG notice (§ 521.053(i)) is not due either."""
    assert "US-TX/AG/shop" not in obligations(assess(sit(300, {"name", "ssn"}, encrypted=True)))
    a = assess(sit(300, {"name", "ssn"}, encrypted=True, key_compromised=True))
    assert "US-TX/AG/shop" in obligations(a)
