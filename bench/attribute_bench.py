"""Benchmark: attribute an N-line dump against an N-customer registry with E exports.

    .venv/bin/python -m bench.attribute_bench --customers 10000000 --lines 10000000 --exports 200

Builds the data (see ``bench.attribute_data``), then runs ``attribute_dump`` in a
fresh child process so that its peak RSS is its own, and prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

from bench.attribute_data import build_registry, register_exports, write_dump
from breachdesk.registry.keyed import KeyedHasher
from breachdesk.store import Store

KEY = bytes(range(32))


def prepare(args: argparse.Namespace, work: Path) -> dict[str, object]:
    rng = random.Random(42)
    hasher = KeyedHasher(KEY)
    t0 = time.perf_counter()
    reg = build_registry(hasher, args.customers, work / "index")
    t1 = time.perf_counter()
    db = work / "bench.db"
    db.unlink(missing_ok=True)
    store = Store.open(f"sqlite:///{db}")
    store.migrate()
    exports = register_exports(store, hasher, reg, args.exports, rng)
    t2 = time.perf_counter()
    leaked = sorted(exports, key=lambda e: -e.rows.size)[:3]
    info = write_dump(work / "dump.txt", args.lines, args.customers, leaked, rng)
    t3 = time.perf_counter()
    store.dispose()
    return {
        "build_index_s": round(t1 - t0, 1),
        "register_exports_s": round(t2 - t1, 1),
        "write_dump_s": round(t3 - t2, 1),
        "leaked_exports": [e.uid for e in leaked],
        "dump_bytes": (work / "dump.txt").stat().st_size,
        **info,
    }


def measure(work: Path, workers: int) -> dict[str, object]:
    from breachdesk.insider.attribute import attribute_dump
    from breachdesk.registry.index import MatchIndex

    hasher = KeyedHasher(KEY)
    store = Store.open(f"sqlite:///{work / 'bench.db'}")
    index = MatchIndex(work / "index", hasher.fingerprint_of_key)
    t0 = time.perf_counter()
    c0 = os.times()
    att = attribute_dump(
        store, hasher, index, [work / "dump.txt"], country_limit=0, workers=workers
    )
    wall = time.perf_counter() - t0
    c1 = os.times()
    cpu = sum(
        getattr(c1, f) - getattr(c0, f)
        for f in ("user", "system", "children_user", "children_system")
    )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "attribute_s": round(wall, 1),
        "attribute_cpu_s": round(cpu, 1),
        "load_avg_1m_after": round(os.getloadavg()[0], 2),
        "peak_rss_mb": round(rss / 1024),
        "peak_rss_worker_mb": round(kids / 1024),
        "matched": att.matched,
        "named": [e.uid for e in att.named],
        "evidence": [e.evidence for e in att.named],
        "elements": att.elements,
        "problems": len(att.problems),
        "lines": att.stats.lines,
        "mb_per_s": round(att.stats.bytes / wall / 1e6, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=10_000_000)
    ap.add_argument("--lines", type=int, default=10_000_000)
    ap.add_argument("--exports", type=int, default=200)
    ap.add_argument("--workers", type=int, default=0)
    ap.add_argument("--work", type=Path, default=Path("bench/out/insider"))
    ap.add_argument("--measure-only", action="store_true")
    ap.add_argument("--reuse", action="store_true", help="keep existing data if present")
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    if args.measure_only:
        print(json.dumps(measure(args.work, args.workers)))
        return
    prep: dict[str, object] = {}
    if not (args.reuse and (args.work / "dump.txt").exists()):
        prep = prepare(args, args.work)
    child = subprocess.run(
        [sys.executable, "-m", "bench.attribute_bench", "--measure-only",
         "--work", str(args.work), "--workers", str(args.workers)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    result = json.loads(child.stdout.strip().splitlines()[-1])
    print(
        json.dumps(
            {
                "machine": f"{platform.machine()} {os.cpu_count()} cores, "
                f"Python {platform.python_version()}",
                "customers": args.customers,
                "exports": args.exports,
                **prep,
                **result,
            }
        )
    )


if __name__ == "__main__":
    main()
