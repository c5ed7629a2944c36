"""Block-level pre-filter shared by the line-oriented formats.

Given a block of whole lines, find which lines need the full document matcher:
those with a candidate that hits the keyed index, an escaped letter glued to a
candidate (JSON ``\\u00e9``), or a marker the format asks for (base64 bodies).
Unknown emails on the other lines are counted here, so nothing is counted twice.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from breachdesk.detect.candidates import iter_email_candidates, iter_phone_candidates
from breachdesk.detect.document import UnitResult
from breachdesk.detect.matcher import Matcher


@dataclass(slots=True)
class Span:
    start: int
    end: int
    rows: set[int] = field(default_factory=set)  # registry rows whose identifiers it holds
    forced: bool = False  # a marker or an escaped letter: the full path must look itself
    unknown: int = 0  # addresses not in the registry, for a caller that settles the line itself


def line_spans(
    data: bytes, matcher: Matcher, result: UnitResult, marker: bytes | None = None
) -> list[Span]:
    """The lines that need the full path, in order, with the rows seen in each.

    ``marker`` is a literal (such as ``"body_b64"``) whose lines always need it.
    """
    emails = list(iter_email_candidates(data))
    phones = list(iter_phone_candidates(data))
    slow: dict[int, Span] = {}

    def span(pos: int) -> Span:
        start = data.rfind(b"\n", 0, pos) + 1
        s = slow.get(start)
        if s is None:
            end = data.find(b"\n", start)
            s = slow[start] = Span(start, len(data) if end == -1 else end)
        return s

    if marker is not None:
        at = data.find(marker)
        while at != -1:
            span(at).forced = True
            at = data.find(marker, at + len(marker))
    e_hashes = [matcher.email_hash(c.value) if c.value else 0 for c in emails]
    p_hashes = [matcher.hasher.phone(c.value) for c in phones]
    wanted = [h for h in e_hashes if h] + p_hashes
    found = matcher.index.lookup(wanted) if wanted else {}
    misses: list[int] = []
    for c, h in zip(emails, e_hashes, strict=True):
        if c.ambiguous:
            span(c.start).forced = True
        if h and h in found:
            span(c.start).rows.update(found[h])
        elif h:
            misses.append(c.start)
    for c, h in zip(phones, p_hashes, strict=True):
        if h in found:
            span(c.start).rows.update(found[h])
    spans = [slow[k] for k in sorted(slow)]
    starts = [s.start for s in spans]
    for pos in misses:  # unknown emails outside the slow lines are counted here
        i = bisect.bisect_right(starts, pos) - 1
        if i < 0 or pos >= spans[i].end:
            result.unknown_emails += 1
        else:
            spans[i].unknown += 1
    return spans


def numbered(spans: list[Span], data: bytes, first_line: int) -> list[tuple[Span, int]]:
    """Each sorted span with its line number, counting newlines once in total."""
    out: list[tuple[Span, int]] = []
    line, pos = first_line, 0
    for s in spans:
        line += data.count(b"\n", pos, s.start)
        pos = s.start
        out.append((s, line))
    return out


def check_utf8(data: bytes) -> int | None:
    """Byte offset of the first invalid UTF-8 sequence, or None."""
    if data.isascii():
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start
    return None
