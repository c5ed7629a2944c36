"""Open inputs transparently: gzip, zstd and zip (nested up to a depth), with bomb caps.

Compression is recognised by magic bytes, not file names. Every decompressing
stream is wrapped in ``CappedStream``, which stops a member that expands beyond
``max_expansion_ratio`` times its compressed size (past a 16 MB floor) or beyond
``max_expanded_bytes`` in total, and turns decoder failures (a truncated gzip, a
corrupt zstd frame, a damaged LZMA member, a bad CRC) into ``ContainerError`` with
a reason a person can act on, naming the compressed file itself (``cut.jsonl.gz``,
``logs.zip!a.jsonl``). Nothing a damaged archive holds escapes as another exception.
"""

from __future__ import annotations

import gzip
import io
import lzma
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

import zstandard

GZIP = b"\x1f\x8b"
ZSTD = b"\x28\xb5\x2f\xfd"
ZIP = b"PK\x03\x04"
RATIO_FLOOR = 16 * 1024 * 1024
MAX_DEPTH = 3
NESTED_IN_MEMORY = 512 * 1024 * 1024


class Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...

    def read1(self, size: int = ..., /) -> bytes: ...


class ContainerError(Exception):
    """A compressed stream cannot be read on; ``str()`` is the reason.

    ``file`` names the compressed file or member the reason is about, when known."""

    def __init__(self, reason: str, file: str | None = None) -> None:
        super().__init__(reason)
        self.file = file
        self.reason = reason

    @classmethod
    def at(cls, file: str, reason: str) -> ContainerError:
        """A skipped member: ``str()`` is ``file: reason``, ``.reason`` the reason alone."""
        exc = cls(f"{file}: {reason}", file)
        exc.reason = reason
        return exc


_DECODER_ERRORS = (
    zlib.error,
    gzip.BadGzipFile,
    zstandard.ZstdError,
    zipfile.BadZipFile,
    lzma.LZMAError,
    ValueError,  # zipfile on a damaged local header, bz2 on bad data
    NotImplementedError,  # zipfile: an unsupported compression method or version
    RuntimeError,  # zipfile: an encrypted member
    OSError,  # bz2/zipfile: invalid data stream
)


@dataclass
class Member:
    """One readable input: a plain file, or a decompressed file or archive member."""

    name: str  # display name, e.g. "logs.zip!2018/11/app.jsonl"
    stream: BinaryIO
    compressed: bool


class CappedStream(io.RawIOBase):
    def __init__(
        self,
        inner: Readable,
        name: str,
        kind: str,
        compressed_size: int,
        max_ratio: int,
        max_total: int,
    ) -> None:
        self._inner = inner
        self._name = name
        self._kind = kind
        self._limit = min(max_total, max(RATIO_FLOOR, compressed_size * max_ratio))
        self._ratio = max_ratio
        self.expanded = 0

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        want = self._limit - self.expanded + 1 if n < 0 else min(n, self._limit - self.expanded + 1)
        try:
            # read1 returns what one decoding step gives, so the part of a truncated
            # stream before the break still reaches the scanner
            data = self._inner.read1(max(want, 0))
        except EOFError:
            raise ContainerError(
                f"truncated {self._kind}: the stream ended before its end marker after "
                f"{self.expanded:,} bytes; the part before was scanned",
                self._name,
            ) from None
        except ContainerError as exc:  # an inner container failed: it names itself
            raise exc from None
        except _DECODER_ERRORS as exc:
            raise ContainerError(
                f"corrupt {self._kind} after {self.expanded:,} bytes ({_why(exc)}); the part "
                "before was scanned",
                self._name,
            ) from None
        self.expanded += len(data)
        if self.expanded > self._limit:
            raise ContainerError(
                f"decompression bomb guard: expands beyond {self._limit:,} bytes "
                f"(cap: {self._ratio}x its compressed size, min 16 MB); stopped there",
                self._name,
            )
        return data

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:  # used by warcio
        out = bytearray()
        while size is None or size < 0 or len(out) < size:
            b = self.read(1)
            if not b:
                break
            out += b
            if b == b"\n":
                break
        return bytes(out)


def _why(exc: BaseException) -> str:
    text = " ".join(str(exc).split())[:200]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _sniff(stream: BinaryIO) -> bytes:
    peek = getattr(stream, "peek", None)
    if peek is not None:
        return bytes(peek(4)[:4])
    return b""


