"""Issue 11 scenarios: the defects found in the rules, exemptions as inputs, questions
the engine cannot decide, unverified rules shown as such, notice content as data.

Each test names the provision it checks.
"""

from __future__ import annotations

from io import StringIO

from rich.console import Console

from breachdesk.law.content import notice_content
from breachdesk.law.engine import UNVERIFIED_NOTE, assess
from breachdesk.law.render import assessment_json, print_assessment
from breachdesk.law.situation import Assessment, Situation
from tests.law.builders import run, situation

AWARE = "2026-06-01T09:00:00+00:00"


def _with(s: Situation, **update: object) -> Situation:
    return Situation.model_validate({**s.model_dump(), **update})


def _jp(encrypted: bool, key: bool = False) -> Situation:
    s = situation(
        {("JP", "shop-jp"): 5000},
        {"name", "payment_card"},
        "attack",
        AWARE,
        "high",
        {"shop-jp": "JP"},
    )
    return _with(s, encrypted=encrypted, key_compromised=key)


def _text(a: Assessment) -> str:
    buf = StringIO()
    print_assessment(a, Console(file=buf, width=200), a.situation.became_aware_at)
    return buf.getvalue()


# --- Japan: advanced encryption is excluded (APPI Enforcement Rules Art. 7) ---------------


def test_jp_encrypted_without_key_is_not_reportable() -> None:
    """APPI Enforcement Rules Art. 7: data protected by advanced encryption is excluded
    from the reportable categories, so no PPC report and no notice to individuals."""
    a, _obs, non = run(_jp(encrypted=True))
    assert not [
        o
        for o in a.obligations
        if o.jurisdiction == "JP" and o.recipient_kind != "internal_register"
    ]
    reason = non[("JP", "jp-ppc-preliminary")].reason
    assert "encryption exemption (APPI Enforcement Rules Art. 7" in reason
    assert "applied: the data was encrypted and the key was not compromised" in reason
    assert non[("JP", "jp-individuals")].reason == (
        "depends on rule jp-ppc-preliminary, which is not due"
    )


def test_jp_encrypted_with_key_compromised_is_reportable() -> None:
    """APPI Enforcement Rules Art. 7 with PPC guidance: the exclusion is lost when the
    decryption key leaked too; the preliminary report is due and says why."""
    _a, obs, _non = run(_jp(encrypted=True, key=True))
    pre = obs["JP/PPC-preliminary/shop-jp"]
    assert any("not applied: the data was encrypted but the key" in e for e in pre.exemptions)
    assert "JP/individuals/shop-jp" in obs


def test_jp_unencrypted_explains_the_unapplied_exemption() -> None:
    """APPI Enforcement Rules Art. 7: each exemption is explained even when it does not apply."""
    _, obs, _ = run(_jp(encrypted=False))
    pre = obs["JP/PPC-preliminary/shop-jp"]
    assert pre.exemptions and "not applied: the data was not encrypted" in pre.exemptions[0]


# --- Singapore: prescribed personal data (PDP (Notification of Data Breaches) Regs 2021) --


def _sg(elements: set[str], n: int = 10, **update: object) -> Situation:
    s = situation({("SG", "shop-sg"): n}, elements, "attack", AWARE, "high", {"shop-sg": "SG"})
    return _with(s, **update) if update else s


def test_sg_name_and_identity_number_alone_fire_nothing() -> None:
    """Regs 2021 reg. 3(1)(a): a name or identification number needs Schedule Part 1 data
    as well; name + NRIC alone for 10 people is neither significant harm nor scale."""
    _a, obs, non = run(_sg({"name", "government_id"}))
    assert not any(k.startswith("SG/") for k in obs)
    assert 'alone is not "prescribed personal data' in non[("SG", "sg-pdpc")].reason
    assert ("SG", "sg-individuals") in non


def test_sg_identity_number_with_financial_data_fires_pdpc_and_individuals() -> None:
    """Regs 2021 reg. 3(1)(a) and Schedule Part 1 (financial data); PDPA s. 26D(1), (2)."""
    _, obs, _ = run(_sg({"name", "government_id", "financial_account"}))
    assert "SG/PDPC/shop-sg" in obs and "SG/individuals/shop-sg" in obs


def test_sg_identification_number_is_an_identifier_like_a_name() -> None:
    """Regs 2021 reg. 2 ("identification number") and reg. 3(1)(a): an NRIC number with
    medical data is prescribed even without the name."""
    _, obs, _ = run(_sg({"government_id", "health"}))
    assert "SG/PDPC/shop-sg" in obs and "SG/individuals/shop-sg" in obs


def test_sg_account_identifier_with_password_fires() -> None:
    """Regs 2021 reg. 3(1)(b): account identifier + password giving access to the account."""
    _, obs, _ = run(_sg({"email", "password"}))
    assert "SG/PDPC/shop-sg" in obs and "SG/individuals/shop-sg" in obs


