"""Count thresholds exactly at their boundary: ">500" is not ">=500"."""

from __future__ import annotations

import pytest

from tests.law.builders import run, situation

AWARE = "2026-05-04T15:00:00+00:00"
SSN = {"name", "ssn"}


@pytest.mark.parametrize(
    ("code", "key", "rule", "count", "due", "reason"),
    [
        ("US-CA", "US-CA/AG/shop", "us-ca-ag", 500, False, "500 residents, the rule needs > 500"),
        ("US-CA", "US-CA/AG/shop", "us-ca-ag", 501, True, None),
        ("US-WA", "US-WA/AG/shop", "us-wa-ag", 500, False, "500 residents, the rule needs > 500"),
        ("US-WA", "US-WA/AG/shop", "us-wa-ag", 501, True, None),
        ("US-FL", "US-FL/AG/shop", "us-fl-ag", 499, False, "499 residents, the rule needs >= 500"),
        ("US-FL", "US-FL/AG/shop", "us-fl-ag", 500, True, None),
        ("US-CO", "US-CO/AG/shop", "us-co-ag", 499, False, "499 residents, the rule needs >= 500"),
        ("US-CO", "US-CO/AG/shop", "us-co-ag", 500, True, None),
        ("US-TX", "US-TX/AG/shop", "us-tx-ag", 249, False, "249 residents, the rule needs >= 250"),
        ("US-TX", "US-TX/AG/shop", "us-tx-ag", 250, True, None),
        ("US-OR", "US-OR/AG/shop", "us-or-ag", 250, False, "250 residents, the rule needs > 250"),
        ("US-OR", "US-OR/AG/shop", "us-or-ag", 251, True, None),
        (
            "US-AL",
            "US-AL/AG/shop",
            "us-al-ag",
            1000,
            False,
            "1,000 residents, the rule needs > 1,000",
        ),
        ("US-AL", "US-AL/AG/shop", "us-al-ag", 1001, True, None),
        (
            "US-TX",
            "US-TX/CRA/shop",
            "us-tx-cra",
            10000,
            False,
            "10,000 residents, the rule needs > 10,000",
        ),
        ("US-TX", "US-TX/CRA/shop", "us-tx-cra", 10001, True, None),
        ("US-DC", "US-DC/AG/shop", "us-dc-ag", 49, False, "49 residents, the rule needs >= 50"),
        ("US-DC", "US-DC/AG/shop", "us-dc-ag", 50, True, None),
    ],
)
def test_state_threshold_boundary(
    code: str, key: str, rule: str, count: int, due: bool, reason: str | None
) -> None:
    s = situation({(code, "shop"): count}, SSN, "attack", AWARE, "high", {"shop": "US"})
    _, obs, non = run(s)
    assert f"{code}/individuals/shop" in obs  # name + SSN is personal information everywhere
    assert (key in obs) is due
    if reason is not None:
        assert non[(code, rule)].reason.endswith(reason)
        assert non[(code, rule)].residents == count


@pytest.mark.parametrize(
    ("code", "count", "due"),
    [
        ("SG", 499, False),
        ("SG", 500, True),
        ("JP", 1000, False),
        ("JP", 1001, True),
        ("KR", 999, False),
        ("KR", 1000, True),
    ],
)
def test_scale_thresholds_for_contact_data(code: str, count: int, due: bool) -> None:
    """Name + email, accidental: only scale can make SG, JP and KR regulators due."""
    s = situation(
        {(code, "shop"): count}, {"name", "email"}, "technical-error", AWARE, "risk", {"shop": code}
    )
    _, obs, _ = run(s)
    regulators = {k for k, o in obs.items() if o.recipient_kind == "regulator"}
    expected = {
        "SG": {"SG/PDPC/shop"},
        "JP": {"JP/PPC-preliminary/shop", "JP/PPC-final/shop"},
        "KR": {"KR/PIPC/shop"},
    }[code]
    assert regulators == (expected if due else set())
    if code == "KR":
        assert "KR/individuals/shop" in obs  # any leak, any count


def test_counts_are_per_state_not_summed_across_states() -> None:
    groups = {("US-CA", "shop"): 300, ("US-WA", "shop"): 300}
    s = situation(groups, SSN, "attack", AWARE, "high", {"shop": "US"})
    _, obs, non = run(s)
    assert "US-CA/AG/shop" not in obs and "US-WA/AG/shop" not in obs
    assert non[("US-CA", "us-ca-ag")].reason.endswith("300 residents, the rule needs > 500")


def test_subdivision_counts_sum_into_a_country_threshold() -> None:
    """CA-ON and CA-QC residents count together towards one OPC notice."""
    groups = {("CA-ON", "shop"): 30, ("CA-QC", "shop"): 20}
    s = situation(groups, SSN, "attack", AWARE, "high", {"shop": "CA"})
    _, obs, _ = run(s)
    assert obs["CA/OPC/shop"].residents == 50
    assert "residents: CA-ON 30, CA-QC 20" in obs["CA/OPC/shop"].notes
    assert obs["CA-QC/CAI/shop"].residents == 20
    assert {"CA/register/shop", "CA-QC/register/shop"} <= set(obs)


def test_email_with_password_counts_as_credentials() -> None:
    """Credentials are distinct from email: California notices for email + password only."""
    for elements, due in (
        ({"email"}, False),
        ({"email", "password"}, True),
        ({"username", "security_qa"}, True),
        ({"password"}, False),
    ):
        s = situation({("US-CA", "shop"): 10}, elements, "attack", AWARE, "high", {"shop": "US"})
        _, obs, _ = run(s)
        assert ("US-CA/individuals/shop" in obs) is due, elements
        assert ("credentials" in s.elements) is due
