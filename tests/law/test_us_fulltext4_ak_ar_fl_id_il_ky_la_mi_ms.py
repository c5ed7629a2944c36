"""Alaska, Arkansas, Florida, Idaho, Illinois, Kentucky, Louisiana, Michigan and Mississippi rules
checked against the statute text read on 2026-12-01 (Alaska Stat. §§ 45.48.010, 45.48.040; Ark.
Code Ann. § 4-110-105(a)-(c); Fla. Stat. § 501.171(1)(g) as amended by 2023 SB 262; Idaho Code
§§ 28-51-104 to -107 in full as amended through 2015; 815 ILCS 530/10(a); Ky. Rev. Stat.
§ 365.732(1); La. Admin. Code tit. 16, pt. III, § 701; Mich. Comp. Laws § 445.63(g); Miss. Code
§ 75-24-29(2)); each test cites the provision it checks."""

from __future__ import annotations

import pytest

from breachdesk.law.engine import assess
from breachdesk.law.rules import RULES_DIR, SOURCE_ELEMENTS, load_file
from breachdesk.law.situation import Obligation, Situation
from tests.law.builders import by_key, situation

AWARE = "2026-05-04T15:00:00+00:00"


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


def test_mi_data_made_unusable_by_another_method_counts_as_encrypted() -> None:
    """§ 445.63(g): 'encrypted' includes 'securing information by another method that renders
    the data elements unreadable or unusable'; § 445.72(1) notice is for unencrypted data, or
    encrypted data accessed with the key."""
    assert "US-MI/individuals/shop" in obligations(sit("US-MI", 5, {"name", "ssn"}))
    quiet = obligations(sit("US-MI", 2000, {"name", "ssn"}, unusable=True))
    assert "US-MI/individuals/shop" not in quiet
    assert "US-MI/CRA/shop" not in quiet
    keyed = sit("US-MI", 5, {"name", "ssn"}, unusable=True, key_compromised=True)
    assert "US-MI/individuals/shop" in obligations(keyed)


@pytest.mark.parametrize("flag", ["encrypted", "unusable"])
def test_ms_data_secured_by_encryption_or_another_method_is_not_a_breach(flag: str) -> None:
    """§ 75-24-29(2)(a): a breach is an acquisition of data 'when access to the personal
    information has not been secured by encryption or by any other method or technology that
    renders the personal information unreadable or unusable'."""
    assert "US-MS/individuals/shop" in obligations(sit("US-MS", 5, {"name", "ssn"}))
    assert "US-MS/individuals/shop" not in obligations(
        sit("US-MS", 5, {"name", "ssn"}, **{flag: True})
    )


def test_ms_tribal_or_state_id_with_name_is_personal_information() -> None:
    """§ 75-24-29(2)(b)(ii): 'state identification card number or tribal identification card
    number' (breachdesk: government_id)."""
    assert "US-MS/individuals/shop" in obligations(sit("US-MS", 5, {"name", "government_id"}))


def test_id_compared_in_full_and_senate_bill_1066_not_in_the_code() -> None:
    """§§ 28-51-104 to -107 were read in full; the copy carries the 2025 session laws
    elsewhere in the Idaho Code but no 2025 amendment to them, so 2025 Senate Bill 1066 is
    treated as not enacted and the rule is verified, with a note saying so."""
    rule = load_file(RULES_DIR / "us-id.yaml").rules[0]
    assert rule.verified
    assert {s.element for s in rule.sources} == set(SOURCE_ELEMENTS)
    assert any("1066" in n and "not enacted" in n for n in rule.notes)


def test_id_business_notifies_residents_only_without_prescribed_content() -> None:
    """§ 28-51-105(1): notice to the affected Idaho resident; only an agency must also notify
    the Attorney General within 24 hours; § 28-51-104(4) prescribes methods, not content."""
    obs = obligations(sit("US-ID", 50_000, {"name", "ssn"}))
    assert {k for k in obs if k.startswith("US-ID/")} == {"US-ID/individuals/shop"}
    assert obs["US-ID/individuals/shop"].content_required_ids == []


def test_id_passport_or_health_data_is_not_an_element() -> None:
    """§ 28-51-104(5): SSN, driver's licence or Idaho ID card number, account or card number
    with its code; nothing else."""
    for element in ("passport", "health", "credentials"):
        assert "US-ID/individuals/shop" not in obligations(sit("US-ID", 5, {"name", element})), (
            element
        )


