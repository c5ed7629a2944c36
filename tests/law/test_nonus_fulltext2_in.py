"""India: DPDP Act s. 2(u), s. 8(6) and s. 17(1)-(5) compared with their text (with
DPDP Rules 2025 rule 7, compared earlier); each test cites its provision."""

from __future__ import annotations

from breachdesk.law.rules import RULES_DIR, SOURCE_ELEMENTS, load_file
from breachdesk.law.situation import Situation
from tests.law.builders import run, situation

AWARE = "2027-06-01T09:00:00+00:00"


def _in(**update: object) -> Situation:
    s = situation(
        {("IN", "shop-in"): 10},
        {"name", "email"},
        "technical-error",
        AWARE,
        "unlikely",
        {"shop-in": "IN"},
    )
    return Situation.model_validate({**s.model_dump(), **update}) if update else s


def test_in_rules_are_verified_once_the_act_is_read() -> None:
    """DPDP Act s. 2(u), s. 8(6) and s. 17 were read in full; rule 7 earlier."""
    for rule in load_file(RULES_DIR / "in.yaml").rules:
        assert rule.verified, rule.id
        assert {s.element for s in rule.sources} == set(SOURCE_ELEMENTS), rule.id


def test_in_any_breach_is_intimated_even_when_harm_is_unlikely() -> None:
    """DPDP Act s. 2(u), s. 8(6): every personal data breach, with no harm or size test; the
    Board and each affected Data Principal are told."""
    _, obs, _ = run(_in())
    assert {"IN/DPB-initial/shop-in", "IN/DPB-report/shop-in", "IN/individuals/shop-in"} <= set(obs)


def test_in_s17_5_notified_exemption_is_part_of_the_question() -> None:
    """DPDP Act s. 17(5): a notification may exempt a Data Fiduciary from any provision; the
    DPO's s. 17 question names it, and a yes stops all three intimations."""
    a, _, _ = run(_in())
    q = next(q for q in a.open_questions if q.id == "in-s17-exempt")
    assert "s. 17(5)" in q.question and q.citation.endswith("(2), (5)")
    _, obs, _ = run(_in(answers={"in-s17-exempt": True}))
    assert not [k for k in obs if k.startswith("IN/") and "register" not in k]
