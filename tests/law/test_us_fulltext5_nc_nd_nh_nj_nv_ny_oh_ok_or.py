"""North Carolina, North Dakota, New Hampshire, New Jersey, Nevada, New York, Ohio, Oklahoma and
Oregon rules re-checked on 2026-12-01. Only New York's text was reachable: N.Y. Gen. Bus. Law
§ 899-aa(2) and (8)(a) as amended by S2659-B (2024), § 899-aa(1)(b) as restated in A3812 (2023)
and amended by A4737-B (2024), and § 899-aa(7) as restated in A3913 (2023), all official bill
texts; each test cites the provision it checks. The other rules stay as they were, with notes
saying what was searched."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from breachdesk.law.engine import assess
from breachdesk.law.rules import RULES_DIR, SOURCE_ELEMENTS, load_file
from breachdesk.law.situation import Obligation, Situation
from tests.law.builders import by_key, situation

AWARE = "2026-05-04T15:00:00+00:00"
FILES = ["us-nc", "us-nd", "us-nh", "us-nj", "us-nv", "us-ny", "us-oh", "us-ok", "us-or"]


def sit(
    jurisdiction: str,
    count: int,
    elements: set[str],
    answers: dict[str, bool] | None = None,
    **flags: bool,
) -> Situation:
    """One US shop's residents; ``flags`` set encrypted, redacted, unusable or key_compromised;
    ``answers`` are the DPO's answers to unmodelled criteria."""
    base = situation(
        {(jurisdiction, "shop"): count}, elements, "attack", AWARE, "high", {"shop": "US"}
    )
    return base.model_copy(update={**flags, "answers": answers or {}})


def obligations(s: Situation) -> dict[str, Obligation]:
    return by_key(assess(s))


def ny_rule(rule_id: str):
    return next(r for r in load_file(RULES_DIR / "us-ny.yaml").rules if r.id == rule_id)


def test_ny_residents_within_thirty_days_of_discovery_899_aa_2() -> None:
    """§ 899-aa(2) as amended by S2659-B: 'provided that such notification shall be made within
    thirty days after the breach has been discovered, except for the legitimate needs of law
    enforcement' (the allowance for determining the scope of the breach was deleted)."""
    ob = obligations(sit("US-NY", 3, {"name", "ssn"}))["US-NY/individuals/shop"]
    assert ob.due_at == datetime.fromisoformat(AWARE) + timedelta(days=30)


def test_ny_online_credentials_need_no_name_899_aa_1_b_ii() -> None:
    """§ 899-aa(1)(b)(ii): 'a user name or e-mail address in combination with a password or
    security question and answer that would permit access to an online account' is private
    information on its own."""
    obs = obligations(sit("US-NY", 3, {"credentials"}))
    assert {"US-NY/individuals/shop", "US-NY/AG/shop"} <= set(obs)


def test_ny_encrypted_data_counts_when_the_key_was_taken_899_aa_1_b_i() -> None:
    """§ 899-aa(1)(b)(i): the data element counts when it 'is not encrypted, or is encrypted with
    an encryption key that has also been accessed or acquired'."""
    locked = sit("US-NY", 3, {"name", "ssn"}, encrypted=True)
    assert "US-NY/individuals/shop" not in obligations(locked)
    keyed = sit("US-NY", 3, {"name", "ssn"}, encrypted=True, key_compromised=True)
    assert "US-NY/individuals/shop" in obligations(keyed)


@pytest.mark.parametrize("element", ["biometric", "health", "drivers_license"])
def test_ny_private_information_elements_899_aa_1_b_i(element: str) -> None:
    """§ 899-aa(1)(b)(i)(2) licence or non-driver ID, (5) biometric information, and (6)-(7)
    medical and health insurance information added by A4737-B § 5, each with the person's
    identifying information."""
    assert "US-NY/individuals/shop" in obligations(sit("US-NY", 3, {"name", element}))


def test_ny_state_agencies_told_of_any_resident_notice_899_aa_8_a() -> None:
    """§ 899-aa(8)(a) as amended by S2659-B: 'In the event that any New York residents are to be
    notified', the attorney general, department of state, division of state police and DFS are
    told of the timing, content and distribution of the notices and the approximate number
    affected, with a copy of the template, 'without delaying notice to affected New York
    residents'."""
    ob = obligations(sit("US-NY", 1, {"name", "ssn"}))["US-NY/AG/shop"]
    for agency in ("Attorney General", "Department of State", "State Police", "DFS"):
        assert agency in ob.recipient
    assert any("template" in c for c in ob.content_elements)
    assert not ob.verified


def test_ny_cra_threshold_unchanged_and_still_uncompared_899_aa_8_b() -> None:
    """§ 899-aa(8)(b) (more than 5,000 residents) is not restated in any bill text read, so the
    CRA rule keeps its threshold and stays unverified."""
    assert "US-NY/CRA/shop" not in obligations(sit("US-NY", 5000, {"name", "ssn"}))
    assert "US-NY/CRA/shop" in obligations(sit("US-NY", 5001, {"name", "ssn"}))
    assert not ny_rule("us-ny-cra").verified


@pytest.mark.parametrize("rule_id", ["us-ny-individuals", "us-ny-ag"])
def test_ny_every_element_has_a_source_but_no_consolidated_text_was_read(rule_id: str) -> None:
    """Each element of the resident and agency rules was compared with § 899-aa text on
    2026-12-01 or 2026-11-30, but only piecewise (enacted and restating bills), and the 2025
    chapter amendment S804 on DFS notice was not read: the rules stay unverified and say so."""
    rule = ny_rule(rule_id)
    assert {s.element for s in rule.sources} == set(SOURCE_ELEMENTS)
    assert not rule.verified
    why = next(n for n in rule.notes if n.startswith("unverified:"))
    assert "S804" in why


@pytest.mark.parametrize("name", FILES)
def test_unverified_rules_say_what_was_searched_on_2026_12_01(name: str) -> None:
    """Every rule of these files is still unverified and its 'unverified:' note records the
    search of 2026-12-01 (so the docs table tells the DPO it was looked for again)."""
    for rule in load_file(RULES_DIR / f"{name}.yaml").rules:
        assert not rule.verified, rule.id
        why = next(n for n in rule.notes if n.startswith("unverified:"))
        assert "2026-12-01" in why, rule.id


def test_ok_ag_notes_flag_the_disagreeing_reports_of_sb_626() -> None:
    """24 O.S. § 163 as amended by SB 626 was not compared; the reports of its AG deadline and
    exemptions disagree, and the AG rule says so rather than choosing silently."""
    rule = next(r for r in load_file(RULES_DIR / "us-ok.yaml").rules if r.id == "us-ok-ag")
    assert any("disagree" in n and "Hospital Cybersecurity" in n for n in rule.notes)
