from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from breachdesk.registry.normalize import (
    NormaliseError,
    name_tokens,
    normalise_email,
    normalise_phone,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Alice@Example.COM", "alice@example.com"),
        ("  bob.smith+tag@shop.example.co.uk ", "bob.smith+tag@shop.example.co.uk"),
        ("müller@bücher.de", "müller@xn--bcher-kva.de"),
        ("MÜLLER@BÜCHER.DE", "müller@xn--bcher-kva.de"),
        ("x@xn--bcher-kva.de", "x@xn--bcher-kva.de"),
        ("Straße@example.com", "strasse@example.com"),
    ],
)
def test_email_normalisation(raw: str, expected: str) -> None:
    assert normalise_email(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "no-at-sign",
        "a@b@c.com",
        "@example.com",
        "a@",
        "a..b@example.com",
        "a@-bad-.com",
        "a@localhost",
        ".a@example.com",
    ],
)
def test_invalid_emails_are_rejected_with_a_reason(raw: str) -> None:
    with pytest.raises(NormaliseError) as exc:
        normalise_email(raw)
    assert raw not in str(exc.value)  # the reason never echoes the value


@given(st.emails())
def test_normalisation_is_idempotent(email: str) -> None:
    try:
        once = normalise_email(email)
    except NormaliseError:
        return
    assert normalise_email(once) == once
    assert normalise_email(email.upper()) == once or not email.isascii()


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("020 7946 0018", "GB", "+442079460018"),
        ("+44 20 7946 0018", None, "+442079460018"),
        ("(201) 555-0123", "US", "+12015550123"),
        ("030 901820", "DE", "+4930901820"),
    ],
)
def test_phone_to_e164(raw: str, region: str | None, expected: str) -> None:
    assert normalise_phone(raw, region) == expected


def test_invalid_phone() -> None:
    with pytest.raises(NormaliseError):
        normalise_phone("12", "GB")


def test_name_tokens_fold_case_and_width() -> None:
    assert name_tokens("JOSÉ  García-López") == ["josé", "garcía", "lópez"]
    assert name_tokens("Ｊａｎｅ Doe") == ["jane", "doe"]
