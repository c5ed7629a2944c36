"""The input-format contract and its registry.

A format is a small registered unit: a ``name``, a ``sniff`` that looks at the
file name and its first bytes, and a ``scan`` that turns a byte stream into
documents for the matcher. Line-oriented formats also say ``splittable`` so the
scanner can cut a large plain file into byte ranges at line boundaries.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO, ClassVar

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


def register(cls: type[InputFormat]) -> type[InputFormat]:
    FORMATS[cls.name] = cls()
    return cls


def detect_format(name: str, head: bytes) -> InputFormat | None:
    for fmt in sorted(FORMATS.values(), key=lambda f: f.priority):
        if fmt.sniff(name, head):
            return fmt
    return None
