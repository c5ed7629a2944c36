"""Block-level pre-filter shared by the line-oriented formats.

Given a block of whole lines, find which lines need the full document matcher:
those with a candidate that hits the keyed index, an escaped letter glued to a
candidate (JSON ``\\u00e9``), or a marker the format asks for (base64 bodies).
Unknown emails on the other lines are counted here, so nothing is counted twice.
"""

from __future__ import annotations

import bisect

from breachdesk.detect.candidates import iter_email_candidates, iter_phone_candidates
from breachdesk.detect.document import UnitResult
from breachdesk.detect.matcher import Matcher


def line_spans(
    data: bytes, matcher: Matcher, result: UnitResult, marker: bytes | None = None
) -> list[tuple[int, int]]:
    """Return ``(start, end)`` byte spans of the lines that need the full path.

    ``marker`` is a literal (such as ``"body_b64"``) whose lines always need it.
    """
    emails = list(iter_email_candidates(data))
    phones = list(iter_phone_candidates(data))
    slow: set[int] = set()
    if marker is not None:
        at = data.find(marker)
        while at != -1:
            slow.add(data.rfind(b"\n", 0, at) + 1)
            at = data.find(marker, at + len(marker))
    e_hashes = [matcher.email_hash(c.value) if c.value else 0 for c in emails]
    p_hashes = [matcher.hasher.phone(c.value) for c in phones]
    wanted = [h for h in e_hashes if h] + p_hashes
    found = matcher.index.lookup(wanted) if wanted else {}
    misses: list[int] = []
    for c, h in zip(emails, e_hashes, strict=True):
        if c.ambiguous or (h and h in found):
            slow.add(data.rfind(b"\n", 0, c.start) + 1)
        elif h:
            misses.append(c.start)
    for c, h in zip(phones, p_hashes, strict=True):
        if h in found:
            slow.add(data.rfind(b"\n", 0, c.start) + 1)
    if not slow:
        result.unknown_emails += len(misses)
        return []
    starts = sorted(slow)
    ends = []
    for s in starts:
        e = data.find(b"\n", s)
        ends.append(len(data) if e == -1 else e)
    for pos in misses:
        i = bisect.bisect_right(starts, pos) - 1
        if i < 0 or pos >= ends[i]:
            result.unknown_emails += 1
    return list(zip(starts, ends, strict=True))


def numbered(
    spans: list[tuple[int, int]], data: bytes, first_line: int
) -> list[tuple[int, int, int]]:
    """``(start, end, line number)`` for sorted spans, counting newlines once in total."""
    out: list[tuple[int, int, int]] = []
    line, pos = first_line, 0
    for start, end in spans:
        line += data.count(b"\n", pos, start)
        pos = start
        out.append((start, end, line))
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
