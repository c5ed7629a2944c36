"""Deadlines: business days over weekends and the recipient's holidays, and DST."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from breachdesk.law import deadlines
from tests.law.builders import run, situation, utc


def test_brazil_three_business_days_skip_weekend_and_tiradentes() -> None:
    """Aware Friday 17 April 2026 12:00 in Brasília; Tue 21 April is Tiradentes."""
    s = situation(
        {("BR", "loja"): 80},
        {"name", "payment_card"},
        "attack",
        "2026-04-17T15:00:00+00:00",
        "high",
        {"loja": "BR"},
    )
    _, obs, _ = run(s)
    anpd = obs["BR/ANPD/loja"]
    # Mon 20 (1), Tue 21 holiday, Wed 22 (2), Thu 23 (3)
    assert anpd.due_at == utc("2026-04-23T15:00:00+00:00")
    assert anpd.due_at.astimezone(ZoneInfo("America/Sao_Paulo")).hour == 12
    assert anpd.deadline_text == "3 business days after awareness"
    assert obs["BR/individuals/loja"].due_at == anpd.due_at
    assert obs["BR/register/loja"].due_at is None


def test_vermont_fourteen_business_days_skip_thanksgiving() -> None:
    """Aware Monday 23 November 2026 09:00 EST; Thursday 26 November is Thanksgiving."""
    s = situation(
        {("US-VT", "shop"): 10},
        {"name", "ssn"},
        "attack",
        "2026-11-23T14:00:00+00:00",
        "high",
        {"shop": "US"},
    )
    _, obs, _ = run(s)
    ag = obs["US-VT/AG/shop"]
    assert ag.deadline_text.endswith("14 business days after discovery")
    assert ag.due_at == utc("2026-12-14T14:00:00+00:00")
    assert obs["US-VT/individuals/shop"].due_at == utc("2027-01-07T14:00:00+00:00")


def test_business_days_from_a_saturday_start_on_monday() -> None:
    start = datetime(2026, 4, 4, 10, 0, tzinfo=ZoneInfo("America/Sao_Paulo"))  # Saturday
    due = deadlines.add(start, 1, "business_days", "America/Sao_Paulo", "BR")
    assert due.astimezone(ZoneInfo("America/Sao_Paulo")).date().isoformat() == "2026-04-06"


def test_calendar_days_keep_wall_time_across_us_dst() -> None:
    """California: 30 days after 09:00 PST on 1 March is 09:00 PDT on 31 March (8 March DST);
    the AG's sample notice is due 15 days after that."""
    s = situation(
        {("US-CA", "shop"): 501},
        {"credentials"},
        "attack",
        "2026-03-01T17:00:00+00:00",
        "high",
        {"shop": "US"},
    )
    _, obs, _ = run(s)
    ind = obs["US-CA/individuals/shop"]
    assert ind.due_at == utc("2026-03-31T16:00:00+00:00")  # 30 x 24 h - 1 h
    assert ind.due_at.astimezone(ZoneInfo("America/Los_Angeles")).hour == 9
    ag = obs["US-CA/AG/shop"]
    assert ag.due_at == utc("2026-04-15T16:00:00+00:00")
    assert ag.deadline_text == "15 calendar days after notifying affected California residents"


def test_hours_are_elapsed_time_across_eu_dst() -> None:
    """72 h from 09:30 UTC Friday 27 March 2026 is 09:30 UTC Monday, 11:30 CEST in Paris."""
    s = situation(
        {("FR", "shop"): 5},
        {"name", "email"},
        "attack",
        "2026-03-27T09:30:00+00:00",
        "risk",
        {"shop": "FR"},
    )
    _, obs, _ = run(s)
    cnil = obs["FR/CNIL/shop"]
    assert cnil.due_at == utc("2026-03-30T09:30:00+00:00")
    local = cnil.due_at.astimezone(ZoneInfo(cnil.timezone))
    assert (local.hour, local.minute, local.tzname()) == (11, 30, "CEST")


def test_calendar_days_across_the_autumn_change() -> None:
    """Texas AG: 30 days from 09:00 CDT on 15 October 2026 is 09:00 CST on 14 November."""
    s = situation(
        {("US-TX", "shop"): 250},
        {"name", "ssn"},
        "attack",
        "2026-10-15T14:00:00+00:00",
        "high",
        {"shop": "US"},
    )
    _, obs, _ = run(s)
    assert obs["US-TX/AG/shop"].due_at == utc("2026-11-14T15:00:00+00:00")
    assert obs["US-TX/individuals/shop"].due_at == utc("2026-12-14T15:00:00+00:00")


def test_maryland_ag_is_due_before_the_residents() -> None:
    s = situation(
        {("US-MD", "shop"): 3},
        {"name", "ssn"},
        "attack",
        "2026-02-02T14:00:00+00:00",
        "high",
        {"shop": "US"},
    )
    _, obs, _ = run(s)
    ag, ind = obs["US-MD/AG/shop"], obs["US-MD/individuals/shop"]
    assert ind.due_at == utc("2026-03-19T13:00:00+00:00")  # 45 days; DST on 8 March
    assert ag.due_at == ind.due_at
    assert ag.deadline_text == "before notifying affected Maryland residents"


def test_time_left_text() -> None:
    now = datetime(2026, 3, 28, 9, 0, tzinfo=UTC)
    assert deadlines.time_left(utc("2026-03-30T09:30:00+00:00"), now) == "2d 00h left"
    assert deadlines.time_left(utc("2026-03-28T07:45:00+00:00"), now) == "1h 15m overdue"
    assert deadlines.time_left(None, now) == "-"


@given(
    st.datetimes(
        min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
    ),
    st.integers(min_value=1, max_value=30),
)
def test_business_days_land_on_a_business_day_after_start(start: datetime, n: int) -> None:
    due = deadlines.add(start, n, "business_days", "Europe/Berlin", "DE")
    local = due.astimezone(ZoneInfo("Europe/Berlin"))
    assert deadlines.is_business_day(local.date(), "DE")
    assert due > start
    assert (local.date() - start.astimezone(ZoneInfo("Europe/Berlin")).date()).days >= n


@pytest.mark.parametrize("unit", ["hours", "calendar_days", "business_days"])
def test_zero_amount_is_the_start(unit: str) -> None:
    start = datetime(2026, 7, 1, 12, tzinfo=UTC)
    assert deadlines.add(start, 0, unit, "Europe/London", "GB-ENG") == start
