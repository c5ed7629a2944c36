"""The two public cases in the issue, replayed under today's rules.

2018: a technical error showed customers' names and emails to other shoppers, with
customers in GB, DE, FR, US-CA, US-TX, CA-ON and JP. The UK customers' accounts are
held by the UK company, the EU ones by the German company, the rest by the Canadian
branch; each notifies its own customers and regulators follow its establishment.

2020: an insider gave customers' email addresses to a third party.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from breachdesk.law.engine import UNVERIFIED_NOTE
from breachdesk.law.risk import RiskOverride, assess_risk
from tests.law.builders import run, situation, utc

GROUPS_2018 = {
    ("GB", "shop-uk"): 412,
    ("DE", "shop-eu"): 97,
    ("FR", "shop-eu"): 55,
    ("US-CA", "shop-ca"): 230,
    ("US-TX", "shop-ca"): 61,
    ("CA-ON", "shop-ca"): 38,
    ("JP", "shop-ca"): 12,
}
ENTITIES_2018 = {"shop-uk": "GB", "shop-eu": "DE", "shop-ca": "CA"}
# Friday 09:30 UTC; Europe switches to summer time on Sunday 29 March 2026.
AWARE_2018 = "2026-03-27T09:30:00+00:00"


def _risk_2018() -> str:
    computed = assess_risk({"name", "email"}, sum(GROUPS_2018.values()), "technical-error")
    assert (computed.dpc.value, computed.ei.value, computed.cb.value) == (1, 1, 0.5)
    assert (computed.se, computed.band, computed.level) == (1.5, "low", "unlikely")
    override = RiskOverride(
        field="level",
        value="risk",
        reason="shown to unknown other shoppers; UODO fined ENEA for not notifying a like leak",
    )
    decided = assess_risk(
        {"name", "email"}, sum(GROUPS_2018.values()), "technical-error", overrides=[override]
    )
    assert decided.level == "risk"
    assert decided.overrides == [override]
    assert "overridden 'unlikely' -> 'risk'" in decided.level_explanation[-1]
    return decided.level


def test_2018_obligations_exactly() -> None:
    s = situation(
        GROUPS_2018, {"name", "email"}, "technical-error", AWARE_2018, _risk_2018(), ENTITIES_2018
    )
    a, obs, _ = run(s)
    assert set(obs) == {
        "GB/ICO/shop-uk",
        "DE/DE-SA/shop-eu",
        "GB/register/shop-uk",
        "EU/register/shop-eu",
        "CA/register/shop-ca",
    }
    ico = obs["GB/ICO/shop-uk"]
    assert (ico.recipient_kind, ico.entity, ico.residents) == ("regulator", "shop-uk", 412)
    assert ico.due_at == utc("2026-03-30T09:30:00+00:00")
    # 72 real hours across the DST change: 09:30 GMT on Friday, 10:30 BST on Monday
    assert ico.due_at.astimezone(ZoneInfo(ico.timezone)).isoformat() == "2026-03-30T10:30:00+01:00"
    assert ico.citation == "UK GDPR Art. 33(1), 33(3)"
    assert ico.deadline_text == "without undue delay; at the latest 72 hours after awareness"

    lead = obs["DE/DE-SA/shop-eu"]
    assert lead.residents == 97 + 55 and lead.jurisdiction == "DE"
    assert lead.due_at == utc("2026-03-30T09:30:00+00:00")
    assert lead.timezone == "Europe/Berlin"
    assert any("lead supervisory authority" in n for n in lead.notes)
    assert "residents: DE 97, FR 55" in lead.notes

    assert obs["CA/register/shop-ca"].citation.startswith("PIPEDA s. 10.3")
    assert obs["EU/register/shop-eu"].citation == "GDPR Art. 33(5)"
    assert all(o.due_at is None for k, o in obs.items() if "/register/" in k)
    assert a.unknown == []


def test_2018_non_obligations_and_reasons() -> None:
    s = situation(
        GROUPS_2018, {"name", "email"}, "technical-error", AWARE_2018, "risk", ENTITIES_2018
    )
    _, _, non = run(s)
    assert set(non) == {
        ("GB", "gb-individuals"),
        ("DE", "eu-individuals"),
        ("FR", "eu-individuals"),
        ("CA", "ca-opc"),
        ("CA", "ca-individuals"),
        ("CA", "ca-other-orgs"),
        ("JP", "jp-ppc-preliminary"),
        ("JP", "jp-ppc-final"),
        ("JP", "jp-ppc-final-wrongful"),
        ("JP", "jp-individuals"),
        ("US-CA", "us-ca-individuals"),
        ("US-CA", "us-ca-ag"),
        ("US-TX", "us-tx-individuals"),
        ("US-TX", "us-tx-ag"),
        ("US-TX", "us-tx-cra"),
    }
    ca = non[("US-CA", "us-ca-individuals")]
    assert (ca.entity, ca.residents) == ("shop-ca", 230)
    assert 'name + email alone is not "personal information" under Cal. Civ. Code § 1798.82(h)' in (
        ca.reason
    )
    assert non[("US-TX", "us-tx-individuals")].reason.endswith(
        'name + email alone is not "sensitive personal information" under '
        "Tex. Bus. & Com. Code § 521.002(a)(2)"
    )
    assert non[("US-TX", "us-tx-ag")].reason.endswith("61 residents, the rule needs >= 250")
    assert non[("GB", "gb-individuals")].reason.endswith(
        "risk assessed as 'risk', the rule needs at least 'high'"
    )
    jp = non[("JP", "jp-ppc-preliminary")].reason
    assert "cause 'technical-error' is not one of attack, insider" in jp
    assert "12 residents, the rule needs > 1,000" in jp
    assert non[("CA", "ca-opc")].residents == 38


def test_2018_uk_customers_are_notified_by_the_uk_company_not_the_finder() -> None:
    """The Canadian branch found the leak; the UK company still notifies its customers."""
    s = situation(
        GROUPS_2018, {"name", "email"}, "technical-error", AWARE_2018, "high", ENTITIES_2018
    )
    _, obs, _ = run(s)
    uk = [
        o
        for o in obs.values()
        if o.jurisdiction == "GB" and o.recipient_kind != "internal_register"
    ]
    assert {(o.key, o.entity) for o in uk} == {
        ("GB/ICO/shop-uk", "shop-uk"),
        ("GB/individuals/shop-uk", "shop-uk"),
    }
    assert "shop-ca" not in {o.entity for o in uk}


def test_2018_uk_accounts_held_abroad_still_go_to_the_ico() -> None:
    """Had the Canadian branch held the UK accounts, it would notify the ICO itself."""
    groups = {("GB", "shop-ca"): 412, ("US-CA", "shop-ca"): 230}
    s = situation(
        groups, {"name", "email"}, "technical-error", AWARE_2018, "risk", {"shop-ca": "CA"}
    )
    _, obs, _ = run(s)
    assert set(obs) == {"GB/ICO/shop-ca", "GB/register/shop-ca", "CA/register/shop-ca"}


INSIDER_GROUPS = {
    ("GB", "shop-uk"): 1200,
    ("US-CA", "shop-us"): 800,
    ("US-NY", "shop-us"): 300,
    ("JP", "shop-us"): 50,
}
AWARE_2020 = "2026-10-23T16:00:00+00:00"


def test_2020_insider_risk_is_computed_and_explained() -> None:
    r = assess_risk({"email"}, sum(INSIDER_GROUPS.values()), "insider")
    assert (r.dpc.value, r.ei.value, r.cb.value, r.se, r.band) == (1, 0.75, 0.75, 1.5, "low")
    assert "+0.25: loss of confidentiality, known recipients (derived from cause 'insider')" in (
        r.cb.explanation
    )
    assert "+0.5: malicious intent: yes (derived from cause 'insider')" in r.cb.explanation
    assert r.level == "risk"  # 2,350 people >= 1,000: raised from 'unlikely'
    assert r.level_explanation[0] == "band low maps to GDPR level 'unlikely'"


def test_2020_insider_obligations_exactly() -> None:
    r = assess_risk({"email"}, sum(INSIDER_GROUPS.values()), "insider")
    s = situation(
        INSIDER_GROUPS,
        {"email"},
        "insider",
        AWARE_2020,
        r.level,
        {"shop-uk": "GB", "shop-us": "US"},
    )
    a, obs, non = run(s)
    assert set(obs) == {
        "GB/ICO/shop-uk",
        "JP/PPC-preliminary/shop-us",
        "JP/PPC-final/shop-us",
        "JP/individuals/shop-us",
        "GB/register/shop-uk",
        "*/register/shop-us",
    }
    assert obs["GB/ICO/shop-uk"].due_at == utc("2026-10-26T16:00:00+00:00")
    pre = obs["JP/PPC-preliminary/shop-us"]
    assert pre.due_at == utc("2026-10-28T16:00:00+00:00")
    assert pre.due_at.astimezone(ZoneInfo("Asia/Tokyo")) == datetime(
        2026, 10, 29, 1, 0, tzinfo=ZoneInfo("Asia/Tokyo")
    )
    final = obs["JP/PPC-final/shop-us"]
    assert final.rule_id == "jp-ppc-final-wrongful"
    assert final.due_at == utc("2026-12-22T16:00:00+00:00")
    assert obs["JP/individuals/shop-us"].due_at is None
    assert obs["*/register/shop-us"].rule_id == "good-practice-register"
    # APPI Art. 26 and Rules Arts. 7-10 compared with the e-Gov text on 2026-12-01
    assert obs["JP/PPC-preliminary/shop-us"].verified
    assert UNVERIFIED_NOTE not in pre.notes
    assert set(non) == {
        ("GB", "gb-individuals"),
        ("US-CA", "us-ca-individuals"),
        ("US-CA", "us-ca-ag"),
        ("US-NY", "us-ny-individuals"),
        ("US-NY", "us-ny-ag"),
        ("US-NY", "us-ny-cra"),
        ("JP", "jp-ppc-final"),
    }
    ny = non[("US-NY", "us-ny-individuals")].reason
    assert 'email alone is not "' in ny and ny.endswith("N.Y. Gen. Bus. Law § 899-aa(1)(b)")
    assert a.unknown == []
