"""Phone candidates: internationally written numbers over raw bytes, national ones in text.

Addresses are found by the compiled core (``detect/_native``) and its Python
reference (``detect.reference``); phones written with a ``+`` are found the same way
in both (this module is the reference for them), and nationally written numbers are
tried only near a customer already matched.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from breachdesk.registry.normalize import NormaliseError, normalise_phone

_PHONE = re.compile(rb"\+[1-9][0-9 .()\-]{5,22}[0-9]")
_NON_DIGIT = re.compile(rb"[^0-9]")


@dataclass(frozen=True, slots=True)
class Candidate:
    start: int
    end: int
    value: str  # normalised identifier (E.164)


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
