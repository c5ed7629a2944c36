"""Scenario tests for the US rules files N..Z (plus PR), each citing the provision it checks.

Issue 11 defects covered here: name + date of birth (N.D., Wash.), health information
(N.Y. since 2025-03-21, Pa., Nev.), name + password or access code where the state counts it
(N.C., S.C., Vt., Wash., Wis., Wyo.), encryption with and without the key, harm
determinations left to the business (answered and unanswered), and count thresholds at
their boundary (> against >=).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from breachdesk.law.engine import assess
from breachdesk.law.rules import RULES_DIR, SOURCE_ELEMENTS, load_file
from breachdesk.law.situation import Assessment, Situation

AWARE = "2026-05-04T15:00:00+00:00"
N_TO_Z = sorted(p for p in RULES_DIR.glob("us-*.yaml") if p.stem[3] in "nopqrstuvwxyz")


def sit(code: str, count: int, elements: set[str], aware: str = AWARE, **kw: Any) -> Situation:
    return Situation.model_validate(
        {
            "groups": [{"jurisdiction": code, "entity": "shop", "count": count}],
            "elements": elements,
            "cause": "attack",
            "became_aware_at": datetime.fromisoformat(aware),
            "risk": "high",
            "entities": {"shop": {"id": "shop", "legal_name": "Shop Ltd", "country": "US"}},
            **kw,
        }
    )


def keys(a: Assessment) -> set[str]:
    return {o.key for o in a.obligations}


def reasons(a: Assessment) -> dict[str | None, str]:
    return {n.rule_id: n.reason for n in a.non_obligations}


def question_ids(a: Assessment) -> set[str]:
    return {q.id for q in a.open_questions}


# --- the files themselves ------------------------------------------------------------------


def test_every_n_to_z_file_was_compared_on_2026_11_30_and_says_why_when_unverified() -> None:
    """Issue 11, 'Honest provenance': last_verified is the date compared (2026-11-30, or later
    for rules compared again); a rule that stays unverified carries its reason."""
    assert len(N_TO_Z) == 25
    for path in N_TO_Z:
        for rule in load_file(path).rules:
            assert rule.last_verified is not None and rule.last_verified.isoformat() >= (
                "2026-11-30"
            ), rule.id
            if rule.verified:
                assert {s.element for s in rule.sources} == set(SOURCE_ELEMENTS), rule.id
            else:
                assert any(n.lower().startswith("unverified:") for n in rule.notes), rule.id


def test_no_n_to_z_rule_keeps_the_old_unchecked_marker() -> None:
    """The old files said '[verify]' and 'from secondary sources'; every rule now names what
    was compared (sources) or why not (notes)."""
    for path in N_TO_Z:
        text = path.read_text(encoding="utf-8")
        assert "[verify]" not in text, path
        assert "verified: false rows come from secondary sources" not in text, path


# --- definitions: date of birth, health, name + password ------------------------------------


def test_nd_name_and_date_of_birth_is_personal_information_51_30_01() -> None:
    """N.D. Cent. Code § 51-30-01(4)(a)(5): the individual's date of birth, with the name."""
    a = assess(sit("US-ND", 3, {"name", "date_of_birth"}))
    assert "US-ND/individuals/shop" in keys(a)
    b = assess(sit("US-ND", 3, {"date_of_birth"}))
    assert "US-ND/individuals/shop" not in keys(b)


def test_wa_name_and_full_date_of_birth_19_255_005() -> None:
    """RCW 19.255.005(2)(a)(i)(D): full date of birth with the name; AG above 500 residents."""
    a = assess(sit("US-WA", 501, {"name", "date_of_birth"}))
    assert {"US-WA/individuals/shop", "US-WA/AG/shop"} <= keys(a)
    ob = {o.key: o for o in a.obligations}["US-WA/individuals/shop"]
    assert ob.verified is True  # § 19.255.010 compared on 2026-11-30 (test_us_fulltext_wa)
    assert {"contact", "data_types", "date_of_breach"} <= set(ob.content_required_ids)


