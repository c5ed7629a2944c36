"""Blocks of whole lines read the same from a plain file (reused buffer) and from any stream."""

from __future__ import annotations

import io
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from breachdesk.detect.lines import Block, Piece, iter_blocks, reader

LINES = st.lists(st.binary(max_size=40).map(lambda b: b.replace(b"\n", b"")), max_size=40)


def _read_all(items: list[Block | Piece]) -> list[tuple[str, int, bytes]]:
    return [
        ("b", i.first_line, i.data) if isinstance(i, Block) else ("p", i.line, i.data)
        for i in items
    ]


@settings(max_examples=150, deadline=None)
@given(LINES, st.booleans(), st.integers(min_value=4, max_value=64))
def test_plain_file_blocks_equal_stream_blocks(
    lines: list[bytes], final_nl: bool, block: int
) -> None:
    data = b"\n".join(lines) + (b"\n" if final_nl else b"")
    path = Path("/tmp") / f"bd-lines-{abs(hash(data))}.txt"
    path.write_bytes(data)
    try:
        with path.open("rb") as fh:
            plain = list(iter_blocks(reader(fh), max_record=32, block=block))
        generic = list(iter_blocks(reader(io.BytesIO(data)), max_record=32, block=block))
    finally:
        path.unlink()
    assert b"".join(i.data for i in plain if isinstance(i, Block)) == b"".join(
        i.data for i in generic if isinstance(i, Block)
    )
    assert sum(i.lines for i in plain if isinstance(i, Block)) == sum(
        i.lines for i in generic if isinstance(i, Block)
    )
    assert {(k, n) for k, n, _ in _read_all(plain) if k == "p"} == {
        (k, n) for k, n, _ in _read_all(generic) if k == "p"
    }
