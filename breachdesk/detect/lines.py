"""Read a byte stream as blocks of whole lines, never holding more than one record cap.

``iter_blocks`` yields ``Block`` objects (many complete lines) and, for a line
longer than ``max_record`` bytes, a run of ``Piece`` objects covering that one
line, so a several-hundred-MB line is scanned in slices instead of buffered.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from breachdesk.detect.core import count_lines

BLOCK = 8 << 20
# The scan's formats read 1 MB blocks: the kernel's copy, the line count, the UTF-8
# check and the core then find each block in the CPU's cache instead of memory. With
# two workers, 8 MB blocks took 15% more CPU on 1 GB of the bench corpus (median of five).
SCAN_BLOCK = 1 << 20


@dataclass(slots=True)
class Block:
    data: bytes  # with ``borrow``: a memoryview of the reader's buffer (see iter_blocks)
    first_line: int  # 1-based number of the first line in ``data``
    lines: int  # how many lines ``data`` holds (counted once, here)


@dataclass(slots=True)
class Piece:
    line: int
    data: bytes
    offset: int  # byte offset of ``data`` within the line
    last: bool


def reader(stream: BinaryIO) -> Callable[[int], bytes]:
    """``read1`` where the stream has it: a decoder error then loses no bytes read before it."""
    read1 = getattr(stream, "read1", None)
    return read1 if callable(read1) else stream.read


def _readinto_of(read: Callable[[int], bytes]) -> Callable[[memoryview], int] | None:
    """The ``readinto`` of a plain file's stream (no decoder that could fail midway)."""
    stream = getattr(read, "__self__", None)
    raw = getattr(stream, "raw", None) if isinstance(stream, io.BufferedReader) else stream
    if isinstance(raw, io.FileIO) or getattr(stream, "plain_file", False):
        into = getattr(stream, "readinto", None)
        return into if callable(into) else None
    return None


def iter_blocks(
    read: Callable[[int], bytes], max_record: int, block: int = BLOCK, *, borrow: bool = False
) -> Iterator[Block | Piece]:
    """Blocks of whole lines (and pieces of over-long lines) from ``read``.

    ``borrow=True`` is for a caller that is done with each block before it asks for
    the next: a plain file's blocks are then memoryviews of one reused buffer, so a
    block costs the kernel's copy alone (no fresh 8 MB object to fault in and zero).
    The caller copies what it keeps (``bytes(view[a:b])``).
    """
    block = max(1, min(block, max_record))
    into = _readinto_of(read)
    if into is None:
        yield from _blocks(read, max_record, block, b"", 1)
        return
    # plain files: read into one reused buffer, so each block costs one copy
    buf = bytearray(2 * block)
    view = memoryview(buf)
    have, line = 0, 1
    while True:
        k = into(view[have : have + block]) or 0
        if not k:
            if have:
                yield Block(bytes(view[:have]), line, 1)
            return
        have += k
        cut = buf.rfind(b"\n", 0, have)
        if cut == -1:
            if have > max_record:  # a line over the record cap: read on in pieces
                yield from _blocks(read, max_record, block, bytes(view[:have]), line)
                return
            if have + block > len(buf):  # a long line: a buffer twice the size
                bigger = bytearray(2 * len(buf))  # (the caller may still hold a view)
                bigger[:have] = view[:have]
                buf, view = bigger, memoryview(bigger)
            continue
        whole = view[: cut + 1] if borrow else bytes(view[: cut + 1])
        n = count_lines(whole)
        yield Block(whole, line, n)  # type: ignore[arg-type]  # a memoryview when borrowed
        line += n
        rest = have - cut - 1
        buf[:rest] = view[cut + 1 : have]
        have = rest


def _blocks(
    read: Callable[[int], bytes], max_record: int, block: int, carry: bytes, line: int
) -> Iterator[Block | Piece]:
    if len(carry) > max_record:
        carry = yield from _oversized(read, carry, line, block)
        line += 1
    while True:
        chunk = read(block)
        if not chunk:
            if carry:
                yield Block(carry, line, 1)
            return
        data = carry + chunk if carry else chunk
        cut = data.rfind(b"\n")
        if cut == -1:
            carry = data
        else:
            whole = data[: cut + 1]
            n = whole.count(b"\n")
            yield Block(whole, line, n)
            line += n
            carry = data[cut + 1 :]
        if len(carry) > max_record:
            carry = yield from _oversized(read, carry, line, block)
            line += 1


def _oversized(
    read: Callable[[int], bytes], head: bytes, line: int, block: int
) -> Generator[Block | Piece, None, bytes]:
    """Emit one over-long line as pieces; return what follows its newline."""
    offset = 0
    pending = head
    while True:
        nl = pending.find(b"\n")
        if nl != -1:
            yield Piece(line, pending[:nl], offset, last=True)
            return pending[nl + 1 :]
        chunk = read(block)
        if not chunk:
            yield Piece(line, pending, offset, last=True)
            return b""
        yield Piece(line, pending, offset, last=False)
        offset += len(pending)
        pending = chunk
