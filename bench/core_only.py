"""``python -m bench.core_only FILE...``: the compiled core alone against one hyperscan pass.

Both run in this process over the same blocks of whole lines (8 MB), alternately,
three rounds; CPU seconds (``time.process_time``), so a shared machine's load does
not inflate them. The core does everything the scanner's fast path does per block:
decoding, extraction, keyed hashing, lookups, base64 fields, self-views.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import hyperscan

from bench.anchors import EMAIL
from breachdesk.detect.core import load_core
from breachdesk.registry.index import MatchIndex
from breachdesk.registry.keyed import KeyedHasher


def main(argv: list[str]) -> int:
    ws, key_file, files = Path(argv[0]), Path(argv[1]), [Path(a) for a in argv[2:]]
    key = bytes.fromhex(key_file.read_text().strip())
    core = load_core(MatchIndex(ws / "index"), KeyedHasher(key))
    db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    db.compile(expressions=[EMAIL + rb"\.?[^A-Za-z0-9.\-]"], ids=[1], flags=[0])
    out: dict[str, list[dict[str, float]]] = {}
    for f in files:
        data = f.read_bytes()
        blocks, pos = [], 0
        while pos < len(data):
            end = data.rfind(b"\n", pos, pos + (8 << 20)) + 1 or len(data)
            blocks.append(data[pos:end])
            pos = end
        rounds = []
        for _ in range(3):
            t = time.process_time()
            for b in blocks:
                db.scan(b, match_event_handler=lambda *_: None)
            hs = time.process_time() - t
            t = time.process_time()
            for b in blocks:
                core.scan_lines(b, jsonl=True)
            c = time.process_time() - t
            mb = len(data) / 1e6
            rounds.append({"hyperscan_mb_s": mb / hs, "core_mb_s": mb / c, "ratio": c / hs})
        out[f.name] = rounds
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