def test_ny_health_information_counts_from_2025_03_21_899_aa_1_b() -> None:
    """N.Y. Gen. Bus. Law § 899-aa(1)(b) as amended (medical and health insurance
    information, in force 2025-03-21): name + health data now needs resident and AG notice."""
    a = assess(sit("US-NY", 10, {"name", "health"}))
    assert {"US-NY/individuals/shop", "US-NY/AG/shop"} <= keys(a)
    ob = {o.key: o for o in a.obligations}["US-NY/individuals/shop"]
    assert ob.due_at == datetime.fromisoformat(AWARE) + timedelta(days=30)


def test_ny_inadvertent_disclosure_is_a_question_not_a_silent_answer_899_aa_2_a() -> None:
    """§ 899-aa(2)(a): the inadvertent-disclosure exception is the business's determination;
    unanswered it is listed, answered yes it removes the resident and AG notices."""
    a = assess(sit("US-NY", 10, {"name", "ssn"}))
    assert "us-ny-inadvertent" in question_ids(a)
    assert "US-NY/individuals/shop" in keys(a)
    b = assess(sit("US-NY", 10, {"name", "ssn"}, answers={"us-ny-inadvertent": True}))
    assert not {"US-NY/individuals/shop", "US-NY/AG/shop"} & keys(b)


def test_pa_health_insurance_information_73_ps_2302() -> None:
    """73 P.S. § 2302 ('personal information' (v), Act 33 of 2024): health insurance
    information with the name."""
    a = assess(sit("US-PA", 5, {"name", "health"}))
    assert "US-PA/individuals/shop" in keys(a)


def test_nv_medical_or_health_insurance_id_603a_040() -> None:
    """Nev. Rev. Stat. § 603A.040(1)(d): a medical or health insurance identification number
    with the name."""
    a = assess(sit("US-NV", 5, {"name", "health"}))
    assert "US-NV/individuals/shop" in keys(a)


@pytest.mark.parametrize(
    ("code", "provision"),
    [
        ("US-WI", "Wis. Stat. § 134.98(1)(b)3."),
        ("US-NC", "N.C. Gen. Stat. § 14-113.20(b) via § 75-61(10)"),
        ("US-SC", "S.C. Code § 39-1-90(D)(3)"),
        ("US-VT", "9 V.S.A. § 2430(10)"),
        ("US-WA", "RCW 19.255.005(2)(a)(i)(C)"),
        ("US-WY", "Wyo. Stat. § 6-3-901(b)(viii)"),
    ],
)
def test_name_with_password_or_access_code_counts(code: str, provision: str) -> None:
    """States whose definition counts a name with a password, PIN or access code (for a
    financial account, or a shared secret used for authentication)."""
    a = assess(sit(code, 4, {"name", "password"}))
    assert f"{code}/individuals/shop" in keys(a), provision


def test_nh_name_with_password_alone_is_not_personal_information_359_c_19() -> None:
    """RSA 359-C:19(IV)(a)(3): an account number is needed with the code; a name with a
    password alone is not personal information in New Hampshire."""
    a = assess(sit("US-NH", 4, {"name", "password"}))
    assert "US-NH/individuals/shop" not in keys(a)


def test_sd_name_with_biometric_alone_is_not_personal_information_22_40_19() -> None:
    """SDCL § 22-40-19(4)(e): biometric data counts only as the authenticator of an
    employer-assigned ID number, so the old [name, biometric] trigger was wrong."""
    a = assess(sit("US-SD", 4, {"name", "biometric"}))
    assert "US-SD/individuals/shop" not in keys(a)
    b = assess(sit("US-SD", 4, {"name", "health"}))
    ob = {o.key: o for o in b.obligations}["US-SD/individuals/shop"]
    assert ob.verified is True
    assert ob.due_at == datetime.fromisoformat(AWARE) + timedelta(days=60)


def test_tn_lists_only_the_driver_licence_47_18_2107() -> None:
    """Tenn. Code § 47-18-2107(a)(4)(A): SSN, driver licence number, account/card number with
    code; a passport number with the name is not personal information."""
    assert "US-TN/individuals/shop" not in keys(assess(sit("US-TN", 4, {"name", "passport"})))
    assert "US-TN/individuals/shop" in keys(assess(sit("US-TN", 4, {"name", "drivers_license"})))


