"""Pennsylvania, Puerto Rico, Rhode Island, South Dakota, Tennessee, Texas, Utah, Vermont,
Wisconsin, West Virginia, Wyoming, Alaska, Arkansas and Connecticut rules re-checked on
2026-12-01 (issue 11). Only the South Dakota attorney-general rule gained compared text: its
deadline now cites the 60-day sentence of S.D. Codified Laws § 22-40-20 (Justia copy, SL 2018,
ch 135). The others stay unverified, and their notes say what was searched and not found; each
test cites the provision or note it checks."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from breachdesk.law.engine import assess
from breachdesk.law.rules import RULES_DIR, SOURCE_ELEMENTS, load_file
from breachdesk.law.situation import Obligation, Situation
from tests.law.builders import by_key, situation

AWARE = "2026-05-04T15:00:00+00:00"
JUSTIA_SD = "saint1415/us-statutes/blob/7dd72f1b58b2cc6673f34861cdae4a4c09f4fc99/data/states/"


def sit(jurisdiction: str, count: int, elements: set[str], **flags: bool) -> Situation:
    """One US shop's residents, attacked, risk high, aware at AWARE; ``flags`` set the
    protection flags (encrypted, key_compromised, ...)."""
    base = situation(
        {(jurisdiction, "shop"): count}, elements, "attack", AWARE, "high", {"shop": "US"}
    )
    return base.model_copy(update=flags)


def obligations(s: Situation) -> dict[str, Obligation]:
    return by_key(assess(s))


def rule(state: str, rule_id: str) -> Any:
    return next(r for r in load_file(RULES_DIR / f"us-{state}.yaml").rules if r.id == rule_id)


def test_sd_ag_deadline_cites_the_sixty_day_sentence_of_22_40_20() -> None:
    """§ 22-40-20: 'A disclosure under this section shall be made not later than sixty days
    from the discovery or notification of the breach of system security'; the disclosure to the
    attorney general (second paragraph) is a disclosure under the same section and names no
    other time, so it is due 60 days after discovery, like the residents' notice."""
    ob = obligations(sit("US-SD", 251, {"name", "ssn"}))["US-SD/AG/shop"]
    assert ob.due_at == datetime.fromisoformat(AWARE) + timedelta(days=60)
    assert "a disclosure under this section" in ob.deadline_text
    residents = obligations(sit("US-SD", 251, {"name", "ssn"}))["US-SD/individuals/shop"]
    assert ob.due_at == residents.due_at


def test_sd_ag_every_element_has_the_justia_copy_of_2026_12_01() -> None:
    """§§ 22-40-19 to -26 (SL 2018, ch 135): the six elements of the AG rule are compared with
    the Justia copy stored in saint1415/us-statutes; the deadline source quotes § 22-40-20."""
    ag = rule("sd", "us-sd-ag")
    assert {s.element for s in ag.sources} == set(SOURCE_ELEMENTS)
    assert all(JUSTIA_SD + "south-dakota/" in s.url for s in ag.sources)
    assert all(str(s.compared) == "2026-12-01" for s in ag.sources)
    deadline = next(s for s in ag.sources if s.element == "deadline")
    assert "A disclosure under this section shall be made not later than sixty days" in (
        deadline.citation
    )


def test_sd_ag_stays_unverified_as_a_reading_of_this_section() -> None:
    """§ 22-40-20: that the 60 days reach the attorney general's disclosure is a construction
    of 'this section', so the rule keeps verified false with a note that says so; the
    threshold is unchanged ('exceeds two hundred fifty residents')."""
    ag = rule("sd", "us-sd-ag")
    assert not ag.verified
    note = next(n for n in ag.notes if n.startswith("unverified:"))
    assert "deadline" in note and "this section" in note
    assert "US-SD/AG/shop" not in obligations(sit("US-SD", 250, {"name", "ssn"}))
    assert "US-SD/AG/shop" in obligations(sit("US-SD", 251, {"name", "ssn"}))


RESEARCHED_2026_12_01 = [
    ("pa", "us-pa-individuals"),
    ("pa", "us-pa-ag"),
    ("pa", "us-pa-cra"),
    ("pr", "us-pr-individuals"),
    ("pr", "us-pr-daco"),
    ("ri", "us-ri-individuals"),
    ("tn", "us-tn-individuals"),
    ("tn", "us-tn-cra"),
    ("tx", "us-tx-individuals"),
    ("tx", "us-tx-cra"),
    ("ut", "us-ut-individuals"),
    ("ut", "us-ut-ag"),
    ("ut", "us-ut-cra"),
    ("vt", "us-vt-individuals"),
    ("vt", "us-vt-ag"),
    ("vt", "us-vt-cra"),
    ("wi", "us-wi-individuals"),
    ("wi", "us-wi-cra"),
    ("wv", "us-wv-individuals"),
    ("wv", "us-wv-cra"),
    ("wy", "us-wy-individuals"),
    ("ak", "us-ak-individuals"),
    ("ar", "us-ar-individuals"),
]


@pytest.mark.parametrize(("state", "rule_id"), RESEARCHED_2026_12_01)
def test_rules_without_a_reachable_text_stay_unverified_and_say_so(
    state: str, rule_id: str
) -> None:
    """The provisions named in each note (e.g. 73 P.S. § 2303 as amended by Act 33 of 2024,
    P.R. Laws tit. 10, § 4051, Tenn. Code § 47-18-2107, Tex. Bus. & Com. Code § 521.053(h),
    9 V.S.A. § 2430, Wis. Stat. § 134.98(2)(br), Alaska Stat. § 45.48.090(7)(B)) were searched
    again on 2026-12-01 and not found in full; the rule stays unverified and its note says
    where the search ended."""
    r = rule(state, rule_id)
    assert not r.verified
    note = " ".join(n for n in r.notes if n.startswith("unverified:") or "2026-12-01" in n)
    assert "2026-12-01" in note


def test_ct_stays_unverified_until_sb_117_is_settled() -> None:
    """Conn. Gen. Stat. § 36a-701b was compared through P.A. 23-98; S.B. 117 (2026) passed the
    Senate but no House vote or signature was found, so both rules keep verified false and
    name the bill."""
    for rule_id in ("us-ct-individuals", "us-ct-ag"):
        r = rule("ct", rule_id)
        assert not r.verified
        assert any("117" in n and "House" in n for n in r.notes)
