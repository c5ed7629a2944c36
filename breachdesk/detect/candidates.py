"""Candidate extraction over raw bytes: find what *might* be an identifier, cheaply.

The scanner never runs one big alternation of known addresses. It finds every
``@`` (a literal prefix the regex engine locates with a fast byte search), grows
the domain forward with one regex and the local part backward over a reversed
slice, normalises the candidate, and only then asks the keyed index. Phones are
found from a ``+`` prefix (E.164 as written internationally).

JSON escapes are handled at the candidate's left edge: ``\\nalice@x`` yields
``alice@x``; ``\\u003ealice@x`` yields ``alice@x``; an escaped *letter*
(``jos\\u00e9@x``) marks the candidate ``ambiguous`` so that the caller decodes
the record and looks again.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from breachdesk.registry.normalize import NormaliseError, normalise_email, normalise_phone

_DOMAIN = re.compile(
    rb"@((?:[A-Za-z0-9\x80-\xff](?:[A-Za-z0-9\x80-\xff-]{0,61}[A-Za-z0-9\x80-\xff])?\.)+"
    rb"[A-Za-z\x80-\xff](?:[A-Za-z0-9\x80-\xff-]{0,61}[A-Za-z0-9\x80-\xff])?)"
)
_LOCAL_REVERSED = re.compile(rb"[A-Za-z0-9._%+\-\x80-\xff]{1,64}")
_ASCII_EMAIL = re.compile(
    rb"^[a-z0-9._%+\-]{1,64}@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z][a-z0-9-]*$"
)
_PHONE = re.compile(rb"\+[1-9][0-9 .()\-]{5,22}[0-9]")
_NON_DIGIT = re.compile(rb"[^0-9]")
_SIMPLE_ESCAPES = frozenset(b'nrtbf/"')
_HEX = frozenset(b"0123456789abcdefABCDEF")


@dataclass(frozen=True, slots=True)
class Candidate:
    start: int
    end: int
    value: str  # normalised identifier ("" when only ``ambiguous`` is known)
    ambiguous: bool = False  # an escaped letter touches it: decode the record and look again


_SEEN: dict[bytes, str | None] = {}
_SEEN_LIMIT = 100_000


def _fast_normalise(raw: bytes) -> str | None:
    """Normalise an email candidate, remembering recent ones (pages repeat addresses)."""
    try:
        return _SEEN[raw]
    except KeyError:
        pass
    if len(_SEEN) >= _SEEN_LIMIT:
        _SEEN.clear()
    value = _SEEN[raw] = _normalise(raw)
    return value


def _normalise(raw: bytes) -> str | None:
    """Normalise an email candidate; ASCII takes a cheap path."""
    if raw.isascii():
        low = raw.lower()
        if _ASCII_EMAIL.match(low) and b".." not in low and not low.startswith(b"."):
            local = low.split(b"@", 1)[0]
            if not local.endswith(b"."):
                return low.decode("ascii")
        return None
    try:
        return normalise_email(raw.decode("utf-8"))
    except (UnicodeDecodeError, NormaliseError):
        return None


def _left_edge(buf: bytes, start: int, at: int) -> tuple[int, bool]:
    """Move ``start`` past a JSON escape glued to the local part; flag escaped letters."""
    if start == 0 or buf[start - 1] != 0x5C:  # backslash
        return start, False
    first = buf[start]
    if first in _SIMPLE_ESCAPES:
        return start + 1, False
    if first == 0x75 and start + 5 <= at and all(c in _HEX for c in buf[start + 1 : start + 5]):
        code = int(buf[start + 1 : start + 5], 16)
        ch = chr(code)
        if ch.isalnum() or ch in "._%+-":
            return start + 5, True
        return start + 5, False
    return start, False


def iter_email_candidates(buf: bytes) -> Iterator[Candidate]:
    """Yield every plausible email address in ``buf`` with its byte span."""
    match_domain = _DOMAIN.match
    match_local = _LOCAL_REVERSED.match
    find = buf.find
    at = find(b"@")
    while at != -1:
        m = match_domain(buf, at)
        if m is not None:
            lo = at - 64 if at > 64 else 0
            lm = match_local(buf[lo:at][::-1])
            if lm is not None:
                start = at - lm.end()
                ambiguous = False
                if start and buf[start - 1] == 0x5C:  # a JSON escape glued to the local part
                    start, ambiguous = _left_edge(buf, start, at)
                while start < at and buf[start] == 0x2E:  # leading dots are not part of it
                    start += 1
                end = m.end()
                value = _fast_normalise(buf[start:end]) if start < at else None
                if value is not None or ambiguous:
                    yield Candidate(start, end, value or "", ambiguous)
        at = find(b"@", at + 1)


def iter_phone_candidates(buf: bytes) -> Iterator[Candidate]:
    """Yield internationally written phone numbers (``+44 20 7946 0958``) as E.164."""
    match = _PHONE.match
    find = buf.find
    plus = find(b"+")
    while plus != -1:
        m = match(buf, plus)
        if m is not None:
            digits = _NON_DIGIT.sub(b"", m.group())
            if 7 <= len(digits) <= 15:
                yield Candidate(m.start(), m.end(), "+" + digits.decode("ascii"))
            plus = find(b"+", m.end())
        else:
            plus = find(b"+", plus + 1)


_NATIONAL = re.compile(r"(?<![\w+])\(?0?\d[\d .()\-]{6,16}\d(?!\w)")


def iter_national_phones(text: str, regions: list[str]) -> Iterator[Candidate]:
    """Nationally written numbers, tried in each region; only for records already matched."""
    for m in _NATIONAL.finditer(text):
        for region in regions:
            try:
                e164 = normalise_phone(m.group(), region)
            except NormaliseError:
                continue
            yield Candidate(m.start(), m.end(), e164)
