"""Score findings against the planted ground truth: recall, precision, and what differs.

A finding and a planted exposure are the same when they name the same file, line
and customer. For the pairs that agree, the viewer and the fields are compared too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePath

from breachdesk.detect.findings import FindingRecord
from breachdesk.samples.weblogs import Exposure

Key = tuple[str, int, str]


@dataclass
class Score:
    planted: int
    found: int
    matched: int
    wrong_viewer: int = 0
    wrong_fields: int = 0
    missed: list[Key] = field(default_factory=list)
    spurious: list[Key] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.matched / self.planted if self.planted else 1.0

    @property
    def precision(self) -> float:
        return self.matched / self.found if self.found else 1.0


def _line(locator: str) -> int:
    kind, _, number = locator.partition(" ")
    return int(number) if kind == "line" and number.isdigit() else -1


def score(findings: Iterable[FindingRecord], truth: Iterable[Exposure]) -> Score:
    planted = {(e.file, e.line, e.customer_id): e for e in truth}
    found = {(PurePath(f.source).name, _line(f.locator), f.customer_id): f for f in findings}
    both = planted.keys() & found.keys()
    s = Score(planted=len(planted), found=len(found), matched=len(both))
    for key in both:
        e, f = planted[key], found[key]
        if f.viewer != (e.viewer or "public"):
            s.wrong_viewer += 1
        if sorted(f.fields) != sorted(e.fields):
            s.wrong_fields += 1
    s.missed = sorted(planted.keys() - found.keys())
    s.spurious = sorted(found.keys() - planted.keys())
    return s