def test_pr_user_name_and_password_needs_the_name_10_lpra_4051() -> None:
    """10 L.P.R.A. § 4051(a)(d): user names and passwords count within a personal information
    file (name or first initial and surname); residents coded PR are covered too."""
    assert "US-PR/individuals/shop" not in keys(assess(sit("US-PR", 2, {"email", "password"})))
    a = assess(sit("PR", 2, {"name", "email", "password"}))
    assert {"PR/individuals/shop", "PR/DACO/shop"} <= keys(a)
    daco = {o.key: o for o in a.obligations}["PR/DACO/shop"]
    assert daco.due_at == datetime.fromisoformat(AWARE) + timedelta(days=10)


# --- encryption and redaction ---------------------------------------------------------------


@pytest.mark.parametrize(("key_compromised", "due"), [(False, False), (True, True)])
def test_tx_encrypted_data_counts_only_with_the_key_521_053_a(
    key_compromised: bool, due: bool
) -> None:
    """Tex. Bus. & Com. Code § 521.053(a): a breach includes encrypted data 'if the person
    accessing the data has the key required to decrypt the data'."""
    a = assess(sit("US-TX", 300, {"name", "ssn"}, encrypted=True, key_compromised=key_compromised))
    assert ("US-TX/individuals/shop" in keys(a)) is due
    assert ("US-TX/AG/shop" in keys(a)) is due


def test_wy_has_no_encryption_exemption_only_redaction_40_12_501() -> None:
    """Wyo. Stat. § 40-12-501(a)(vii): only redacted elements are excluded; encryption bears
    on the misuse investigation (§ 40-12-502(a)), which is asked, not assumed."""
    enc = assess(sit("US-WY", 4, {"name", "ssn"}, encrypted=True))
    assert "US-WY/individuals/shop" in keys(enc)
    assert "us-wy-misuse" in question_ids(enc)
    red = assess(sit("US-WY", 4, {"name", "ssn"}, redacted=True))
    assert "US-WY/individuals/shop" not in keys(red)


# --- harm determinations left to the business -----------------------------------------------


@pytest.mark.parametrize(
    ("code", "qid", "provision"),
    [
        ("US-NE", "us-ne-misuse", "Neb. Rev. Stat. § 87-803(1)"),
        ("US-NJ", "us-nj-misuse", "N.J. Stat. § 56:8-163(a)"),
        ("US-OR", "us-or-harm", "Or. Rev. Stat. § 646A.604(8)"),
        ("US-UT", "us-ut-misuse", "Utah Code § 13-44-202(1)"),
        ("US-VA", "us-va-fraud", "Va. Code § 18.2-186.6(A)"),
    ],
)
def test_harm_determination_is_asked_and_a_yes_exempts(code: str, qid: str, provision: str) -> None:
    """The statute leaves the harm or misuse determination to the business: unanswered, the
    notice is due and the question is listed; answered yes, the resident notice (and the
    notices that depend on it) drop."""
    a = assess(sit(code, 2000, {"name", "ssn"}))
    assert f"{code}/individuals/shop" in keys(a), provision
    assert qid in question_ids(a), provision
    b = assess(sit(code, 2000, {"name", "ssn"}, answers={qid: True}))
    assert not any(k.startswith(f"{code}/") for k in keys(b)), provision
    c = assess(sit(code, 2000, {"name", "ssn"}, answers={qid: False}))
    assert f"{code}/individuals/shop" in keys(c), provision


# --- recipients, thresholds and deadlines ---------------------------------------------------


