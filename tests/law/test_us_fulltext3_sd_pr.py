"""South Dakota and Puerto Rico rules compared with full texts on 2026-12-01 (S.D. Codified
Laws §§ 22-40-19 to -26 as enacted by SL 2018, ch 135; P.R. Laws tit. 10, §§ 4052-4053); each
test cites the provision it checks."""

from __future__ import annotations

from typing import Any

from breachdesk.law.engine import assess
from breachdesk.law.rules import RULES_DIR, SOURCE_ELEMENTS, load_file
from breachdesk.law.situation import Situation
from tests.law.builders import by_key as obligations
from tests.law.builders import situation

AWARE = "2026-05-04T15:00:00+00:00"


def sit(jurisdiction: str, count: int, elements: set[str], **kw: bool) -> Situation:
    """An attack on shop (US), risk high, aware at AWARE; ``kw`` sets the protection flags."""
    s = situation(
        {(jurisdiction, "shop"): count}, elements, "attack", AWARE, "high", {"shop": "US"}
    )
    return s.model_copy(update=kw)


def rule(state: str, rule_id: str) -> Any:
    return next(r for r in load_file(RULES_DIR / f"us-{state}.yaml").rules if r.id == rule_id)


def test_sd_reporting_agency_rule_cites_22_40_24_and_is_verified() -> None:
    """§ 22-40-24 is the reporting-agency notice; § 22-40-23 (cited before) is the
    own-policy compliance rule. Every element of the rule was compared with the text."""
    cra = rule("sd", "us-sd-cra")
    assert cra.citation == "S.D. Codified Laws § 22-40-24"
    assert cra.verified
    assert {s.element for s in cra.sources} == set(SOURCE_ELEMENTS)
    assert all("22-40-23" not in s.citation for s in cra.sources)


def test_sd_reporting_agencies_are_told_whatever_the_number() -> None:
    """§ 22-40-24: 'If an information holder discovers circumstances that require
    notification pursuant to § 22-40-20' it also notifies the nationwide agencies; no
    minimum number of residents."""
    ob = obligations(assess(sit("US-SD", 1, {"name", "ssn"})))["US-SD/CRA/shop"]
    assert ob.verified
    assert any("timing, distribution and content" in c for c in ob.content_elements)


def test_sd_no_agency_notice_when_the_residents_need_none() -> None:
    """§ 22-40-19(1): acquiring encrypted data is a breach only with the key, so with no
    resident notice under § 22-40-20 there is no § 22-40-24 notice either."""
    a = assess(sit("US-SD", 5000, {"name", "ssn"}, encrypted=True))
    assert "US-SD/CRA/shop" not in obligations(a)
    a = assess(sit("US-SD", 5000, {"name", "ssn"}, encrypted=True, key_compromised=True))
    assert "US-SD/CRA/shop" in obligations(a)


def test_sd_attorney_general_only_deadline_left_uncompared() -> None:
    """§ 22-40-20 sets no time for the disclosure to the Attorney General; definition,
    exemptions and content now have compared sources, so only the deadline is missing."""
    ag = rule("sd", "us-sd-ag")
    assert not ag.verified
    assert {s.element for s in ag.sources} == set(SOURCE_ELEMENTS)
    assert any(n.startswith("unverified:") and "deadline" in n for n in ag.notes)
    assert "US-SD/AG/shop" not in obligations(assess(sit("US-SD", 250, {"name", "ssn"})))
    assert "US-SD/AG/shop" in obligations(assess(sit("US-SD", 251, {"name", "ssn"})))


def test_pr_content_compared_with_4053_definition_still_open() -> None:
    """§ 4053: the notice describes the breach in general terms and the type of sensitive
    information compromised, with a toll free number and an Internet site. § 4051 (the
    definition) was not reached, so the rule stays unverified for that element alone."""
    pr = rule("pr", "us-pr-individuals")
    assert not pr.verified
    assert {s.element for s in pr.sources} == set(SOURCE_ELEMENTS) - {"definition"}
    ob = obligations(assess(sit("US-PR", 3, {"name", "ssn"})))["US-PR/individuals/shop"]
    text = " ".join(ob.content_elements)
    assert "general terms" in text
    assert "sensitive information" in text
    assert "toll-free number" in text


def test_sd_data_otherwise_made_unusable_is_not_personal_information() -> None:
    """§ 22-40-19(4): personal information 'does not include ... information that has been
    redacted, or otherwise made unusable' (the rule had redaction only)."""
    assert "US-SD/individuals/shop" in obligations(assess(sit("US-SD", 3, {"name", "ssn"})))
    for flag in ("redacted", "unusable"):
        a = assess(sit("US-SD", 3, {"name", "ssn"}, **{flag: True}))
        assert "US-SD/individuals/shop" not in obligations(a), flag
    assert rule("sd", "us-sd-individuals").verified
