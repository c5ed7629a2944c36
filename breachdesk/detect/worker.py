"""One unit of scanning work, run in a worker process (or in-process for one worker).

Workers open the memory-mapped index and receive the key once, at start-up. They
return ``UnitResult`` objects holding row numbers, field names and redacted
snippets only: no plaintext identifier leaves a worker.
"""

from __future__ import annotations

import io
import os
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from breachdesk.detect.containers import ContainerError, open_members
from breachdesk.detect.document import UnitResult
from breachdesk.detect.formats import FORMATS, ScanContext, ScanOptions, detect_format
from breachdesk.detect.matcher import Matcher
from breachdesk.registry.index import MatchIndex
from breachdesk.registry.keyed import KeyedHasher

HEAD = 8192


@dataclass(frozen=True)
class Unit:
    id: int
    path: str
    start: int = 0
    length: int | None = None  # a byte range of a plain file; None: the whole input
    fmt: str | None = None  # fixed for ranges, sniffed otherwise


_state: dict[str, Any] = {}


def init_worker(key: bytes, index_dir: str, options: ScanOptions, counter: Any) -> None:
    index = MatchIndex(Path(index_dir))
    _state["ctx"] = ScanContext(Matcher(index, KeyedHasher(key)), options)
    _state["counter"] = counter
    _state["pending"] = 0


def _progress(n: int) -> None:
    _state["pending"] += n
    if _state["pending"] >= 4 << 20:
        counter = _state["counter"]
        with counter.get_lock():
            counter.value += _state["pending"]
        _state["pending"] = 0


def _flush_progress() -> None:
    counter = _state.get("counter")
    if counter is not None and _state["pending"]:
        with counter.get_lock():
            counter.value += _state["pending"]
        _state["pending"] = 0


class _Range(io.RawIOBase):
    plain_file = True  # ``lines.iter_blocks`` may read it into one reused buffer

    def __init__(self, f: BinaryIO, length: int) -> None:
        self._f, self._left = f, length

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        if self._left <= 0:
            return b""
        n = self._left if n < 0 else min(n, self._left)
        data = self._f.read(n)
        self._left -= len(data)
        return data

    def readinto(self, b: Any) -> int:
        view = memoryview(b)
        if self._left <= 0 or not len(view):
            return 0
        if len(view) > self._left:
            view = view[: self._left]
        n = self._f.readinto(view)  # type: ignore[attr-defined]
        self._left -= n
        return int(n)


def run_unit(unit: Unit) -> UnitResult:
    ctx: ScanContext = _state["ctx"]
    ctx.progress = _progress
    result = UnitResult(unit_id=unit.id)
    try:
        if unit.length is not None and unit.fmt is not None:
            with open(unit.path, "rb") as f:
                f.seek(unit.start)
                FORMATS[unit.fmt].scan(_Range(f, unit.length), unit.path, ctx, result)  # type: ignore[arg-type]
        else:
            _scan_whole(unit, ctx, result)
    except OSError as exc:
        ctx.problem(result, unit.path, f"cannot read: {exc.strerror or exc}")
    finally:
        _flush_progress()
    return result


def _scan_whole(unit: Unit, ctx: ScanContext, result: UnitResult) -> None:
    opts = ctx.options
    with ExitStack() as stack:
        for member in open_members(
            Path(unit.path), opts.max_expansion_ratio, opts.max_expanded_bytes, stack
        ):
            if isinstance(member, ContainerError):
                reason = str(member)
                file, _, why = reason.partition(": ")
                ctx.problem(result, file, why or reason)
                continue
            try:
                peek = getattr(member.stream, "peek", None)
                head = bytes(peek(HEAD)[:HEAD]) if peek else b""
                fmt = detect_format(member.name, head)
                if fmt is None:
                    ctx.problem(result, member.name, "no input format recognised; not scanned")
                    continue
                if b"\x00" in head and fmt.name == "text":
                    ctx.problem(
                        result,
                        member.name,
                        "binary data (NUL bytes, no supported format "
                        "or container); scanned as raw bytes",
                    )
                fmt.scan(member.stream, member.name, ctx, result)
            except ContainerError as exc:
                ctx.problem(result, member.name, str(exc))
            except OSError as exc:
                ctx.problem(result, member.name, f"read error: {exc.strerror or exc}")


def in_process(key: bytes, index_dir: str, options: ScanOptions, counter: Any) -> None:
    """Prepare this process to run units itself (one worker, tests)."""
    init_worker(key, index_dir, options, counter)


def cpu_count() -> int:
    return (
        len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    )
