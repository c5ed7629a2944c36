"""``python -m bench.core_bench``: the compiled core against one bare hyperscan pass, side by side.

Two corpus shapes, measured in one run, interleaved so that machine load hits both:

- **A**, the bench corpus (``breachdesk.samples.weblogs``): shop pages with CSS
  at-rules, social handles, support addresses, images as ``body_b64``;
- **B**, mostly signed-in self-view pages, a fifth of bodies base64, footers full of
  ``@`` noise (``bench.selfview_corpus``).

For each: one hyperscan pass of an email regex (1 core, ``bench.anchors``), then
``breachdesk scan`` with one worker and with two, end to end (the CLI process's wall
clock, on a fresh copy of the imported store), with the peak memory of the process
tree. Optionally the scan again with a 10M-customer index (``--index-customers``).
Writes ``<out>/core-results.json``; the figures are copied into bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import re
import secrets
import shutil
import statistics
import sys
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import breachdesk
from bench import anchors, report
from bench.big_index import build_big_index, synthetic
from bench.measure import Measured, run_measured
from bench.run import machine
from bench.selfview_corpus import write_selfview_corpus
from breachdesk.detect.findings import iter_findings
from breachdesk.samples.customers import write_registry
from breachdesk.samples.weblogs import LogSpec, write_logs
from breachdesk.store import Store

HERE = Path(__file__).resolve().parent


def _say(msg: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {msg}", flush=True)


def _env(ws: Path, db: Path, key: str) -> dict[str, str]:
    env = dict(os.environ)
    env |= {"BREACHDESK_SECRET_KEY": key, "BREACHDESK_WORKSPACE": str(ws)}
    env |= {"BREACHDESK_DATABASE_URL": f"sqlite:///{db}", "COLUMNS": "120"}
    return env


def _cli(args: list[str], env: dict[str, str], memory: bool = True) -> Measured:
    m = run_measured([sys.executable, "-m", "breachdesk", *args], env, 0.1 if memory else None)
    if m.returncode not in (0, 3):
        sys.exit(f"bench: breachdesk {' '.join(args)} failed ({m.returncode}):\n{m.stderr}")
    return m


def _accuracy(run_db: Path, truth: Path) -> dict[str, object]:
    """Findings against the planted exposures: file, line and customer must agree."""
    if truth.name.endswith(".truth.jsonl") and truth.parent.name == "data":
        return {k: v for k, v in report.accuracy(run_db, truth).items() if k in KEEP}
    planted = {(f"line {t['line']}", t["customer_id"]) for t in map(json.loads, truth.open())}
    store = Store.open(f"sqlite:///{run_db}")
    try:
        found = {(f.locator, f.customer_id) for f in iter_findings(store)}
    finally:
        store.dispose()
    hit = len(planted & found)
    return {
        "planted": len(planted),
        "found": len(found),
        "matched": hit,
        "recall": hit / len(planted) if planted else 1.0,
        "precision": hit / len(found) if found else 1.0,
    }


KEEP = ("planted", "found", "matched", "recall", "precision", "wrong_viewer", "wrong_fields")


def _scan(
    files: list[Path],
    workers: int,
    ws: Path,
    db: Path,
    key: str,
    out: Path,
    truth: Path | None = None,
    memory: bool = False,
) -> dict[str, object]:
    """One scan. Timed runs sample no memory; a ``memory`` run is not timed."""
    run_db = out / f"scan-{workers}-{files[0].stem}.db"
    shutil.copyfile(db, run_db)
    args = ["scan", *map(str, files), "--workers", str(workers)]
    m = _cli(args, _env(ws, run_db, key), memory)
    size = sum(f.stat().st_size for f in files)
    own = re.search(r"\(([\d,.]+) MB/s on (\d+) workers?\)", m.stdout)
    found = re.search(r"findings\s+│\s+([\d,]+) new", m.stdout)
    selfv = re.search(r"self-views \(counted\)\s+│\s+([\d,]+)", m.stdout)
    acc = _accuracy(run_db, truth) if truth is not None else None
    run_db.unlink()
    own_s = size / 1e6 / float(own.group(1).replace(",", "")) if own else None
    return {
        "accuracy": acc,
        "workers": workers,
        "bytes": size,
        "seconds": round(m.seconds, 2),
        # the part of the wall clock outside the scanner's own timer: start-up, imports
        # before the fork, the summary, exit (the same for any number of workers)
        "outside_s": round(m.seconds - own_s, 3) if own_s else None,
        "mb_s": round(size / 1e6 / m.seconds, 1),
        "own_mb_s": own.group(1) if own else None,
        "findings": found.group(1) if found else None,
        "self_views": selfv.group(1) if selfv else None,
        "peak_pss_mb": round(m.peak_pss / 1e6),
        "peak_rss_sum_mb": round(m.peak_rss / 1e6),
    }


def _median_run(runs: list[dict[str, object]]) -> dict[str, object]:
    """The run with the median speed (its accuracy taken from the first, measured run)."""
    ranked = sorted(runs, key=lambda r: float(str(r["mb_s"])))
    mid = dict(ranked[len(ranked) // 2])
    mid["accuracy"] = runs[0]["accuracy"]
    return mid


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, default=HERE / "out" / "core")
    ap.add_argument("--customers", type=int, default=200_000)
    ap.add_argument("--size-mb", type=int, default=512, help="size of each corpus")
    ap.add_argument("--index-customers", type=int, default=0, help="also scan with this big index")
    ap.add_argument("--skip-corpus", action="append", default=[], help="A or B")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds; medians reported")
    ap.add_argument("--data", type=Path, help="reuse corpora generated under this folder")
    a = ap.parse_args(argv)
    out = a.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    r: dict[str, object] = {
        "argv": " ".join(
            ["python -m bench.core_bench", *(argv if argv is not None else sys.argv[1:])]
        ),
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_start": os.getloadavg(),
        "machine": machine(),
    }
    # The CLI runs as installed: an installed package has its bytecode compiled (pip does
    # it), while an editable checkout under PYTHONDONTWRITEBYTECODE compiles about fifty
    # modules from source in every process, a fixed cost that is not the scanner's.
    r["bytecode_compiled"] = compileall.compile_dir(str(Path(breachdesk.__file__).parent), quiet=1)
    data = a.data.resolve() if a.data else out / "data"
    if not (data / "customers.csv").exists():
        _say(f"registry: {a.customers:,} customers")
        write_registry(data / "customers.csv", a.customers, seed=1)
    a_dir = data / "a"
    if not a_dir.exists():
        _say(f"corpus A: {a.size_mb} MB")
        write_logs(LogSpec(a.customers, a.size_mb * 1_000_000, files=2), a_dir, workers=2)
    b_file = data / "b" / "selfview.jsonl"
    if not b_file.exists():
        _say(f"corpus B: {a.size_mb} MB")
        b_file.parent.mkdir(parents=True, exist_ok=True)
        r["corpus_b"] = write_selfview_corpus(b_file, a.customers, a.size_mb * 1_000_000)
    corpora = {"A": sorted(a_dir.glob("*.jsonl")), "B": [b_file]}
    truths = {"A": data / "a.truth.jsonl", "B": b_file.with_suffix(".truth.jsonl")}
    key_file = out / "bench.key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
    key = key_file.read_text().strip()
    ws, db = out / "ws", out / "bench.db"
    shutil.rmtree(ws, ignore_errors=True)
    db.unlink(missing_ok=True)
    _cli(["init"], _env(ws, db, key))
    _say("registry import")
    m = _cli(["registry", "import", str(data / "customers.csv")], _env(ws, db, key))
    r["import_seconds"] = round(m.seconds, 1)
    results: dict[str, dict[str, object]] = {}
    for name, files in corpora.items():
        if name in a.skip_corpus:
            continue
        # rounds interleave the peer and both scans, so that load hits all of them; the
        # median round of each is reported, with every round kept in the JSON
        for f in files:  # into the page cache first: every timed pass reads from memory
            with f.open("rb") as fh:
                while fh.read(16 << 20):
                    pass
        hs_runs, hs2_runs, ones, twos = [], [], [], []
        for rnd in range(1, a.rounds + 1):
            _say(f"corpus {name}: round {rnd}: hyperscan pass, in one process and in two")
            hs_runs.append(anchors.hyperscan_pass(files))
            hs2_runs.append(anchors.hyperscan_parallel(files, 2))
            _say(f"corpus {name}: round {rnd}: scan, 1 worker")
            ones.append(_scan(files, 1, ws, db, key, out, truths[name] if rnd == 1 else None))
            _say(f"corpus {name}: round {rnd}: scan, 2 workers")
            twos.append(_scan(files, 2, ws, db, key, out))
        hs_rate = statistics.median(h.mb_s for h in hs_runs)
        hs2_rate = statistics.median(h.mb_s for h in hs2_runs)
        one = _median_run(ones)
        two = _median_run(twos)
        # peak memory from one more run of each, sampled (and not timed)
        _say(f"corpus {name}: memory runs")
        for run, workers in ((one, 1), (two, 2)):
            mem = _scan(files, workers, ws, db, key, out, memory=True)
            run["peak_pss_mb"], run["peak_rss_sum_mb"] = mem["peak_pss_mb"], mem["peak_rss_sum_mb"]
        results[name] = {
            "hyperscan": [asdict(h) for h in hs_runs],
            "hyperscan_mb_s": round(hs_rate, 1),
            "one": one,
            "two": two,
            "hyperscan_two": [asdict(h) for h in hs2_runs],
            "hyperscan_two_mb_s": round(hs2_rate, 1),
            # the machine's own 2-core scaling of a job with no Python per byte: the
            # ceiling for the scanner's two_over_one
            "hyperscan_two_over_one": round(hs2_rate / hs_rate, 2),
            "hyperscan_two_over_one_rounds": [
                round(h2.mb_s / h1.mb_s, 2) for h1, h2 in zip(hs_runs, hs2_runs, strict=True)
            ],
            "one_rounds_mb_s": [r["mb_s"] for r in ones],
            "two_rounds_mb_s": [r["mb_s"] for r in twos],
            "one_rounds_outside_s": [r["outside_s"] for r in ones],
            "two_rounds_outside_s": [r["outside_s"] for r in twos],
            "ratio_hyperscan_to_one": round(hs_rate / float(str(one["mb_s"])), 2),
            "two_over_one": round(float(str(two["mb_s"])) / float(str(one["mb_s"])), 2),
            "two_over_one_own": round(
                float(str(two["own_mb_s"]).replace(",", ""))
                / float(str(one["own_mb_s"]).replace(",", "")),
                2,
            ),
        }
        _say(f"corpus {name}: {json.dumps(results[name], default=str)[:400]}")
    r["results"] = results
    if a.index_customers:
        _say(f"big index: {a.index_customers:,} customers")
        t = time.perf_counter()
        extra = synthetic(out / "cache", bytes.fromhex(key), 1, a.customers, a.index_customers, 2)
        big = dict(build_big_index(ws, out / "ws-big", extra))
        r["big_index"] = {"build_seconds": round(time.perf_counter() - t, 1), **big}
        r["big_scan"] = _scan(
            corpora["A"], 2, out / "ws-big", db, key, out, truths["A"], memory=True
        )
        _say(f"big index scan: {r['big_scan']}")
    r["load_end"] = os.getloadavg()
    r["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    (out / "core-results.json").write_text(json.dumps(r, indent=2, default=str))
    _say(f"wrote {out / 'core-results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