def open_members(
    path: Path, max_ratio: int, max_total: int, stack: ExitStack
) -> Iterator[Member | ContainerError]:
    """Yield readable members of ``path``; a ``ContainerError`` stands for a skipped member."""
    buffered: BinaryIO = stack.enter_context(path.open("rb", buffering=1 << 20))
    size = path.stat().st_size
    yield from _members(str(path), buffered, size, max_ratio, max_total, stack, 0)


def _members(
    name: str,
    stream: BinaryIO,
    size: int,
    max_ratio: int,
    max_total: int,
    stack: ExitStack,
    depth: int,
) -> Iterator[Member | ContainerError]:
    try:
        magic = _sniff(stream)
    except ContainerError as exc:
        yield ContainerError.at(exc.file or name, exc.reason)
        return
    if (depth > MAX_DEPTH and magic[:2] in (GZIP, ZIP[:2])) or (
        depth > MAX_DEPTH and magic == ZSTD
    ):
        yield ContainerError.at(name, f"archives nested deeper than {MAX_DEPTH}; not opened")
        return
    if magic[:2] == GZIP:
        inner = gzip.GzipFile(fileobj=stream, mode="rb")
        capped = CappedStream(inner, name, "gzip", size, max_ratio, max_total)
        yield from _members(
            name.removesuffix(".gz"),
            _buffered(capped),
            size,
            max_ratio,
            max_total,
            stack,
            depth + 1,
        )
        return
    if magic == ZSTD:
        reader = zstandard.ZstdDecompressor().stream_reader(stream, read_across_frames=True)
        capped = CappedStream(reader, name, "zstd", size, max_ratio, max_total)
        base = name.removesuffix(".zst").removesuffix(".zstd")
        yield from _members(base, _buffered(capped), size, max_ratio, max_total, stack, depth + 1)
        return
    if magic == ZIP:
        yield from _zip(name, stream, max_ratio, max_total, stack, depth)
        return
    yield Member(name, stream, compressed=depth > 0)


def _buffered(stream: CappedStream) -> BinaryIO:
    return io.BufferedReader(stream, buffer_size=1 << 20)


def _zip(
    name: str, stream: BinaryIO, max_ratio: int, max_total: int, stack: ExitStack, depth: int
) -> Iterator[Member | ContainerError]:
    if not stream.seekable():
        try:
            data = stream.read(NESTED_IN_MEMORY + 1)
        except ContainerError as exc:  # a truncated or damaged .zip.gz
            yield ContainerError.at(exc.file or name, exc.reason)
            return
        if len(data) > NESTED_IN_MEMORY:
            yield ContainerError.at(name, f"nested zip over {NESTED_IN_MEMORY:,} bytes; not opened")
            return
        stream = io.BytesIO(data)
    try:
        archive = stack.enter_context(zipfile.ZipFile(stream))
    except (*_DECODER_ERRORS, UnicodeDecodeError, EOFError) as exc:
        # UnicodeDecodeError: the UTF-8 name flag set on a name that is not UTF-8
        yield ContainerError.at(name, f"not a readable zip ({_why(exc)})")
        return
    for number, info in enumerate(archive.infolist(), start=1):
        if info.filename.endswith("/"):  # (is_dir() fails on an empty name)
            continue
        member = f"{name}!{info.filename or f'(member {number} has no name)'}"
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > max_total or (info.file_size > RATIO_FLOOR and ratio > max_ratio):
            yield ContainerError.at(
                member,
                f"decompression bomb guard: declares {info.file_size:,} bytes from "
                f"{info.compress_size:,} (ratio {ratio:,.0f}x, cap {max_ratio}x); not opened",
            )
            continue
        if info.flag_bits & 0x1:  # (zipfile's own error here fails on an unnamed member)
            yield ContainerError.at(member, "encrypted member; not opened (no password)")
            continue
        try:
            inner = archive.open(info)
        except (*_DECODER_ERRORS, UnicodeDecodeError, EOFError, IndexError) as exc:
            # IndexError: zipfile describing a member whose name is empty
            yield ContainerError.at(member, f"cannot open ({_why(exc)})")
            continue
        stack.enter_context(inner)
        capped = CappedStream(
            inner,  # type: ignore[arg-type]  # ZipExtFile has read1; typeshed says IO[bytes]
            member,
            "zip member",
            info.compress_size,
            max_ratio,
            max_total,
        )
        yield from _members(
            member, _buffered(capped), info.compress_size, max_ratio, max_total, stack, depth + 1
        )
