"""ENISA 2013 severity: SE = DPC x EI + CB, each input explained, overrides recorded."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from breachdesk.law.risk import RiskAnswers, RiskOverride, assess_risk, band_of
from breachdesk.law.situation import DataElement

ELEMENTS: tuple[DataElement, ...] = (
    "name",
    "email",
    "phone",
    "postal_address",
    "date_of_birth",
    "username",
    "password",
    "credentials",
    "security_qa",
    "government_id",
    "ssn",
    "drivers_license",
    "passport",
    "financial_account",
    "payment_card",
    "health",
    "biometric",
    "precise_location",
    "children",
    "other_sensitive",
)


def test_enisa_worked_example_name_and_email_published_by_an_attacker() -> None:
    r = assess_risk(["name", "email"], 10, "attack", RiskAnswers(recipients="unknown"))
    assert (r.dpc.value, r.ei.value, r.cb.value, r.se, r.band) == (1, 1, 1.0, 2.0, "medium")
    assert r.level == "risk"
    assert r.dpc.explanation == ["base 1: name is simple data"]
    assert r.cb.explanation == [
        "+0.5: loss of confidentiality, unknown recipients (answered)",
        "+0.0: loss of integrity: none",
        "+0.0: loss of availability: none",
        "+0.5: malicious intent: yes (derived from cause 'attack')",
    ]


@pytest.mark.parametrize(
    ("se", "band"),
    [
        (1.99, "low"),
        (2.0, "medium"),
        (2.99, "medium"),
        (3.0, "high"),
        (3.99, "high"),
        (4.0, "very high"),
    ],
)
def test_band_boundaries(se: float, band: str) -> None:
    assert band_of(se) == band


def test_health_data_with_identity_is_high() -> None:
    r = assess_risk(["name", "date_of_birth", "health"], 40, "attack")
    assert (r.dpc.value, r.ei.value) == (4, 1.0)
    assert (r.se, r.band, r.level) == (5.0, "very high", "high")


def test_children_raise_dpc_and_public_data_lowers_it() -> None:
    r = assess_risk(["name", "email", "children"], 5, "technical-error")
    assert r.dpc.value == 2 and "+1: vulnerable data subjects" in r.dpc.explanation[1]
    r = assess_risk(["name", "email"], 5, "technical-error", RiskAnswers(data_public=True))
    assert r.dpc.value == 1 and r.dpc.explanation[-1] == "kept within 1-4: 1"


def test_unintelligible_data_is_unlikely() -> None:
    r = assess_risk(["username", "password"], 50_000, "attack", RiskAnswers(unintelligible=True))
    assert r.level == "unlikely"
    assert "unintelligible" in r.level_explanation[-1]


def test_large_scale_raises_unlikely_to_risk_at_the_configured_count() -> None:
    below = assess_risk(["email"], 999, "technical-error", RiskAnswers(recipients="known"))
    at = assess_risk(["email"], 1000, "technical-error", RiskAnswers(recipients="known"))
    assert (below.level, at.level) == ("unlikely", "risk")
    own = assess_risk(["email"], 300, "technical-error", RiskAnswers(large_scale_at=250))
    assert own.level == "risk"


def test_overrides_replace_values_and_are_recorded_with_reasons() -> None:
    o1 = RiskOverride(field="ei", value=0.25, reason="addresses are role accounts", by="dpo")
    o2 = RiskOverride(field="cb", value=1.5, reason="data was sold on a forum")
    r = assess_risk(["name", "email"], 10, "insider", overrides=[o1, o2])
    assert r.ei.value == 0.25 and r.cb.value == 1.5
    assert r.ei.explanation[-1] == "overridden 1.0 -> 0.25: addresses are role accounts"
    assert r.se == 1 * 0.25 + 1.5 and r.band == "low"
    assert r.overrides == [o1, o2]


def test_bad_overrides_are_refused() -> None:
    with pytest.raises(ValidationError):
        RiskOverride(field="se", value=3, reason="no such field")
    with pytest.raises(ValidationError):
        RiskOverride(field="level", value="high", reason="")
    with pytest.raises(ValueError, match=r"needs unlikely\|risk\|high"):
        assess_risk(
            ["email"],
            1,
            "attack",
            overrides=[RiskOverride(field="level", value=2.0, reason="a number")],
        )


@given(
    st.sets(st.sampled_from(ELEMENTS), max_size=6),
    st.integers(min_value=0, max_value=10**7),
    st.sampled_from(["technical-error", "insider", "attack", "unknown"]),
)
def test_score_is_within_the_method_bounds(els: set[DataElement], n: int, cause: str) -> None:
    r = assess_risk(els, n, cause)  # type: ignore[arg-type]
    assert 1 <= r.dpc.value <= 4
    assert r.ei.value in (0.25, 0.5, 0.75, 1.0)
    assert 0 <= r.cb.value <= 2.0
    assert r.se == pytest.approx(r.dpc.value * r.ei.value + r.cb.value)
    assert r.band == band_of(r.se)
