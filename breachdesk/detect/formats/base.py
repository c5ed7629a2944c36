"""The input-format contract and its registry.

A format is a small registered unit: a ``name``, a ``sniff`` that looks at the
file name and its first bytes, and a ``scan`` that turns a byte stream into
documents for the matcher. Line-oriented formats also say ``splittable`` so the
scanner can cut a large plain file into byte ranges at line boundaries.

``register`` guards every format's ``scan``: a damaged container met mid-stream
becomes a problem naming the compressed file (``cut.jsonl.gz``), and anything
else a hostile file provokes becomes a problem naming the file, with the reason
and ``UNEXPECTED`` in it (the fuzz tests fail on that word). The part read before
is kept, and the other files of the scan go on.
"""

from __future__ import annotations

import functools
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO, ClassVar

from breachdesk.detect.containers import ContainerError
from breachdesk.detect.document import Problem, UnitResult
from breachdesk.detect.matcher import Matcher


@dataclass
class ScanOptions:
    viewer: str | None = None  # --viewer: who saw HAR/WARC/plain inputs
    viewer_header: str | None = None  # request header naming the signed-in customer
    viewer_cookie: str | None = None  # request cookie naming the signed-in customer
    max_record_bytes: int = 64 * 1024 * 1024
    max_expanded_bytes: int = 8 * 1024 * 1024 * 1024
    max_expansion_ratio: int = 200
    max_document_bytes: int = 16 * 1024 * 1024

    @property
    def identifies_viewers(self) -> bool:
        """Whether captures (HAR, WARC) can tell who was signed in; if not, viewers are
        ``unknown`` rather than ``public``."""
        return bool(self.viewer or self.viewer_header or self.viewer_cookie)


@dataclass
class ScanContext:
    matcher: Matcher
    options: ScanOptions
    progress: Callable[[int], None] = field(default=lambda n: None)

    def problem(
        self, result: UnitResult, file: str, reason: str, record: str | None = None
    ) -> None:
        result.problems.append(Problem(file, reason, record))


class InputFormat(ABC):
    name: ClassVar[str]
    splittable: ClassVar[bool] = False
    priority: ClassVar[int] = 50  # lower sniffs first

    @abstractmethod
    def sniff(self, name: str, head: bytes) -> bool:
        """True when a file with this name and these first bytes is in this format."""

    @abstractmethod
    def scan(self, stream: BinaryIO, source: str, ctx: ScanContext, result: UnitResult) -> None:
        """Read ``stream`` to its end, matching every record into ``result``."""


FORMATS: dict[str, InputFormat] = {}
UNEXPECTED = "unexpected error"
Scan = Callable[[InputFormat, BinaryIO, str, ScanContext, UnitResult], None]


def guarded(scan: Scan) -> Scan:
    """Turn whatever a damaged input raises inside ``scan`` into a recorded problem."""

    @functools.wraps(scan)
    def run(
        self: InputFormat, stream: BinaryIO, source: str, ctx: ScanContext, result: UnitResult
    ) -> None:
        try:
            scan(self, stream, source, ctx, result)
        except ContainerError as exc:
            ctx.problem(result, exc.file or source, exc.reason)
        except (OSError, MemoryError, KeyboardInterrupt):
            raise
        except Exception as exc:
            why = " ".join(f"{type(exc).__name__}: {exc}".split())[:200]
            ctx.problem(
                result,
                source,
                f"{UNEXPECTED} reading this {self.name} input ({why}); the part before was "
                "scanned, the rest of this file was not (please report it)",
            )

    return run


def register(cls: type[InputFormat]) -> type[InputFormat]:
    if not getattr(cls.scan, "__wrapped__", None):
        cls.scan = guarded(cls.scan)  # type: ignore[method-assign,assignment]
    FORMATS[cls.name] = cls()
    return cls


def detect_format(name: str, head: bytes) -> InputFormat | None:
    for fmt in sorted(FORMATS.values(), key=lambda f: f.priority):
        if fmt.sniff(name, head):
            return fmt
    return None
