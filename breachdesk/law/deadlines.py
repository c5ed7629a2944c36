"""Deadline arithmetic in the recipient's time zone.

- ``hours`` are elapsed time: 72 h is 72 real hours, whatever the wall clock does at a
  DST change.
- ``calendar_days`` keep the wall-clock time in the recipient's zone: 30 days after
  09:00 local is 09:00 local, so across a DST change the UTC span is 30 x 24 h ± 1 h.
- ``business_days`` skip Saturdays, Sundays and the public holidays of the recipient's
  country or subdivision (``holidays`` package), and keep the wall-clock time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays


@lru_cache(maxsize=256)
def _calendar(code: str, year: int) -> frozenset[date]:
    country, _, subdiv = code.partition("-")
    try:
        cal = holidays.country_holidays(country, subdiv=subdiv or None, years=year)
    except NotImplementedError:
        try:
            cal = holidays.country_holidays(country, years=year)
        except NotImplementedError:
            return frozenset()
    return frozenset(cal.keys())


def is_business_day(day: date, calendar: str | None) -> bool:
    if day.weekday() >= 5:
        return False
    return calendar is None or day not in _calendar(calendar, day.year)


def holiday_name(day: date, calendar: str) -> str | None:
    country, _, subdiv = calendar.partition("-")
    try:
        cal = holidays.country_holidays(country, subdiv=subdiv or None, years=day.year)
    except NotImplementedError:
        return None
    name = cal.get(day)
    return str(name) if name is not None else None


def _wall(local_naive: datetime, zone: ZoneInfo) -> datetime:
    return local_naive.replace(tzinfo=zone).astimezone(UTC)


def add(start: datetime, amount: int, unit: str, tz: str, calendar: str | None) -> datetime:
    """The UTC instant ``amount`` ``unit`` after ``start`` (tz-aware), in zone ``tz``."""
    if unit == "hours":
        return start.astimezone(UTC) + timedelta(hours=amount)
    zone = ZoneInfo(tz)
    local = start.astimezone(zone).replace(tzinfo=None)
    if unit == "calendar_days":
        return _wall(local + timedelta(days=amount), zone)
    if unit == "business_days":
        day = local.date()
        left = amount
        while left > 0:
            day += timedelta(days=1)
            if is_business_day(day, calendar):
                left -= 1
        return _wall(datetime.combine(day, local.time()), zone)
    raise ValueError(f"unknown deadline unit {unit!r}")


def unit_text(amount: int, unit: str) -> str:
    words = {"hours": "hour", "calendar_days": "calendar day", "business_days": "business day"}
    word = words[unit]
    return f"{amount} {word}{'' if amount == 1 else 's'}"


def time_left(due: datetime | None, now: datetime) -> str:
    """'2d 03h left', '5h 10m overdue', or '-' when there is no fixed time."""
    if due is None:
        return "-"
    delta = due - now
    overdue = delta.total_seconds() < 0
    secs = int(abs(delta.total_seconds()))
    days, rem = divmod(secs, 86400)
    hours, rem = divmod(rem, 3600)
    text = f"{days}d {hours:02d}h" if days else f"{hours}h {rem // 60:02d}m"
    return f"{text} {'overdue' if overdue else 'left'}"
