"""Blocks read into one reused buffer: nothing a finding keeps may point into it.

With a small record limit every block is a few hundred bytes, so a file is read as
many blocks through the same buffer; the findings (fields, lines, snippets, viewers)
must be exactly those of the same file read as one block.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from breachdesk.detect.findings import iter_findings
from breachdesk.detect.formats import ScanOptions
from breachdesk.detect.lines import Block, iter_blocks
from breachdesk.detect.scanner import scan_paths
from tests.detect.builders import standard_log, write_lines
from tests.detect.conftest import Registry


def _findings(reg: Registry) -> list[tuple[str, str, str, str, str]]:
    return sorted(
        (f.customer_id, f.fields, f.locator, f.viewer, f.snippet) for f in iter_findings(reg.store)
    )


def test_borrowed_blocks_are_views_of_one_buffer_with_the_same_bytes(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "log.jsonl", standard_log() * 20)
    with path.open("rb") as fh:
        copied = [b.data for b in iter_blocks(fh.read1, 1500) if isinstance(b, Block)]
    seen: list[bytes] = []
    with path.open("rb") as fh:
        for b in iter_blocks(fh.read1, 1500, borrow=True):
            assert isinstance(b, Block) and isinstance(b.data, memoryview)
            seen.append(bytes(b.data))
    assert len(seen) > 20 and seen == copied


@pytest.mark.parametrize("name", ["log.jsonl", "notes.txt"])
def test_many_small_blocks_give_the_findings_of_one_block(
    registry: Registry, tmp_path: Path, name: str
) -> None:
    d = tmp_path / "in"
    d.mkdir()
    lines = standard_log() * 12
    write_lines(d / name, lines)
    big = ScanOptions(max_record_bytes=64 << 20)
    scan_paths(registry.store, registry.settings, [d], big, workers=1)
    whole = _findings(registry)
    assert whole, "the standard log exposes customers"
    with registry.store.session() as s:  # forget them, then scan in small blocks
        from breachdesk.store.models import Finding

        s.query(Finding).delete()
    longest = max(len(x.encode()) for x in lines) + 1
    small = ScanOptions(max_record_bytes=longest)
    summary = scan_paths(registry.store, registry.settings, [d], small, workers=1)
    assert not [p for p in summary.problems if "record limit" in p.reason]
    assert _findings(registry) == whole


def test_a_line_longer_than_the_buffer_grows_it_and_blocks_stay_borrowed(tmp_path: Path) -> None:
    """A record longer than two blocks (under the record cap) gets a bigger buffer; the
    lines after it are still read as views, with the same bytes and line numbers."""
    short = [b"short line %d" % i for i in range(50)]
    lines = [*short, b"x" * 5000, *short, b"y" * 20_000, *short]
    path = tmp_path / "mixed.txt"
    path.write_bytes(b"\n".join(lines) + b"\n")
    got: list[tuple[int, int, bytes]] = []
    views = 0
    with path.open("rb") as fh:
        for b in iter_blocks(fh.read1, 1 << 20, 256, borrow=True):
            assert isinstance(b, Block)
            views += isinstance(b.data, memoryview)
            got.append((b.first_line, b.lines, bytes(b.data)))
    assert b"".join(data for _, _, data in got) == path.read_bytes()
    assert sum(n for _, n, _ in got) == len(lines)
    assert [first for first, _, _ in got] == [1] + [
        got[i][0] + got[i][1] for i in range(len(got) - 1)
    ]
    assert views == len(got)  # never the copying path: every block was a view
