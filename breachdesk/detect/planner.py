"""Turn the paths a user gave into units of work.

Directories are walked recursively. A large uncompressed file in a line-oriented
format is cut into byte ranges that start and end on line boundaries, so every
core works on it; compressed and archived inputs are one unit each.
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass, field
from pathlib import Path

from breachdesk.detect.containers import GZIP, ZIP, ZSTD
from breachdesk.detect.document import Problem
from breachdesk.detect.formats import detect_format
from breachdesk.detect.worker import HEAD, Unit

SPLIT_BYTES = 32 * 1024 * 1024


@dataclass
class Plan:
    units: list[Unit] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    total_bytes: int = 0
    files: int = 0


def _walk(path: Path, plan: Plan) -> list[Path]:
    if path.is_symlink() and not path.exists():
        plan.problems.append(Problem(str(path), "cannot read: broken symbolic link"))
        return []
    if path.is_dir():
        out: list[Path] = []
        for root, dirs, files in os.walk(
            path,
            onerror=lambda e: plan.problems.append(
                Problem(str(e.filename), f"cannot read directory: {e.strerror}")
            ),
        ):
            dirs.sort()
            for name in sorted(files):
                p = Path(root) / name
                if p.is_symlink() and not p.exists():
                    plan.problems.append(Problem(str(p), "cannot read: broken symbolic link"))
                elif p.is_file():
                    out.append(p)
        return out
    if not path.exists():
        plan.problems.append(Problem(str(path), "cannot read: no such file or directory"))
        return []
    return [path]


def plan_scan(paths: list[Path], split_bytes: int = SPLIT_BYTES) -> Plan:
    plan = Plan()
    for given in paths:
        for path in _walk(given, plan):
            try:
                size = path.stat().st_size
                with path.open("rb") as f:
                    head = f.read(HEAD)
            except OSError as exc:
                plan.problems.append(Problem(str(path), f"cannot read: {exc.strerror or exc}"))
                continue
            plan.files += 1
            plan.total_bytes += size
            compressed = head[:2] in (GZIP, ZIP[:2]) or head[:4] == ZSTD
            fmt = None if compressed else detect_format(path.name, head)
            if fmt is not None and fmt.splittable and size > split_bytes and b"\x00" not in head:
                for start, length in _ranges(path, size, split_bytes):
                    plan.units.append(Unit(len(plan.units), str(path), start, length, fmt.name))
            else:
                plan.units.append(Unit(len(plan.units), str(path)))
    return plan


def _ranges(path: Path, size: int, split_bytes: int) -> list[tuple[int, int]]:
    """Byte ranges of about ``split_bytes`` that begin right after a newline."""
    cuts = [0]
    with path.open("rb") as f:
        pos = split_bytes
        while pos < size:
            f.seek(pos)
            while True:
                chunk = f.read(1 << 20)
                if not chunk:
                    pos = size
                    break
                nl = chunk.find(b"\n")
                if nl != -1:
                    pos += nl + 1
                    break
                pos += len(chunk)
            if pos < size:
                cuts.append(pos)
            pos = max(pos, cuts[-1]) + split_bytes
    cuts.append(size)
    return [(a, b - a) for a, b in itertools.pairwise(cuts) if b > a]
