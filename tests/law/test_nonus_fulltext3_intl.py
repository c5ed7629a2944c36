"""United Kingdom (and the other rules of issue 11's third non-US pass: NZ, SG, AU, Quebec):
what was compared with primary text on 2026-12-01, and the answers that follow from it.
Each test cites its provision."""

from __future__ import annotations

from breachdesk.law.rules import RULES_DIR, SOURCE_ELEMENTS, load_file
from breachdesk.law.situation import Situation
from tests.law.builders import run, situation

AWARE = "2026-12-01T09:00:00+00:00"


def _gb(risk: str = "risk", elements: frozenset[str] = frozenset({"name", "email"})) -> Situation:
    return situation(
        {("GB", "shop-uk"): 40}, set(elements), "attack", AWARE, risk, {"shop-uk": "GB"}
    )


def test_gb_breach_is_reported_to_the_information_commission() -> None:
    """UK GDPR Art. 33(1) as amended by SI 2026/386 Sch. 3 para. 41(3), (4)(i): the controller
    notifies 'the Commission', i.e. the Information Commission (Art. 4(A2A); DPA 2018
    s. 114A, inserted by DUAA 2025 s. 117); the office of Information Commissioner is
    abolished (DUAA 2025 s. 118) and its functions transferred (s. 119), in force on
    30 September 2026. The body keeps the name ICO."""
    _, obs, _ = run(_gb())
    ico = obs["GB/ICO/shop-uk"]
    assert ico.recipient.startswith("Information Commission (the ICO;")
    assert "until 30 September 2026 the Information Commissioner's Office" in ico.recipient


def test_gb_deadline_and_trigger_unchanged_by_the_2025_act() -> None:
    """UK GDPR Art. 33(1): without undue delay and, where feasible, within 72 hours of
    awareness, unless the breach is unlikely to result in a risk; SI 2026/386 changes only
    the recipient's name (para. 41(3))."""
    _, obs, non = run(_gb())
    assert obs["GB/ICO/shop-uk"].due_at.isoformat() == "2026-12-04T09:00:00+00:00"
    _, obs, non = run(_gb(risk="unlikely"))
    assert "GB/ICO/shop-uk" not in obs and ("GB", "gb-ico") in non


def test_gb_rules_record_what_was_compared_and_stay_unverified() -> None:
    """Each element was compared with the EU GDPR text read with the UK amending provisions
    (SI 2019/419 Sch. 1 paras. 6, 27, 28; DUAA 2025 Sch. 11; SI 2026/386 Sch. 3 para. 41),
    but the consolidated UK GDPR was not seen: both rules keep verified: false."""
    doc = load_file(RULES_DIR / "gb.yaml")
    for rule in doc.rules:
        assert not rule.verified, rule.id
        assert {s.element for s in rule.sources} == set(SOURCE_ELEMENTS), rule.id
        assert rule.notes[0].startswith("unverified: the consolidated UK GDPR"), rule.id
    ico = next(r for r in doc.rules if r.id == "gb-ico")
    recipients = next(s for s in ico.sources if s.element == "recipients")
    assert recipients.url == "https://www.legislation.gov.uk/uksi/2026/386/made"
    pecr = next(n for n in ico.notes if "PECR" in n)
    assert "72 hours" in pecr and "24-hour limit" in pecr  # DUAA 2025 s. 111


def test_gb_regulator_notice_content_follows_art_33_3() -> None:
    """UK GDPR Art. 33(3)(a)-(d), unchanged by SI 2019/419 Sch. 1 para. 27: nature of the
    breach with categories and numbers, DPO contact, likely consequences, measures."""
    _, obs, _ = run(_gb())
    assert set(obs["GB/ICO/shop-uk"].content_required_ids) == {
        "breach_description",
        "data_types",
        "contact",
        "consequences",
        "measures",
    }


def test_gb_individuals_subsequent_measures_question_and_art_34_2_content() -> None:
    """UK GDPR Art. 34(3)(b): no communication once subsequent measures ensure the high risk
    is no longer likely to materialise (asked of the DPO; a yes exempts); Art. 34(2) with
    Art. 33(3)(b)-(d) gives the content; Art. 34(3)(a): encrypted data is exempt."""
    a, obs, _ = run(_gb(risk="high"))
    ind = obs["GB/individuals/shop-uk"]
    assert any(q.id == "gb-subsequent-measures" for q in a.open_questions)
    assert {"breach_description", "contact", "consequences", "measures"} <= set(
        ind.content_required_ids
    )
    s = _gb(risk="high")
    s = Situation.model_validate({**s.model_dump(), "answers": {"gb-subsequent-measures": True}})
    _, obs, non = run(s)
    assert "GB/individuals/shop-uk" not in obs and "GB/ICO/shop-uk" in obs
    assert ("GB", "gb-individuals") in non


def test_rules_whose_primary_text_was_not_reached_stay_unverified_and_say_what() -> None:
    """NZ Privacy Act 2020 ss. 112, 114-117; SG PDP (Notification of Data Breaches) Regs
    2021 regs. 5, 6 and Schedule Part 1 paras 1-5; AU Privacy Act 1988 ss. 26WE, 26WF;
    Quebec P-39.1 s. 3.5 and the Regulation respecting confidentiality incidents ss. 3-4
    were not found on 2026-12-01: each rule stays unverified and its note names them."""
    expect = {
        "nz": {"nz-opc": "114", "nz-individuals": "115"},
        "sg": {"sg-pdpc": "reg. 5", "sg-individuals": "reg. 6"},
        "au": {"au-oaic": "26WF", "au-individuals": "26WE"},
        "ca-qc": {"ca-qc-cai": "s. 3.5", "ca-qc-individuals": "s. 3.5"},
    }
    for stem, rules in expect.items():
        doc = load_file(RULES_DIR / f"{stem}.yaml")
        for rule in doc.rules:
            assert not rule.verified, rule.id
            note = next(n for n in rule.notes if n.startswith("unverified:"))
            assert rules[rule.id] in note and "2026-12-01" in note, rule.id
