from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from breachdesk.detect.candidates import iter_phone_candidates
from breachdesk.detect.redact import mask_email, redact
from breachdesk.detect.reference import iter_addresses

EMAILS = [
    (b"contact alice@example.com today", ["alice@example.com"]),
    (b'<a href="mailto:Alice@Example.COM">', ["alice@example.com"]),
    (rb'{"body":"line one\nalice@example.com"}', ["alice@example.com"]),
    (rb'{"body":"\u003ctd\u003ealice@example.com\u003c/td\u003e"}', ["alice@example.com"]),
    ("müller@bücher.de".encode(), ["müller@xn--bcher-kva.de"]),
    (b"@media screen and (max-width: 600px) { @font-face {} }", []),
    (b"@import url(x.css); user@localhost", []),
    (b"end of sentence: bob@shop.example.co.uk.", ["bob@shop.example.co.uk"]),
    (b"..dots@example.com", ["dots@example.com"]),
    (b"price 3@4.00", []),
]


@pytest.mark.parametrize(("buf", "expected"), EMAILS)
def test_email_candidates(buf: bytes, expected: list[str]) -> None:
    assert [f.value for f in iter_addresses(buf)] == expected


def test_an_escaped_letter_is_decoded() -> None:
    got = [f.value for f in iter_addresses(rb'"jos\u00e9@example.com"')]
    assert got == ["josé@example.com"]


@pytest.mark.parametrize(
    ("buf", "expected"),
    [
        (b"call +44 20 7946 0018 now", ["+442079460018"]),
        (b"tel:+1-201-555-0123", ["+12015550123"]),
        (b"a+b=c; x+1", []),
    ],
)
def test_phone_candidates(buf: bytes, expected: list[str]) -> None:
    assert [c.value for c in iter_phone_candidates(buf)] == expected


@given(st.emails())
def test_any_valid_email_is_found_in_text(email: str) -> None:
    if not email.isascii() or any(ch in email.split("@")[0] for ch in "!#$&'*/=?^`{|}~"):
        return
    buf = f"<p>{email}</p>".encode()
    found = [f.value for f in iter_addresses(buf)]
    assert email.lower().rstrip(".") in found or not found or "." not in email.split("@")[1]


def test_redaction_masks_emails_digits_and_name_words() -> None:
    out = redact("Alice Smith <alice@example.com> +44 20 7946 0018 order 12", ["alice", "smith"])
    assert "alice@" not in out.lower() and "Smith" not in out and "7946" not in out
    assert "a***@e***.com" in out and "[##########18]" in out and "order 12" in out
    assert mask_email("x@y") == "x***@***"


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("2018-11-20T10:00:00Z", "2018-11-20T10:00:00+00:00"),
        ("2018-11-20T11:00:00+01:00", "2018-11-20T11:00:00+01:00"),
        ("2018-11-20 10:00:00", "2018-11-20T10:00:00+00:00"),
        (1542708000, "2018-11-20T10:00:00+00:00"),
        (1542708000000, "2018-11-20T10:00:00+00:00"),
        ("yesterday", None),
        (None, None),
        (True, None),
    ],
)
def test_response_timestamps(value: object, iso: str | None) -> None:
    from breachdesk.detect.formats.response_log import parse_ts

    ts = parse_ts(value)
    assert (ts.isoformat() if ts else None) == iso