def test_sg_scale_alone_tells_the_pdpc_but_not_individuals() -> None:
    """PDPA s. 26B(1)(b) with Regs 2021 reg. 4 (500 or more) fires the PDPC notice;
    s. 26D(2) limits individual notices to significant harm."""
    _, obs, non = run(_sg({"name", "government_id"}, n=500))
    assert "SG/PDPC/shop-sg" in obs
    assert "SG/individuals/shop-sg" not in obs and ("SG", "sg-individuals") in non


def test_sg_other_schedule_data_is_a_question_and_a_yes_fires() -> None:
    """Regs 2021 reg. 3(1)(a), Schedule Part 1: items breachdesk cannot see (adoption,
    insurance, CYPA/VAA) are asked; a yes makes the PDPC and individual notices due."""
    a = assess(_sg({"name", "government_id"}))
    q = [q for q in a.open_questions if q.id == "sg-schedule-other"]
    assert q and q[0].jurisdiction == "SG" and q[0].rule_id == "sg-pdpc"
    assert "Part 1 of the Schedule" in q[0].question
    _, obs, _ = run(_sg({"name", "government_id"}, answers={"sg-schedule-other": True}))
    pdpc = obs["SG/PDPC/shop-sg"]
    assert any("answered yes to sg-schedule-other" in n for n in pdpc.notes)
    assert "SG/individuals/shop-sg" in obs


def test_sg_encryption_spares_individuals_not_the_pdpc() -> None:
    """PDPA s. 26D(5)(b): a prior technological measure (encryption) exempts the notice to
    individuals; s. 26D(1) still requires the PDPC notice."""
    _, obs, non = run(_sg({"name", "financial_account"}, encrypted=True))
    assert "SG/PDPC/shop-sg" in obs
    assert "PDPA s. 26D(5)(b)" in non[("SG", "sg-individuals")].reason


def test_sg_remedial_action_answered_yes_stops_individual_notices() -> None:
    """PDPA s. 26D(5)(a): action after the assessment that makes significant harm unlikely."""
    s = _sg({"name", "payment_card"}, answers={"sg-remedial-action": True})
    _, obs, non = run(s)
    assert "SG/PDPC/shop-sg" in obs and "SG/individuals/shop-sg" not in obs
    assert "answered yes to sg-remedial-action" in non[("SG", "sg-individuals")].reason


# --- Brazil: large scale is a question (Resolução CD/ANPD nº 15/2024, art. 5) -------------


def _br(risk: str = "high", answers: dict[str, bool] | None = None) -> Situation:
    s = situation(
        {("BR", "loja"): 2_000_000},
        {"name", "email", "phone"},
        "attack",
        "2026-06-01T12:00:00+00:00",
        risk,
        {"loja": "BR"},
    )
    return _with(s, answers=answers or {})


def test_br_two_million_contacts_high_risk_says_large_scale_is_open() -> None:
    """Res. CD/ANPD 15/2024 art. 5: large scale qualifies an incident, with no number; the
    output states the criterion and the DPO's question next to Brazil, not only the register."""
    a, obs, non = run(_br())
    assert "BR/register/loja" in obs and "BR/ANPD/loja" not in obs
    q = next(q for q in a.open_questions if q.id == "br-large-scale")
    assert (q.jurisdiction, q.entity, q.rule_id) == ("BR", "loja", "br-anpd")
    assert "large scale" in q.criterion and q.question.startswith("Does the incident involve")
    assert "open question br-large-scale" in non[("BR", "br-anpd")].reason
    text = _text(a)
    assert "questions for the DPO" in text and "br-large-scale" in text
    assert assessment_json(a)["open_questions"][0]["id"] == "br-large-scale"


def test_br_large_scale_answered_yes_makes_anpd_and_individuals_due() -> None:
    """Res. CD/ANPD 15/2024 arts. 5, 6 and 9: ANPD and data subjects within 3 business days."""
    _, obs, _ = run(_br(answers={"br-large-scale": True}))
    anpd = obs["BR/ANPD/loja"]
    assert anpd.deadline_text == "3 business days after awareness"
    assert any("answered yes to br-large-scale" in n for n in anpd.notes)
    assert "BR/individuals/loja" in obs


def test_br_large_scale_answered_no_is_recorded_in_the_reason() -> None:
    """Res. CD/ANPD 15/2024 art. 5: a 'no' leaves only the register, and says so."""
    a, obs, non = run(_br(answers={"br-large-scale": False}))
    assert "BR/ANPD/loja" not in obs
    assert "answered no to br-large-scale" in non[("BR", "br-anpd")].reason
    assert not [q for q in a.open_questions if q.id == "br-large-scale"]


def test_br_large_scale_counts_only_with_significant_effect() -> None:
    """Res. CD/ANPD 15/2024 art. 5: large scale counts only where the incident may
    significantly affect rights (read as 'high'); at 'risk' a yes changes nothing."""
    _a, obs, non = run(_br(risk="risk", answers={"br-large-scale": True}))
    assert "BR/ANPD/loja" not in obs
    assert "counts only at risk 'high'" in non[("BR", "br-anpd")].reason


# --- encryption with and without the key, GDPR and a US state --------------------------


