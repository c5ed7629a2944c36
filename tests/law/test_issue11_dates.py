"""Issue 11 scenarios: threshold edges, business days across public holidays, a DST
change inside the GDPR 72 hours, and GDPR routing to one or several authorities.

Each test names the provision it checks.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from breachdesk.law import deadlines
from breachdesk.law.engine import default_rulebook
from tests.law.builders import run, situation, utc

AWARE = "2026-06-01T09:00:00+00:00"


def _rule_threshold(stem: str, rule_id: str) -> tuple[str, int]:
    rule = next(r for r in default_rulebook().files[stem].rules if r.id == rule_id)
    t = next(t.threshold for t in rule.triggers if t.threshold is not None)
    return t.op, t.count


# --- threshold edges: 249, 250, 499, 500, 501 -------------------------------------------


@pytest.mark.parametrize(
    ("n", "due"), [(249, False), (250, False), (499, False), (500, True), (501, True)]
)
def test_sg_significant_scale_edges(n: int, due: bool) -> None:
    """PDPA s. 26B(3)(a) with Regs 2021 reg. 4: "not fewer than 500" affected individuals,
    i.e. >= 500; name + email is not prescribed data, so only scale can fire."""
    assert _rule_threshold("sg", "sg-pdpc") == (">=", 500)
    _, obs, non = run(
        situation({("SG", "s"): n}, {"name", "email"}, "attack", AWARE, "risk", {"s": "SG"})
    )
    assert ("SG/PDPC/s" in obs) is due
    if not due:
        assert f"{n:,} residents, the rule needs >= 500" in non[("SG", "sg-pdpc")].reason


@pytest.mark.parametrize("n", [249, 250, 499, 500, 501])
@pytest.mark.parametrize(
    ("stem", "rule_id", "key"),
    [("us-tx", "us-tx-ag", "US-TX/AG/shop"), ("us-ca", "us-ca-ag", "US-CA/AG/shop")],
)
def test_us_attorney_general_threshold_edges(stem: str, rule_id: str, key: str, n: int) -> None:
    """Tex. Bus. & Com. Code § 521.053(i) (at least 250 residents) and Cal. Civ. Code
    § 1798.82(f) (more than 500 residents): the comparison in the rule file is applied
    exactly at 249/250/499/500/501 (name + SSN makes resident notice due)."""
    op, count = _rule_threshold(stem, rule_id)
    code = stem.upper()
    _, obs, non = run(
        situation({(code, "shop"): n}, {"name", "ssn"}, "attack", AWARE, "high", {"shop": "US"})
    )
    expected = n >= count if op == ">=" else n > count
    assert (key in obs) is expected
    if not expected:
        assert f"{n:,} residents, the rule needs {op} {count:,}" in non[(code, rule_id)].reason


def test_texas_and_california_thresholds_are_as_enacted() -> None:
    """Tex. Bus. & Com. Code § 521.053(i): at least 250 residents;
    Cal. Civ. Code § 1798.82(f): more than 500 residents."""
    assert _rule_threshold("us-tx", "us-tx-ag") == (">=", 250)
    assert _rule_threshold("us-ca", "us-ca-ag") == (">", 500)


# --- business days across public holidays ---------------------------------------------


def test_br_three_business_days_skip_tiradentes() -> None:
    """Res. CD/ANPD 15/2024 art. 6: 3 business days; Tiradentes (21 April 2026, a Tuesday)
    is a national holiday, so awareness on Friday 17 April runs to Thursday 23 April."""
    s = situation(
        {("BR", "loja"): 300},
        {"name", "health"},
        "attack",
        "2026-04-17T10:00:00-03:00",
        "high",
        {"loja": "BR"},
    )
    _, obs, _ = run(s)
    due = obs["BR/ANPD/loja"].due_at
    assert due == utc("2026-04-23T13:00:00+00:00")
    assert due.astimezone(ZoneInfo("America/Sao_Paulo")).hour == 10
    assert deadlines.holiday_name(datetime(2026, 4, 21).date(), "BR-DF") is not None


def test_vermont_preliminary_notice_skips_town_meeting_day() -> None:
    """9 V.S.A. § 2435(b)(3): preliminary notice to the Attorney General within 14 business
    days; Town Meeting Day (3 March 2026) is a Vermont holiday, and the US DST change of
    8 March keeps the wall-clock time (09:00 EST -> 09:00 EDT)."""
    s = situation(
        {("US-VT", "shop"): 20},
        {"name", "ssn"},
        "attack",
        "2026-03-02T09:00:00-05:00",
        "high",
        {"shop": "US"},
    )
    _, obs, _ = run(s)
    assert obs["US-VT/AG/shop"].due_at == utc("2026-03-23T13:00:00+00:00")
    assert deadlines.holiday_name(datetime(2026, 3, 3).date(), "US-VT") == "Town Meeting Day"


def test_jp_business_days_skip_golden_week() -> None:
    """Japan's public holidays (Act on National Holidays): Constitution Day (3 May 2026, a
    Sunday), Greenery Day, Children's Day and the substitute holiday on 6 May are skipped,
    so 3 business days from Thursday 30 April end on Friday 8 May."""
    start = datetime.fromisoformat("2026-04-30T09:00:00+09:00")
    due = deadlines.add(start, 3, "business_days", "Asia/Tokyo", "JP")
    assert due.astimezone(ZoneInfo("Asia/Tokyo")) == datetime.fromisoformat(
        "2026-05-08T09:00:00+09:00"
    )
    assert deadlines.holiday_name(datetime(2026, 5, 6).date(), "JP") is not None


def test_jp_preliminary_report_counts_calendar_days_through_golden_week() -> None:
    """APPI Enforcement Rules Art. 8(1) ("promptly", shown as 5 calendar days): calendar
    days run through the holidays, in Tokyo time."""
    s = situation(
        {("JP", "shop-jp"): 1001},
        {"name", "email"},
        "technical-error",
        "2026-04-30T09:00:00+09:00",
        "risk",
        {"shop-jp": "JP"},
    )
    _, obs, _ = run(s)
    assert obs["JP/PPC-preliminary/shop-jp"].due_at == utc("2026-05-05T00:00:00+00:00")


# --- DST inside a 72-hour window --------------------------------------------------------


def test_gdpr_72_hours_are_elapsed_hours_across_the_spring_dst_change() -> None:
    """GDPR Art. 33(1): "not later than 72 hours after having become aware"; EU clocks go
    forward on 29 March 2026, so 09:00 CET on 27 March is due at 10:00 CEST on 30 March."""
    aware = "2026-03-27T09:00:00+01:00"
    s = situation(
        {("FR", "shop-fr"): 50}, {"name", "email"}, "attack", aware, "risk", {"shop-fr": "FR"}
    )
    _, obs, _ = run(s)
    due = obs["FR/CNIL/shop-fr"].due_at
    assert due is not None and due - utc(aware) == timedelta(hours=72)
    assert due.astimezone(ZoneInfo("Europe/Paris")).isoformat() == "2026-03-30T10:00:00+02:00"


def test_gdpr_72_hours_across_the_autumn_dst_change() -> None:
    """GDPR Art. 33(1): clocks go back on 25 October 2026; 72 real hours from 09:00 CEST
    on 23 October end at 08:00 CET on 26 October."""
    aware = "2026-10-23T09:00:00+02:00"
    s = situation(
        {("DE", "shop-de"): 50}, {"name", "email"}, "attack", aware, "risk", {"shop-de": "DE"}
    )
    _, obs, _ = run(s)
    due = obs["DE/DE-SA/shop-de"].due_at
    assert due is not None and due - utc(aware) == timedelta(hours=72)
    assert due.astimezone(ZoneInfo("Europe/Berlin")).isoformat() == "2026-10-26T08:00:00+01:00"


# --- GDPR routing ---------------------------------------------------------------------

FIVE = {"DE": 400, "FR": 300, "IT": 200, "ES": 100, "NL": 50}


def test_irish_lead_authority_for_residents_in_five_member_states() -> None:
    """GDPR Art. 56(1), (6): a controller with its main establishment in Ireland notifies
    the Data Protection Commission, as lead authority, of all EU residents; data subjects
    in each member state are told by the controller."""
    s = situation(
        {(c, "app-ie"): n for c, n in FIVE.items()},
        {"name", "email", "password"},
        "attack",
        AWARE,
        "high",
        {"app-ie": "IE"},
    )
    a, _obs, _ = run(s)
    regs = [o for o in a.obligations if o.recipient_kind == "regulator"]
    assert [o.key for o in regs] == ["IE/DPC/app-ie"]
    dpc = regs[0]
    assert dpc.recipient == "Data Protection Commission (DPC)" and dpc.residents == 1050
    assert "(Art. 56)" in dpc.notes[0] and dpc.timezone == "Europe/Dublin"
    assert {o.jurisdiction for o in a.obligations if o.recipient_kind == "individuals"} == set(FIVE)


def test_non_eu_controller_notifies_every_authority_where_subjects_live() -> None:
    """GDPR Arts. 3(2), 33(1), 55 and EDPB Guidelines 9/2022 para 73: a controller with no
    EU establishment has no lead authority and notifies each SA where subjects live."""
    s = situation(
        {("DE", "us-app"): 10, ("FR", "us-app"): 20, ("PL", "us-app"): 30},
        {"name", "email"},
        "attack",
        AWARE,
        "risk",
        {"us-app": "US"},
    )
    a, _obs, _ = run(s)
    regs = {o.key: o for o in a.obligations if o.recipient_kind == "regulator"}
    assert set(regs) == {"DE/DE-SA/us-app", "FR/CNIL/us-app", "PL/UODO/us-app"}
    assert regs["PL/UODO/us-app"].timezone == "Europe/Warsaw"
    assert all(any("para 73" in n for n in o.notes) for o in regs.values())
