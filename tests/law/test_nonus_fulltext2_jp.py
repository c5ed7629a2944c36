"""Japan: APPI Art. 26 and Enforcement Rules Arts. 7-10 compared with their full e-Gov text
(APPI revision 2026-07-17, Rules revision 2026-06-14); each test cites its provision."""

from __future__ import annotations

from datetime import timedelta

from breachdesk.law.engine import UNVERIFIED_NOTE
from breachdesk.law.rules import RULES_DIR, SOURCE_ELEMENTS, load_file
from breachdesk.law.situation import Situation
from tests.law.builders import run, situation, utc

AWARE = "2026-06-01T09:00:00+00:00"


def _jp(n: int, elements: set[str], cause: str, **update: object) -> Situation:
    s = situation({("JP", "shop-jp"): n}, elements, cause, AWARE, "risk", {"shop-jp": "JP"})
    return Situation.model_validate({**s.model_dump(), **update}) if update else s


def test_jp_rules_are_verified_with_a_source_per_element() -> None:
    """APPI Art. 26 and Rules Arts. 7-10 were read in full: every JP rule has six sources."""
    for rule in load_file(RULES_DIR / "jp.yaml").rules:
        assert rule.verified, rule.id
        assert {s.element for s in rule.sources} == set(SOURCE_ELEMENTS), rule.id
        assert not [n for n in rule.notes if n.startswith("unverified:")], rule.id


def test_jp_exactly_1000_persons_is_not_reportable_1001_is() -> None:
    """Rules Art. 7(iv): the number of persons must EXCEED 1,000; a name-and-email slip by
    error reaches no other item (no special-care data, no property risk, no wrongful act)."""
    _, obs, non = run(_jp(1000, {"name", "email"}, "technical-error"))
    assert "JP/PPC-preliminary/shop-jp" not in obs and "JP/individuals/shop-jp" not in obs
    assert ("JP", "jp-ppc-preliminary") in non
    _, obs, _ = run(_jp(1001, {"name", "email"}, "technical-error"))
    assert "JP/PPC-preliminary/shop-jp" in obs and "JP/individuals/shop-jp" in obs
    final = obs["JP/PPC-final/shop-jp"]
    assert final.due_at == utc(AWARE) + timedelta(days=30)


def test_jp_wrongful_purpose_has_60_days_for_the_final_report() -> None:
    """Rules Art. 8(2): 60 days where the situation falls under Art. 7(iii) (an act possibly
    done for a wrongful purpose), even for one person's special-care data."""
    _, obs, non = run(_jp(1, {"name", "health"}, "attack"))
    final = obs["JP/PPC-final/shop-jp"]
    assert final.rule_id == "jp-ppc-final-wrongful"
    assert final.due_at == utc(AWARE) + timedelta(days=60)
    assert ("JP", "jp-ppc-final") in non


def test_jp_report_and_notice_content_follow_rules_arts_8_and_10() -> None:
    """Rules Art. 8(1)(i)-(ix) for the report; Art. 10 limits the notice to the person to
    items (i), (ii), (iv), (v) and (ix)."""
    doc = load_file(RULES_DIR / "jp.yaml")
    rules = {r.id: r for r in doc.rules}
    assert len(rules["jp-ppc-preliminary"].content) == 9
    assert rules["jp-ppc-final"].content == rules["jp-ppc-preliminary"].content
    ind = rules["jp-individuals"].content
    assert len(ind) == 5 and not any("recurrence" in c or "announcement" in c for c in ind)


def test_jp_entrusted_business_that_notified_its_principal_reports_nothing() -> None:
    """APPI Art. 26(1) proviso and 26(2): an entrusted business that notified the entrusting
    business is exempt from the PPC report and the notice; unanswered, it is asked."""
    a, obs, _ = run(_jp(5000, {"name", "payment_card"}, "attack"))
    assert "JP/PPC-preliminary/shop-jp" in obs
    assert any(q.id == "jp-entrusted-notified" for q in a.open_questions)
    a, obs, non = run(
        _jp(5000, {"name", "payment_card"}, "attack", answers={"jp-entrusted-notified": True})
    )
    assert not [
        o
        for o in obs.values()
        if o.jurisdiction == "JP" and o.recipient_kind != "internal_register"
    ]
    assert "answered yes to jp-entrusted-notified" in non[("JP", "jp-ppc-preliminary")].reason


def test_unverified_rule_is_still_marked_new_zealand() -> None:
    """Issue 11, honest provenance: a rule not compared with its text (NZ Privacy Act 2020
    ss. 112-118 here) is marked on its obligation and carries the unverified note."""
    s = situation(
        {("NZ", "shop-nz"): 50}, {"name", "health"}, "attack", AWARE, "high", {"shop-nz": "NZ"}
    )
    _, obs, _ = run(s)
    opc = obs["NZ/OPC-NZ/shop-nz"]
    assert not opc.verified and UNVERIFIED_NOTE in opc.notes