def _eu(encrypted: bool, key: bool) -> Situation:
    s = situation(
        {("FR", "shop-fr"): 900}, {"name", "health"}, "attack", AWARE, "high", {"shop-fr": "FR"}
    )
    return _with(s, encrypted=encrypted, key_compromised=key)


def test_gdpr_encryption_without_key_spares_data_subjects_not_the_sa() -> None:
    """GDPR Art. 34(3)(a): no communication to data subjects when encryption rendered the
    data unintelligible; Art. 33(1) still requires the SA notice."""
    _, obs, non = run(_eu(encrypted=True, key=False))
    assert "FR/CNIL/shop-fr" in obs
    assert "GDPR Art. 34(3)(a)" in non[("FR", "eu-individuals")].reason


def test_gdpr_encryption_with_key_compromised_notifies_data_subjects() -> None:
    """GDPR Art. 34(3)(a): data is not unintelligible once the key is compromised."""
    _, obs, _ = run(_eu(encrypted=True, key=True))
    ind = obs["FR/individuals/shop-fr"]
    assert "key (or means to read it) was also compromised" in ind.exemptions[0]


def test_massachusetts_encryption_shorthand_with_and_without_key() -> None:
    """Mass. Gen. Laws ch. 93H, § 1 ("encrypted") and § 3: encrypted data is covered only
    with its key; ``encrypted_exempt: true`` is the shorthand for that exemption."""
    base = situation(
        {("US-MA", "shop"): 40}, {"name", "ssn"}, "attack", AWARE, "high", {"shop": "US"}
    )
    _, obs, _ = run(_with(base, encrypted=True))
    assert "US-MA/individuals/shop" not in obs
    _, obs, _ = run(_with(base, encrypted=True, key_compromised=True))
    assert "US-MA/individuals/shop" in obs


def test_gdpr_subsequent_measures_question_then_answer() -> None:
    """GDPR Art. 34(3)(b): left to the controller; asked while unanswered, and a yes stops
    the communication to data subjects."""
    s = _eu(encrypted=False, key=False)
    a, obs, _ = run(s)
    assert "FR/individuals/shop-fr" in obs
    assert any(q.id == "eu-subsequent-measures" and q.if_yes == "exempt" for q in a.open_questions)
    _, obs, non = run(_with(s, answers={"eu-subsequent-measures": True}))
    assert "FR/individuals/shop-fr" not in obs and "FR/CNIL/shop-fr" in obs
    assert "answered yes to eu-subsequent-measures" in non[("FR", "eu-individuals")].reason


# --- provenance shown, content as data ------------------------------------------------


def test_unverified_rules_are_marked_in_obligations_and_non_obligations() -> None:
    """Issue 11, honest provenance: a rule not compared with its text (UK GDPR Arts. 33-34
    here: no full text was reachable) is marked on its obligation, its non-obligation and
    in the printed assessment."""
    gb = {("GB", "shop-uk"): 12}
    s = situation(gb, {"name", "email"}, "technical-error", AWARE, "risk", {"shop-uk": "GB"})
    a, obs, non = run(s)
    assert not obs["GB/ICO/shop-uk"].verified
    assert UNVERIFIED_NOTE in obs["GB/ICO/shop-uk"].notes
    assert "[unverified: not compared with the statute text" in _text(a)
    # risk but no high risk: no notice to individuals, and that answer is marked too
    assert non[("GB", "gb-individuals")].verified is False


def test_verified_gdpr_rule_carries_no_unverified_mark() -> None:
    """GDPR Art. 33(1): compared with the text on 2026-11-30, so no [unverified] note."""
    _, obs, _ = run(_eu(encrypted=False, key=False))
    sa = obs["FR/CNIL/shop-fr"]
    assert sa.verified and UNVERIFIED_NOTE not in sa.notes
    assert str(sa.last_verified) == "2026-11-30"


def test_massachusetts_notice_content_is_data() -> None:
    """Mass. Gen. Laws ch. 93H, § 3(b): the resident notice must include the police-report
    and security-freeze information and must not describe the breach."""
    required, forbidden = notice_content("US-MA")
    assert {"police_report", "security_freeze"} <= set(required)
    assert "breach_description" not in required
    assert forbidden, "93H § 3(b) forbids content; the rule must list it"
    _, obs, _ = run(
        situation({("US-MA", "shop"): 40}, {"name", "ssn"}, "attack", AWARE, "high", {"shop": "US"})
    )
    ind = obs["US-MA/individuals/shop"]
    assert {"police_report", "security_freeze"} <= set(ind.content_required_ids)
    assert ind.content_forbidden == forbidden


def test_notice_content_of_a_gdpr_country() -> None:
    """GDPR Art. 34(2) with Art. 33(3)(b)-(d): nature, contact point, consequences, measures."""
    content = notice_content("fr")
    assert content.required_ids == [
        "breach_description",
        "contact",
        "consequences",
        "measures",
        "advice",
    ]
    assert content.forbidden == [] and content.forbidden_ids == []
