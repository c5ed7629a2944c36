"""Canada (PIPEDA) rules compared with the full text of PIPEDA ss. 2(1), 10.1-10.3 and the
Breach of Security Safeguards Regulations (SOR/2018-64); each test cites its provision."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from breachdesk.law.engine import assess
from breachdesk.law.rules import RULES_DIR, SOURCE_ELEMENTS, load_file
from breachdesk.law.situation import Assessment, Situation

AWARE = "2026-05-04T15:00:00+00:00"


def sit(count: int, elements: set[str], **kw: Any) -> Situation:
    data: dict[str, Any] = {
        "groups": [{"jurisdiction": "CA", "entity": "shop", "count": count}],
        "elements": elements,
        "cause": "attack",
        "became_aware_at": datetime.fromisoformat(AWARE),
        "risk": "high",
        "entities": {"shop": {"id": "shop", "legal_name": "Boutique Érable Inc.", "country": "CA"}},
    }
    data.update(kw)
    return Situation.model_validate(data)


def obligations(a: Assessment) -> dict[str, Any]:
    return {o.key: o for o in a.obligations}


def test_ca_rules_verified_with_a_source_for_each_element() -> None:
    """PIPEDA ss. 10.1-10.3 and SOR/2018-64 were read in full; every rule has six sources."""
    doc = load_file(RULES_DIR / "ca.yaml")
    assert {r.id for r in doc.rules} == {"ca-opc", "ca-individuals", "ca-other-orgs"}
    for rule in doc.rules:
        assert rule.verified, rule.id
        assert {s.element for s in rule.sources} == set(SOURCE_ELEMENTS), rule.id
        assert str(rule.last_verified) == "2026-11-30"


def test_ca_individual_notice_content_is_regulations_s3_without_complaint_process() -> None:
    """SOR/2018-64 s. 3(a)-(f): six items, including steps individuals can take (e) and
    contact information (f); it does not require the complaint-process paragraph."""
    ob = obligations(assess(sit(12, {"name", "email", "password"})))["CA/individuals/shop"]
    text = " ".join(ob.content_elements).lower()
    assert "steps affected individuals could take" in text
    assert "complain" not in text
    assert len(ob.content_elements) == 6


def test_ca_opc_report_lists_all_seven_items_of_regulations_s2() -> None:
    """SOR/2018-64 s. 2(1)(a)-(g): seven items, ending with a person who can answer the
    Commissioner's questions."""
    ob = obligations(assess(sit(12, {"name", "ssn"})))["CA/OPC/shop"]
    assert len(ob.content_elements) == 7
    assert "answer the commissioner" in " ".join(ob.content_elements).lower()


def test_ca_no_notice_below_real_risk_of_significant_harm() -> None:
    """PIPEDA s. 10.1(1), (3): only a real risk of significant harm triggers notice."""
    keys = set(obligations(assess(sit(5000, {"name", "email"}, risk="risk"))))
    assert {k for k in keys if k.startswith("CA/")} == {"CA/register/shop"}  # s. 10.3 record


def test_ca_other_organisations_clock_runs_from_determination() -> None:
    """PIPEDA s. 10.2(2): as soon as feasible after the organization determines that the
    breach has occurred (not after the notice to individuals)."""
    doc = load_file(RULES_DIR / "ca.yaml")
    rule = next(r for r in doc.rules if r.id == "ca-other-orgs")
    assert rule.deadline.clock == "determination"


def test_ca_other_organisations_depend_on_belief_and_the_answer_changes_the_result() -> None:
    """PIPEDA s. 10.2(1): other bodies are notified only if the organisation believes they
    may reduce or mitigate harm; breachdesk asks, and a yes to 'no such body' exempts."""
    a = assess(sit(12, {"name", "payment_card"}))
    assert "CA/orgs/shop" in obligations(a)
    assert "ca-no-org-can-reduce-harm" in {q.id for q in a.open_questions}
    a = assess(sit(12, {"name", "payment_card"}, answers={"ca-no-org-can-reduce-harm": True}))
    assert "CA/orgs/shop" not in obligations(a)
    assert "CA/individuals/shop" in obligations(a)
