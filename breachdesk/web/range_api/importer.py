"""``breachdesk passwords import``: hash files as the HIBP downloaders write them.

Accepted shapes, per line ``HASH:COUNT`` (CRLF or LF):

- one file per range, named by its 5-hex prefix (``0A1B2.txt``), lines holding the
  suffix only (35 hex for SHA-1, 27 for NTLM);
- a single file of full hashes (40 hex for SHA-1, 32 for NTLM).

The mode (SHA-1 or NTLM) follows from the hash length. A bad line is reported
with its file and line number and the rest goes on.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from breachdesk.store import Store
from breachdesk.web.range_api.store import add_hashes

_LINE = re.compile(r"^([0-9A-Fa-f]{27,40}):(\d{1,12})$")
_PREFIX_NAME = re.compile(r"^([0-9A-Fa-f]{5})(\.txt)?$")
FULL = {40: "sha1", 32: "ntlm"}
SUFFIX = {35: "sha1", 27: "ntlm"}


@dataclass
class ImportResult:
    files: int = 0
    hashes: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _files(paths: list[Path]) -> Iterator[Path]:
    for p in paths:
        if p.is_dir():
            yield from sorted(q for q in p.rglob("*") if q.is_file())
        else:
            yield p


def _pairs(path: Path, result: ImportResult) -> Iterator[tuple[str, str, int]]:
    named = _PREFIX_NAME.match(path.name)
    prefix = named.group(1).upper() if named else ""
    with path.open("r", encoding="utf-8-sig", errors="replace", newline="") as fh:
        for n, raw in enumerate(fh, 1):
            line = raw.strip()
            if not line:
                continue
            m = _LINE.match(line)
            mode = None
            if m:
                h = m.group(1).upper()
                if prefix and len(h) in SUFFIX:
                    mode, h = SUFFIX[len(h)], prefix + h
                elif len(h) in FULL:
                    mode = FULL[len(h)]
            if m is None or mode is None:
                result.problems.append(
                    f"{path}: line {n}: not HASH:COUNT with a SHA-1 or NTLM hash; skipped"
                )
                continue
            yield mode, h, int(m.group(2))


def import_hash_files(store: Store, paths: list[Path]) -> ImportResult:
    result = ImportResult()
    for path in _files(paths):
        if not path.exists():
            result.problems.append(f"{path}: no such file")
            continue
        result.files += 1
        by_mode: dict[str, list[tuple[str, int]]] = {"sha1": [], "ntlm": []}
        for mode, h, count in _pairs(path, result):
            by_mode[mode].append((h, count))
        for mode, pairs in by_mode.items():
            if pairs:
                add_hashes(store, mode, pairs, replace=True)
                result.hashes[mode] = result.hashes.get(mode, 0) + len(pairs)
    return result
