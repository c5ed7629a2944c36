"""Normalise identifiers so that the same address or number always hashes the same.

- emails: NFKC + case-fold of the local part; the domain goes to its IDNA A-label
  (``bücher.example`` -> ``xn--bcher-kva.example``);
- phones: E.164 via ``phonenumbers``;
- names: NFKC, case-folded word tokens (so ``JOSÉ  García`` == ``josé garcía``).
"""

from __future__ import annotations

import re
import unicodedata

import idna
import phonenumbers

_LOCAL_OK = re.compile(r"^[^\s@\"(),:;<>\[\]\\]{1,64}$")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_WORD = re.compile(r"\w+", re.UNICODE)
E164 = re.compile(r"^\+[1-9]\d{6,14}$")


class NormaliseError(ValueError):
    """The value cannot be normalised; ``str()`` says why without echoing the value."""


def normalise_domain(domain: str) -> str:
    domain = domain.strip().rstrip(".")
    if not domain:
        raise NormaliseError("empty domain")
    if domain.isascii():
        domain = domain.lower()
    else:
        try:
            domain = idna.encode(domain, uts46=True).decode("ascii")
        except idna.IDNAError:
            raise NormaliseError("domain is not a valid internationalised name") from None
    labels = domain.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise NormaliseError("domain is not a valid host name")
    if labels[-1].isdigit():
        raise NormaliseError("domain has a numeric top-level label")
    return domain


def normalise_email(value: str) -> str:
    """Return the canonical form of an email address, or raise ``NormaliseError``."""
    value = value.strip()
    if value.count("@") != 1:
        raise NormaliseError("email must contain exactly one '@'")
    local, domain = value.split("@")
    local = unicodedata.normalize("NFKC", local).casefold()
    if not _LOCAL_OK.match(local) or local.startswith(".") or local.endswith(".") or ".." in local:
        raise NormaliseError("email local part is not valid")
    return f"{local}@{normalise_domain(domain)}"


def normalise_phone(value: str, region: str | None) -> str:
    """Return E.164 (``+447700900123``) for a phone written in any common format."""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        raise NormaliseError("phone is not a recognisable number") from None
    if not phonenumbers.is_valid_number(number):
        raise NormaliseError(f"phone is not a valid number for region {region or '?'}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def name_tokens(value: str) -> list[str]:
    """Word tokens of a name, NFKC-normalised and case-folded."""
    return _WORD.findall(unicodedata.normalize("NFKC", value).casefold())
