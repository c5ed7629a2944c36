"""Normalise identifiers so that the same address or number always hashes the same.

- emails: NFKC + case-fold of the local part; the domain goes to its IDNA A-label
  (``bücher.example`` -> ``xn--bcher-kva.example``);
- phones: E.164 via ``phonenumbers``;
- names: NFKC, case-folded word tokens (so ``JOSÉ  García`` == ``josé garcía``).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import idna

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


_PUNCT = re.compile(r"[\s().\-/\u00a0]+")
_DIGITS = re.compile(r"^\+?\d+$")
MAX_PHONE_CHARS = 40  # E.164 has at most 15 digits; generous room for extensions


@lru_cache(maxsize=512)
def _region(region: str) -> tuple[int, str] | None:
    """(country calling code, national trunk prefix) from phonenumbers' metadata."""
    import phonenumbers  # loaded on first use: a scan may never meet a phone

    meta = phonenumbers.PhoneMetadata.metadata_for_region(region, None)
    if meta is None or meta.country_code is None:
        return None
    return meta.country_code, meta.national_prefix or ""


def normalise_phone(value: str, region: str | None) -> str:
    """Return E.164 (``+442079460018``) for a phone written in any common format.

    Plain international and national forms are assembled from phonenumbers' own
    metadata (calling code, trunk prefix) and checked with ``is_possible_number``;
    anything else (letters, extensions, odd prefixes) goes through its full parser.
    """
    import phonenumbers

    compact = _PUNCT.sub("", value)
    if len(compact) > MAX_PHONE_CHARS:
        raise NormaliseError(f"phone has {len(compact):,} characters; no number has so many")
    if _DIGITS.match(compact):
        if compact.startswith("00"):
            compact = "+" + compact[2:]
        number = None
        if compact.startswith("+"):
            try:
                number = phonenumbers.parse(compact, None)
            except phonenumbers.NumberParseException:
                number = None
        elif region and (info := _region(region)) is not None:
            code, trunk = info
            national = compact[len(trunk) :] if trunk and compact.startswith(trunk) else compact
            if not national:
                raise NormaliseError("phone holds only the trunk prefix; no number")
            number = phonenumbers.PhoneNumber(country_code=code, national_number=int(national))
        if number is not None and phonenumbers.is_possible_number(number):
            return f"+{number.country_code}{number.national_number}"
    try:
        parsed = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        raise NormaliseError("phone is not a recognisable number") from None
    if not phonenumbers.is_possible_number(parsed):
        raise NormaliseError(f"phone is not a possible number for region {region or '?'}")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def name_tokens(value: str) -> list[str]:
    """Word tokens of a name, NFKC-normalised and case-folded."""
    return _WORD.findall(unicodedata.normalize("NFKC", value).casefold())