@pytest.mark.parametrize(
    ("code", "key", "below", "at", "provision"),
    [
        ("US-ND", "US-ND/AG/shop", 250, 251, "N.D. Cent. Code § 51-30-02 (exceeds 250)"),
        ("US-SD", "US-SD/AG/shop", 250, 251, "SDCL § 22-40-20 (exceeds 250)"),
        ("US-PA", "US-PA/AG/shop", 500, 501, "73 P.S. § 2303(c.1) (more than 500)"),
        ("US-RI", "US-RI/AG/shop", 500, 501, "R.I. Gen. Laws § 11-49.3-4(a)(2) (more than 500)"),
        ("US-OK", "US-OK/AG/shop", 499, 500, "24 O.S. § 163 (500 or more)"),
        ("US-UT", "US-UT/AG/shop", 499, 500, "Utah Code § 13-44-202(1)(b) (500 or more)"),
        ("US-NM", "US-NM/AG/shop", 1000, 1001, "N.M. Stat. § 57-12C-10 (more than 1,000)"),
        ("US-NM", "US-NM/CRA/shop", 1000, 1001, "N.M. Stat. § 57-12C-10 (more than 1,000)"),
        ("US-UT", "US-UT/CRA/shop", 999, 1000, "Utah Code § 13-44-202 (1,000 or more)"),
        ("US-WI", "US-WI/CRA/shop", 999, 1000, "Wis. Stat. § 134.98(2)(br) (1,000 or more)"),
        ("US-NY", "US-NY/CRA/shop", 5000, 5001, "N.Y. Gen. Bus. Law § 899-aa(8)(b)"),
    ],
)
def test_threshold_edges(code: str, key: str, below: int, at: int, provision: str) -> None:
    """'more than N' is > N and 'N or more' is >= N."""
    assert key not in keys(assess(sit(code, below, {"name", "ssn"}))), provision
    assert key in keys(assess(sit(code, at, {"name", "ssn"}))), provision


def test_nm_ag_and_cra_within_45_days_of_discovery_57_12c_10() -> None:
    """§ 57-12C-10: the AG and the reporting agencies within 45 calendar days following
    discovery, with the number notified and a copy of the notice."""
    a = assess(sit("US-NM", 1500, {"name", "ssn"}))
    obs = {o.key: o for o in a.obligations}
    due = datetime.fromisoformat(AWARE) + timedelta(days=45)
    assert obs["US-NM/AG/shop"].due_at == due
    assert obs["US-NM/CRA/shop"].due_at == due
    assert any("copy of the notification" in c for c in obs["US-NM/AG/shop"].content_elements)


def test_ok_ag_notice_applies_to_breaches_from_2026_01_01_sb_626() -> None:
    """SB 626 (2025) amends 24 O.S. § 163 for breaches discovered on or after 2026-01-01."""
    before = assess(sit("US-OK", 600, {"name", "ssn"}, aware="2025-12-30T15:00:00+00:00"))
    assert "US-OK/AG/shop" not in keys(before)
    after = assess(sit("US-OK", 600, {"name", "ssn"}))
    ag = {o.key: o for o in after.obligations}["US-OK/AG/shop"]
    assert ag.deadline_text.startswith("60 calendar days after notifying")


def test_nj_state_police_before_the_customers_56_8_163_c() -> None:
    """N.J. Stat. § 56:8-163(c)(1): report to the Division of State Police in advance of the
    disclosure to the customer."""
    a = assess(sit("US-NJ", 3, {"name", "ssn"}))
    obs = {o.key: o for o in a.obligations}
    assert obs["US-NJ/NJSP/shop"].deadline_text.startswith("before notifying")


def test_ri_notice_content_includes_police_report_and_freeze_11_49_3_4_d() -> None:
    """R.I. Gen. Laws § 11-49.3-4(d)(6): the consumer's ability to file or obtain a police
    report and how to request a security freeze."""
    a = assess(sit("US-RI", 3, {"name", "health"}))
    ob = {o.key: o for o in a.obligations}["US-RI/individuals/shop"]
    assert {"police_report", "security_freeze", "breach_description"} <= set(
        ob.content_required_ids
    )
    assert ob.due_at == datetime.fromisoformat(AWARE) + timedelta(days=45)


def test_wv_notice_content_includes_fraud_alert_and_freeze_46a_2a_102_d() -> None:
    """W. Va. Code § 46A-2A-102(d): reporting-agency numbers and how to place a fraud alert or
    security freeze."""
    a = assess(sit("US-WV", 3, {"name", "ssn"}))
    ob = {o.key: o for o in a.obligations}["US-WV/individuals/shop"]
    assert {"security_freeze", "credit_agencies_contact"} <= set(ob.content_required_ids)


def test_sd_reporting_agencies_at_any_number_22_40_24() -> None:
    """SDCL § 22-40-24 (compared with the text on 2026-12-01; § 22-40-23 is the own-policy
    rule): the reporting agencies are told whenever residents are, with no threshold."""
    a = assess(sit("US-SD", 1, {"name", "ssn"}))
    cra = {o.key: o for o in a.obligations}["US-SD/CRA/shop"]
    assert cra.verified is True
