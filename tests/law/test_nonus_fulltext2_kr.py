"""South Korea: PIPA Art. 34 (as amended 2026-03-10) and Enforcement Decree Arts. 39-40 (as
amended 2026-09-10) compared with the law.go.kr text; each test cites its provision."""

from __future__ import annotations

from datetime import timedelta

from breachdesk.law.rules import RULES_DIR, SOURCE_ELEMENTS, load_file
from breachdesk.law.situation import Situation
from tests.law.builders import run, situation, utc

AWARE = "2026-10-05T01:00:00+00:00"


def _kr(n: int, elements: set[str], cause: str = "attack", **update: object) -> Situation:
    s = situation({("KR", "shop"): n}, elements, cause, AWARE, "risk", {"shop": "KR"})
    return Situation.model_validate({**s.model_dump(), **update}) if update else s


def test_kr_rules_are_verified_with_a_source_per_element() -> None:
    """PIPA Art. 34 and Decree Arts. 39-40 were read in full."""
    for rule in load_file(RULES_DIR / "kr.yaml").rules:
        assert rule.verified and {s.element for s in rule.sources} == set(SOURCE_ELEMENTS)


def test_kr_notice_names_the_data_subjects_legal_rights() -> None:
    """PIPA Art. 34(1)(6) (added 2026-03-10): the notice also states the rights to damages,
    statutory damages and dispute mediation and how to exercise them."""
    rule = next(r for r in load_file(RULES_DIR / "kr.yaml").rules if r.id == "kr-individuals")
    assert any("Art. 34(1)(6)" in c and "dispute mediation" in c for c in rule.content)


def test_kr_insider_leak_of_contact_data_is_not_external_access() -> None:
    """Decree Art. 40(1)(3) covers unlawful access from outside only: an insider leak of 999
    people's names and emails is no PIPC report, but the data subjects are told within 72
    hours (Art. 34(1); Decree Art. 39(1))."""
    _, obs, _ = run(_kr(999, {"name", "email"}, cause="insider"))
    assert "KR/PIPC/shop" not in obs
    ind = obs["KR/individuals/shop"]
    assert ind.due_at == utc(AWARE) + timedelta(hours=72)


def test_kr_pseudonymised_data_is_outside_the_notice_but_not_the_report() -> None:
    """PIPA Art. 28-7: pseudonymised information is excluded from Art. 34(1) and (2) only; the
    Art. 34(4) report for 1,000 or more data subjects still applies."""
    _, obs, _ = run(_kr(1000, {"name", "email"}, answers={"kr-pseudonymised": True}))
    assert "KR/individuals/shop" not in obs
    assert "KR/PIPC/shop" in obs
