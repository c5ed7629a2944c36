"""Property tests for the small parsers incident commands rely on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from breachdesk.errors import UsageError
from breachdesk.incident.attach import parse_fields
from breachdesk.incident.fields import KNOWN_FIELDS
from breachdesk.incident.lifecycle import parse_time
from breachdesk.incident.risk import RANGES, parse_override

offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda m: timezone(timedelta(minutes=m))
)
times = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=offsets
)


@given(times)
def test_parse_time_roundtrips_any_offset_to_utc(dt: datetime) -> None:
    parsed = parse_time(dt.isoformat(), "--became-aware-at")
    assert parsed == dt and parsed.tzinfo == UTC


@given(st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1)))
def test_parse_time_refuses_naive(dt: datetime) -> None:
    with pytest.raises(UsageError, match="no time zone"):
        parse_time(dt.isoformat(), "--since")


@given(st.lists(st.sampled_from(KNOWN_FIELDS), min_size=1), st.sampled_from(["", " "]))
def test_parse_fields_is_sorted_and_unique(names: list[str], pad: str) -> None:
    text = ",".join(f"{pad}{n.upper()}{pad}" for n in names)
    out = parse_fields(text, "x").split(",")
    assert out == sorted(set(out)) and set(out) == set(names)


@given(st.sampled_from(sorted(RANGES)), st.floats(allow_nan=False, allow_infinity=False))
def test_parse_override_accepts_exactly_the_range(factor: str, value: float) -> None:
    lo, hi = RANGES[factor]
    text = f"{factor.upper()}={value!r}"
    if lo <= value <= hi:
        assert parse_override(text) == (factor, str(value))
    else:
        with pytest.raises(UsageError):
            parse_override(text)