def test_ky_state_id_number_is_not_an_element() -> None:
    """§ 365.732(1)(c)2.: 'Driver's license number' only."""
    assert "US-KY/individuals/shop" not in obligations(sit("US-KY", 5, {"name", "government_id"}))
    assert "US-KY/individuals/shop" in obligations(sit("US-KY", 5, {"name", "drivers_license"}))


@pytest.mark.parametrize("flag", ["encrypted", "redacted"])
def test_ky_unencrypted_and_unredacted_data_only(flag: str) -> None:
    """§ 365.732(1)(a): 'unauthorized acquisition of unencrypted and unredacted computerized
    data'; (1)(c): 'when the name or data element is not redacted'."""
    assert "US-KY/individuals/shop" not in obligations(
        sit("US-KY", 5, {"name", "ssn"}, **{flag: True})
    )


def test_il_resident_notice_must_not_state_the_number_affected() -> None:
    """815 ILCS 530/10(a): agency and FTC contacts and a fraud-alert and freeze statement; 'The
    notification shall not, however, include information concerning the number of Illinois
    residents affected by the breach.'"""
    ob = obligations(sit("US-IL", 5, {"name", "ssn"}))["US-IL/individuals/shop"]
    assert {"credit_agencies_contact", "ftc_contact", "security_freeze"} <= set(
        ob.content_required_ids
    )
    assert any("number of Illinois residents" in f for f in ob.content_forbidden)


def test_ak_reporting_agencies_over_1000_unless_subject_to_glba() -> None:
    """§ 45.48.040(a): 'required by AS 45.48.010 to notify more than 1,000 state residents';
    (c): 'does not apply to an information collector who is subject to the Gramm-Leach-Bliley
    Financial Modernization Act'."""
    assert "US-AK/CRA/shop" not in obligations(sit("US-AK", 1000, {"name", "ssn"}))
    ob = obligations(sit("US-AK", 1001, {"name", "ssn"}))["US-AK/CRA/shop"]
    assert any("timing, distribution and content" in c for c in ob.content_elements)
    glba = sit("US-AK", 1001, {"name", "ssn"}, answers={"us-ak-cra-glba": True})
    obs = obligations(glba)
    assert "US-AK/CRA/shop" not in obs
    assert "US-AK/individuals/shop" in obs


def test_ak_no_likely_harm_after_notice_to_attorney_general_exempts() -> None:
    """§ 45.48.010(c): disclosure is not required if, after an appropriate investigation and
    written notification to the attorney general, there is not a reasonable likelihood of harm."""
    quiet = sit("US-AK", 5, {"name", "ssn"}, answers={"us-ak-no-harm": True})
    assert "US-AK/individuals/shop" not in obligations(quiet)
    rule = load_file(RULES_DIR / "us-ak.yaml").rules[0]
    q = next(u for u in rule.unmodelled if u.id == "us-ak-no-harm")
    assert "Attorney General" in q.question


def test_ar_attorney_general_when_more_than_1000_individuals() -> None:
    """§ 4-110-105(b)(2): 'affects the personal information of more than one thousand (1,000)
    individuals', at the same time as the resident notice or within 45 days, whichever first."""
    assert "US-AR/AG/shop" not in obligations(sit("US-AR", 1000, {"name", "ssn"}))
    ob = obligations(sit("US-AR", 1001, {"name", "ssn"}))["US-AR/AG/shop"]
    assert "(b)(2)" in ob.citation


def test_la_attorney_general_gets_names_of_all_residents_within_10_days() -> None:
    """La. Admin. Code tit. 16, pt. III, § 701(A): the notice 'shall include the names of all
    Louisiana citizens affected'; (B): timely if received within 10 days of the notices to
    residents; any number of residents."""
    ob = obligations(sit("US-LA", 1, {"name", "ssn"}))["US-LA/AG/shop"]
    assert any("names of all Louisiana citizens" in c for c in ob.content_elements)
    rule = next(r for r in load_file(RULES_DIR / "us-la.yaml").rules if r.id == "us-la-ag")
    assert rule.deadline.amount == 10
    assert rule.deadline.clock == "after_individual_notice"


@pytest.mark.parametrize("element", ["biometric", "precise_location"])
def test_fl_biometric_and_geolocation_with_name_are_personal_information(element: str) -> None:
    """§ 501.171(1)(g)1.a.(VI)-(VII) as amended by 2023 SB 262 § 25 (in force 1 July 2024):
    'biometric data as defined in s. 501.702' and 'Any information regarding an individual's
    geolocation'."""
    assert "US-FL/individuals/shop" in obligations(sit("US-FL", 5, {"name", element}))
    assert "US-FL/individuals/shop" not in obligations(sit("US-FL", 5, {element}))
