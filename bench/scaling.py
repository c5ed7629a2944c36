"""``python -m bench.scaling --ws WS --key KEY FILE``: can this machine run two cores at once?

The same CPU-bound job in one process, then in two started together: SHA-256 over an
8 MB buffer, and the compiled core (``scan_lines``) over the first 128 MB of FILE held
in memory. A ratio near 2 says the machine (not the scanner) is no limit to two
workers; the scanner's own two-worker figures are in ``bench.core_bench``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing as mp
import time
from pathlib import Path
from typing import Any

SAMPLE = 128_000_000


def _sha(go: Any, _: argparse.Namespace) -> float:
    data = b"x" * (8 << 20)
    go.wait()
    started = time.perf_counter()
    for _ in range(60):
        hashlib.sha256(data).digest()
    return 60 * len(data) / 1e6 / (time.perf_counter() - started)


def _core(go: Any, a: argparse.Namespace) -> float:
    from breachdesk.detect.core import load_core
    from breachdesk.registry.index import MatchIndex
    from breachdesk.registry.keyed import KeyedHasher

    key = bytes.fromhex(Path(a.key).read_text().strip())
    core = load_core(MatchIndex(Path(a.ws) / "index"), KeyedHasher(key))
    with open(a.file, "rb") as fh:
        data = fh.read(SAMPLE)
    blocks, pos = [], 0
    while pos < len(data):
        end = data.rfind(b"\n", pos, pos + (8 << 20)) + 1 or len(data)
        blocks.append(data[pos:end])
        pos = end
    go.wait()
    started = time.perf_counter()
    for _ in range(4):
        for b in blocks:
            core.scan_lines(b, jsonl=True)
    return 4 * len(data) / 1e6 / (time.perf_counter() - started)


_GO: Any = None


def _inherit(go: Any) -> None:
    global _GO
    _GO = go


def _run(job: Any, a: argparse.Namespace) -> float:
    return float(job(_GO, a))


def _together(job: Any, n: int, a: argparse.Namespace) -> list[float]:
    ctx = mp.get_context("fork")
    go = ctx.Event()
    with ctx.Pool(n, initializer=_inherit, initargs=(go,)) as pool:
        pending = [pool.apply_async(_run, (job, a)) for _ in range(n)]
        time.sleep(3)  # every process set up (core loaded, file read) before the start
        go.set()
        return [p.get() for p in pending]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--ws", required=True, help="workspace folder (its index/)")
    ap.add_argument("--key", required=True, help="file holding the workspace key (hex)")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("file", help="a response log (JSONL)")
    a = ap.parse_args()
    out: dict[str, list[dict[str, float]]] = {}
    for name, job in (("sha256", _sha), ("core", _core)):
        for _ in range(a.rounds):
            one, two = _together(job, 1, a), _together(job, 2, a)
            row = {
                "one": round(one[0]),
                "two": round(sum(two)),
                "ratio": round(sum(two) / one[0], 2),
            }
            out.setdefault(name, []).append(row)
            print(name, row, flush=True)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
