"""Read a leaked dump of any common shape as blocks of one-record-per-line text.

- CSV/TSV with unknown columns, combo lists (``email:password``), plain text and
  pastes with prose are read as they are, line by line; a header line is noticed
  so that a password column can be recognised by its name;
- a JSON document (an array or an object, pretty-printed or not) is parsed and
  each innermost object becomes one line of ``key=value`` pairs;
- gzip, zstd and zip are opened by ``detect.containers`` (with its bomb caps).

Problems never stop the reading: binary junk, a truncated archive or JSON that
does not parse is reported as a ``DumpProblem`` and the rest goes on. The intact
part of a truncated gzip is read (``read1``: no decoded byte is lost to the error),
and a byte-order mark at the start of a file is dropped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from breachdesk.detect.containers import ContainerError, open_members
from breachdesk.detect.lines import Piece, iter_blocks, reader

JSON_CAP = 512 * 1024 * 1024
MAX_LINE = 16 * 1024 * 1024
_HEAD = 64 * 1024
BOM = b"\xef\xbb\xbf"
_DELIMS = (b"\t", b";", b"|", b",")
PASSWORD_HEADER = re.compile(
    rb"(?i)^\W*(pass(word|wort)?|passwd|pwd|pw|hash|password_hash|secret|senha|contrase(n|\xc3\xb1)a)\W*$"
)
_HEADER_WORD = re.compile(rb"(?i)e-?mail|name|phone|country|user|login|pass|id\b")


@dataclass(frozen=True)
class DumpProblem:
    source: str
    reason: str


@dataclass(frozen=True)
class Layout:
    """What the first line told us: the delimiter and the password columns, if any."""

    delimiter: bytes | None = None
    password_columns: tuple[int, ...] = ()


@dataclass
class DumpBlock:
    source: str
    data: bytes  # whole lines
    layout: Layout


def _layout(first_line: bytes) -> Layout:
    if b"@" in first_line or not _HEADER_WORD.search(first_line):
        return Layout()
    for delim in _DELIMS:
        if delim in first_line:
            cells = [c.strip().strip(b'"') for c in first_line.rstrip(b"\r\n").split(delim)]
            cols = tuple(i for i, c in enumerate(cells) if PASSWORD_HEADER.match(c))
            return Layout(delim, cols)
    return Layout()


def _is_jsonl(head: bytes) -> bool:
    first = head.split(b"\n", 1)[0].strip()
    if not first.startswith(b"{"):
        return False
    try:
        return isinstance(json.loads(first), dict)
    except ValueError:
        return False


def _flatten(value: Any, out: list[bytes]) -> None:
    """Each innermost object becomes one ``key=value`` line; lists are walked."""
    if isinstance(value, dict):
        scalars = []
        for k, v in value.items():
            if isinstance(v, dict | list):
                _flatten(v, out)
            elif v is not None:
                scalars.append(f"{k}={v}")
        if scalars:
            out.append("\t".join(scalars).replace("\n", " ").encode("utf-8") + b"\n")
    elif isinstance(value, list):
        for item in value:
            _flatten(item, out)
    elif value is not None:
        out.append(str(value).replace("\n", " ").encode("utf-8") + b"\n")


def _read_all(name: str, stream: BinaryIO, cap: int) -> tuple[bytes, DumpProblem | None]:
    """Up to ``cap`` bytes; a damaged container keeps what was decoded before it broke."""
    read = reader(stream)
    parts: list[bytes] = []
    size = 0
    try:
        while size <= cap:
            chunk = read(min(1 << 20, cap + 1 - size))
            if not chunk:
                break
            parts.append(chunk)
            size += len(chunk)
    except ContainerError as exc:
        return b"".join(parts), DumpProblem(exc.file or name, exc.reason)
    return b"".join(parts), None


def _json_document(name: str, stream: BinaryIO) -> Iterator[DumpBlock | DumpProblem]:
    raw, broken = _read_all(name, stream, JSON_CAP)
    if broken is not None:
        yield broken
        yield DumpBlock(name, raw, Layout())
        return
    if len(raw) > JSON_CAP:
        yield DumpProblem(name, f"JSON document over {JSON_CAP:,} bytes; read as text")
        yield DumpBlock(name, raw, Layout())
        return
    try:
        doc = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        yield DumpProblem(name, f"not valid JSON ({str(exc)[:80]}); read as text")
        yield DumpBlock(name, raw, Layout())
        return
    lines: list[bytes] = []
    _flatten(doc, lines)
    yield DumpBlock(name, b"".join(lines), Layout(b"\t", ()))


def _text(name: str, stream: BinaryIO, head: bytes) -> Iterator[DumpBlock | DumpProblem]:
    layout = _layout(head.split(b"\n", 1)[0])
    for item in iter_blocks(reader(stream), MAX_LINE):
        if isinstance(item, Piece):
            if item.offset == 0:
                yield DumpProblem(
                    name, f"line {item.line} is over {MAX_LINE:,} bytes; read in slices"
                )
            yield DumpBlock(name, item.data + b"\n", Layout())
        else:
            yield DumpBlock(name, item.data, layout)


def _member(name: str, stream: BinaryIO) -> Iterator[DumpBlock | DumpProblem]:
    peek = getattr(stream, "peek", None)
    head = bytes(peek(_HEAD)[:_HEAD]) if peek is not None else b""
    if head.startswith(BOM):
        stream.read(len(BOM))
        head = head[len(BOM) :]
    if b"\x00" in head:
        yield DumpProblem(name, "binary data (NUL bytes), not a text dump; skipped")
        return
    start = head.lstrip(b" \t\r\n")[:1]
    if start in (b"[", b"{") and not _is_jsonl(head.lstrip(b" \t\r\n")):
        yield from _json_document(name, stream)
    else:
        yield from _text(name, stream, head)


def _files(paths: Sequence[Path]) -> Iterator[Path | DumpProblem]:
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file())
        elif path.exists():
            yield path
        else:
            yield DumpProblem(str(path), "no such file")


def read_dump(
    paths: Sequence[Path], max_ratio: int, max_total: int
) -> Iterator[DumpBlock | DumpProblem]:
    """Blocks of whole lines from every file and archive member; problems in between."""
    for path in _files(paths):
        if isinstance(path, DumpProblem):
            yield path
            continue
        with ExitStack() as stack:
            try:
                for member in open_members(path, max_ratio, max_total, stack):
                    if isinstance(member, ContainerError):
                        yield DumpProblem(member.file or str(path), member.reason)
                        continue
                    try:
                        yield from _member(member.name, member.stream)
                    except ContainerError as exc:
                        yield DumpProblem(exc.file or member.name, exc.reason)
            except OSError as exc:
                yield DumpProblem(str(path), f"cannot read ({exc.strerror or exc})")
