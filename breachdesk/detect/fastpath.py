"""Block-level pre-filter shared by the line-oriented formats.

Given a block of whole lines, find which lines need the full document matcher:
those where the compiled core found another customer's data. Unicode addresses,
which the core hands over as written, are normalised here (NFKC, IDNA) and looked
up; a line where they hit only its viewer is then settled by the format as a
self-view. Unknown emails and self-views on the other lines are counted here, so
nothing is counted twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from breachdesk.detect.core import utf8_invalid
from breachdesk.detect.document import UnitResult
from breachdesk.detect.matcher import Matcher


@dataclass(slots=True)
class Span:
    start: int
    end: int
    rows: set[int] = field(default_factory=set)  # registry rows whose identifiers it holds
    forced: bool = False  # a marker or an escaped letter: the full path must look itself
    unknown: int = 0  # addresses not in the registry, for a caller that settles the line itself
    line: int = -1  # index of the line in its block, when the core counted it


def line_spans(
    data: bytes, matcher: Matcher, result: UnitResult, marker: bytes | None = None
) -> list[Span]:
    """The lines that need the full path, in order, with the rows seen in each.

    The compiled core scans the whole block: it decodes every encoding, base64 fields
    included, and settles lines with no customer or only the viewer's own data. A
    ``marker`` (``"body_b64"``) says the lines are response-log JSON, whose ``viewer``
    field the core reads.
    """
    spans, unknown, self_views, _ = matcher.core.scan_lines(data, jsonl=marker is not None)
    result.unknown_emails += unknown
    result.self_views += self_views
    out: list[Span] = []
    for start, end, rows, forced, n, values, line in spans:
        more, missing = matcher.resolve(values)  # Unicode addresses: NFKC, IDNA in Python
        hit = set(rows) | more
        if not hit and not forced:
            result.unknown_emails += n + missing
            continue
        out.append(Span(start, end, hit, forced, n + missing, line))
    return out


def numbered(spans: list[Span], data: bytes, first_line: int) -> list[tuple[Span, int]]:
    """Each sorted span with its line number, counting newlines once in total."""
    out: list[tuple[Span, int]] = []
    line, pos = first_line, 0
    for s in spans:
        if s.line >= 0:
            out.append((s, first_line + s.line))
            continue
        line += bytes(data[pos : s.start]).count(b"\n")  # (data may be a memoryview)
        pos = s.start
        out.append((s, line))
    return out


def check_utf8(data: bytes) -> int | None:
    """Byte offset of the first invalid UTF-8 sequence, or None (checked in the core)."""
    bad = utf8_invalid(data)
    return None if bad < 0 else bad
