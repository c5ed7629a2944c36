"""What the scanner reads and what it reports.

A ``Document`` is one record with its context (one HTTP response, one HAR entry,
one CSV row, one whole HTML file). A ``Hit`` is one customer exposed in one
document; it leaves the worker carrying only a row number, field names and a
redacted snippet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

# the viewer of a HAR/WARC capture scanned without a viewer option (see detect.review)
UNKNOWN_VIEWER = "unknown"


@dataclass(slots=True)
class Document:
    body: bytes
    source: str
    locator: str | None = None  # "entry 3"; None when ``line`` numbers the record
    line: int | None = None  # 1-based line within the unit, fixed up by the scanner
    url: str | None = None
    seen_at: datetime | None = None
    viewer: str | None = None  # None: anonymous, i.e. "public"
    viewer_ip: str | None = None
    record: bytes | None = None  # the bytes the fingerprint covers (default: body)


@dataclass(slots=True)
class Hit:
    row: int
    fields: tuple[str, ...]
    source: str
    locator: str | None
    line: int | None
    url: str | None
    seen_at: datetime | None
    viewer: str | None
    viewer_ip: str | None
    snippet: str
    fingerprint: str


@dataclass(slots=True)
class Problem:
    file: str
    reason: str
    record: str | None = None

    def line(self) -> str:
        return (
            f"{self.file}: {self.record}: {self.reason}"
            if self.record
            else f"{self.file}: {self.reason}"
        )


@dataclass(slots=True)
class UnitResult:
    """Everything one worker returns for one unit of work."""

    unit_id: int
    bytes_read: int = 0
    records: int = 0
    lines: int = 0
    unknown_emails: int = 0
    self_views: int = 0  # a customer's own data shown to that customer: counted, not reported
    hits: list[Hit] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
