"""Cases from EDPB Guidelines 01/2021 on examples regarding personal data breach
notification. Each case's risk level is the EDPB's own conclusion for it; the engine
must turn that into exactly the notices the EDPB lists (SA, data subjects, and the
internal documentation that every case requires).
"""

from __future__ import annotations

import pytest

from tests.law.builders import run, situation, utc

AWARE = "2026-06-01T08:00:00+00:00"
SA_DUE = utc("2026-06-04T08:00:00+00:00")
DE = {"co-de": "DE"}


@pytest.mark.parametrize(
    ("case", "elements", "cause", "risk", "encrypted", "sa", "individuals"),
    [
        # Case 01: ransomware with a proper backup, no exfiltration, data encrypted at rest
        ("01", {"name", "email", "postal_address"}, "attack", "unlikely", True, False, False),
        # Case 03: ransomware at a hospital, health data unavailable, no backup in time
        ("03", {"name", "date_of_birth", "health"}, "attack", "high", False, True, True),
        # Case 06: usernames + salted, state-of-the-art hashed passwords exfiltrated
        ("06", {"username", "password"}, "attack", "unlikely", True, False, False),
        # Case 07: credential stuffing against a bank's website
        ("07", {"name", "credentials", "financial_account"}, "attack", "high", False, True, True),
        # Case 08: a former employee took business contact data to a competitor
        ("08", {"name", "email", "phone"}, "insider", "risk", False, True, False),
        # Case 09: stolen device with strongly encrypted data, backup available
        ("09", {"name", "email", "postal_address"}, "unknown", "unlikely", True, False, False),
        # Case 10: stolen device with unencrypted customer data
        (
            "10",
            {"name", "postal_address", "date_of_birth", "payment_card"},
            "unknown",
            "high",
            False,
            True,
            True,
        ),
    ],
)
def test_edpb_case(
    case: str,
    elements: set[str],
    cause: str,
    risk: str,
    encrypted: bool,
    sa: bool,
    individuals: bool,
) -> None:
    s = situation({("DE", "co-de"): 250}, elements, cause, AWARE, risk, DE, encrypted)
    _, obs, non = run(s)
    expected = {"EU/register/co-de"}
    if sa:
        expected.add("DE/DE-SA/co-de")
    if individuals:
        expected.add("DE/individuals/co-de")
    assert set(obs) == expected, f"case {case}"
    assert obs["EU/register/co-de"].citation == "GDPR Art. 33(5)"
    if sa:
        assert obs["DE/DE-SA/co-de"].due_at == SA_DUE
        assert obs["DE/DE-SA/co-de"].residents == 250
    else:
        assert "risk assessed as 'unlikely'" in non[("DE", "eu-sa")].reason
    if individuals:
        ind = obs["DE/individuals/co-de"]
        assert ind.due_at is None and ind.deadline_text == "without undue delay (from awareness)"
    else:
        reason = non[("DE", "eu-individuals")].reason
        expect = "encryption exemption" if encrypted else "the rule needs at least 'high'"
        assert expect in reason, f"case {case}: {reason}"
    not_due = {r for r, due in (("eu-sa", sa), ("eu-individuals", individuals)) if not due}
    assert set(non) == {("DE", r) for r in not_due}


def test_edpb_case_07_bank_outside_the_eu_tells_every_sa() -> None:
    """Non-EU controller (EDPB Guidelines 9/2022 para 73): one notice per SA of residence."""
    groups = {("DE", "bank"): 300, ("FR", "bank"): 200, ("IE", "bank"): 100}
    s = situation(
        groups,
        {"name", "credentials", "financial_account"},
        "attack",
        AWARE,
        "high",
        {"bank": "US"},
    )
    _, obs, non = run(s)
    assert set(obs) == {
        "DE/DE-SA/bank",
        "FR/CNIL/bank",
        "IE/DPC/bank",
        "DE/individuals/bank",
        "FR/individuals/bank",
        "IE/individuals/bank",
        "EU/register/bank",
    }
    assert {k: o.residents for k, o in obs.items() if "/individuals/" not in k} == {
        "DE/DE-SA/bank": 300,
        "FR/CNIL/bank": 200,
        "IE/DPC/bank": 100,
        "EU/register/bank": 600,
    }
    assert obs["FR/CNIL/bank"].timezone == "Europe/Paris"
    assert obs["IE/DPC/bank"].due_at == SA_DUE
    assert any("every SA where subjects live" in n for n in obs["FR/CNIL/bank"].notes)
    assert non == {}


def test_edpb_case_07_bank_established_in_ireland_tells_only_its_lead_sa() -> None:
    groups = {("DE", "bank"): 300, ("FR", "bank"): 200, ("IE", "bank"): 100}
    s = situation(
        groups,
        {"name", "credentials", "financial_account"},
        "attack",
        AWARE,
        "high",
        {"bank": "IE"},
    )
    _, obs, _ = run(s)
    assert set(obs) == {
        "IE/DPC/bank",
        "DE/individuals/bank",
        "FR/individuals/bank",
        "IE/individuals/bank",
        "EU/register/bank",
    }
    assert obs["IE/DPC/bank"].residents == 600
    assert "residents: DE 300, FR 200, IE 100" in obs["IE/DPC/bank"].notes
