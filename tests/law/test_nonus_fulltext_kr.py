"""Korea: PIPC report exemption under PIPA Enforcement Decree Art. 40(1), proviso (as quoted
from law.go.kr; the rule stays unverified); each test cites its provision."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from breachdesk.law.engine import assess
from breachdesk.law.rules import RULES_DIR, load_file
from breachdesk.law.situation import Assessment, Situation

AWARE = "2026-10-12T01:00:00+00:00"


def sit(count: int, elements: set[str], **kw: Any) -> Situation:
    data: dict[str, Any] = {
        "groups": [{"jurisdiction": "KR", "entity": "shop", "count": count}],
        "elements": elements,
        "cause": "attack",
        "became_aware_at": datetime.fromisoformat(AWARE),
        "risk": "high",
        "entities": {"shop": {"id": "shop", "legal_name": "김씨상회 주식회사", "country": "KR"}},
    }
    data.update(kw)
    return Situation.model_validate(data)


def obligations(a: Assessment) -> dict[str, Any]:
    return {o.key: o for o in a.obligations}


def test_kr_rules_are_verified_with_a_source_for_every_element() -> None:
    """PIPA Art. 34 and Decree Arts. 39-40 were compared in full on 2026-12-01
    (tests/law/test_nonus_fulltext2_kr.py): every element has its source."""
    six = {"definition", "exemptions", "threshold", "recipients", "deadline", "content"}
    for rule in load_file(RULES_DIR / "kr.yaml").rules:
        assert rule.verified, rule.id
        assert {s.element for s in rule.sources} >= six


def test_kr_external_attack_reports_to_pipc_whatever_the_count() -> None:
    """Decree Art. 40(1) item 3: unlawful external access, no head-count threshold."""
    assert "KR/PIPC/shop" in obligations(assess(sit(3, {"name", "email"})))


def test_kr_retrieved_and_deleted_data_may_skip_the_pipc_report_not_the_data_subjects() -> None:
    """Decree Art. 40(1) proviso: the report may be omitted where retrieval or deletion has
    significantly lowered the possibility of infringement; PIPA Art. 34(1) notice to data
    subjects is unaffected."""
    a = assess(sit(1500, {"name", "email"}))
    assert "kr-retrieved-deleted" in {q.id for q in a.open_questions}
    keys = set(
        obligations(assess(sit(1500, {"name", "email"}, answers={"kr-retrieved-deleted": True})))
    )
    assert "KR/PIPC/shop" not in keys
    assert "KR/individuals/shop" in keys
