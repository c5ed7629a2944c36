"""``python -m bench.run``: generate a corpus, measure breachdesk and its anchors, write RESULTS.md.

Defaults are the issue's bench: 1M customers, >= 2 GB of response-log JSONL with
about 1 in 1,000 responses exposing another customer, a 10M-customer index for
the memory figure. Every option scales it down (``--size-gb 0.2`` etc.) and the
sizes actually used are written into the results.

Steps: generate (cached in ``bench/out`` by parameters); ``breachdesk init`` and
``registry import`` (timed); ``breachdesk scan`` with one worker and with all
cores, each on a fresh copy of the imported store (timed, peak memory of the
process tree); accuracy of the all-cores findings against the ground truth; the
scan again with a 10M-customer index (peak memory); Presidio on a sample and a
raw regex pass (hyperscan, RE2) over the whole corpus.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import secrets
import shutil
import sys
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from bench import anchors, report
from bench.big_index import build_big_index, synthetic
from bench.measure import Measured, run_measured
from breachdesk.samples.customers import write_registry
from breachdesk.samples.weblogs import LogSpec, read_truth, write_logs

HERE = Path(__file__).resolve().parent


def _env(ws: Path, db: Path, key: str) -> dict[str, str]:
    env = dict(os.environ)
    env["BREACHDESK_SECRET_KEY"] = key
    env["BREACHDESK_WORKSPACE"] = str(ws)
    env["BREACHDESK_DATABASE_URL"] = f"sqlite:///{db}"
    env["COLUMNS"] = "120"
    return env


def _cli(args: list[str], env: dict[str, str]) -> Measured:
    m = run_measured([sys.executable, "-m", "breachdesk", *args], env)
    if m.returncode != 0:
        sys.exit(f"bench: breachdesk {' '.join(args)} failed ({m.returncode}):\n{m.stderr}")
    return m


def _say(msg: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {msg}", flush=True)


def generate(out: Path, a: argparse.Namespace) -> dict[str, object]:
    """The corpus, reused when ``out/corpus.json`` says it was made with the same options."""
    params = {
        "customers": a.customers,
        "size_bytes": int(a.size_gb * 1e9),
        "seed": a.seed,
        "rate": a.rate,
        "files": a.files,
    }
    manifest = out / "corpus.json"
    if manifest.exists() and not a.regenerate:
        old = json.loads(manifest.read_text())
        if old["params"] == params:
            _say("corpus: reusing bench/out (same parameters)")
            return dict(old)
    shutil.rmtree(out / "data", ignore_errors=True)
    t = time.perf_counter()
    planted = write_registry(out / "data" / "customers.csv", a.customers, seed=a.seed)
    reg_s = time.perf_counter() - t
    _say(f"registry: {a.customers:,} customers in {reg_s:.1f} s")
    t = time.perf_counter()
    spec = LogSpec(
        customers=a.customers,
        size_bytes=params["size_bytes"],
        seed=a.seed,
        files=a.files,
        exposure_rate=a.rate,
    )
    logs = write_logs(spec, out / "data" / "logs", workers=os.cpu_count() or 1)
    logs_s = time.perf_counter() - t
    _say(f"logs: {logs.bytes / 1e9:.2f} GB, {logs.lines:,} responses in {logs_s:.0f} s")
    result = {
        "params": params,
        "registry_rows": a.customers + len(planted),
        "registry_seconds": reg_s,
        "logs": asdict(logs),
        "logs_seconds": logs_s,
        "window": [spec.window_start.isoformat(), spec.window_end.isoformat()],
    }
    manifest.write_text(json.dumps(result, indent=2))
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    ap.add_argument("--out", type=Path, default=HERE / "out" / "scanner")
    ap.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--size-gb", type=float, default=2.05)
    ap.add_argument("--files", type=int, default=8, help="Response-log files in the corpus.")
    ap.add_argument("--rate", type=float, default=0.001, help="Share of exposing responses.")
    ap.add_argument("--index-customers", type=int, default=10_000_000)
    ap.add_argument("--presidio-mb", type=float, default=16.0)
    ap.add_argument(
        "--one-files", type=int, default=0, help="Files for the 1-worker scan (0: all)."
    )
    ap.add_argument(
        "--big-files", type=int, default=0, help="Files for the 10M-index scan (0: all)."
    )
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--regenerate", action="store_true")
    ap.add_argument(
        "--prepare-only", action="store_true", help="Generate the corpus and hashes, then stop."
    )
    ap.add_argument("--skip", action="append", default=[], help="one1, big, presidio, regex")
    ap.add_argument(
        "--render-only",
        action="store_true",
        help="Rewrite RESULTS.md from the last results.json (merging the other benchmarks).",
    )
    a = ap.parse_args(argv)
    out = a.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    if a.render_only:
        last = json.loads((out / "results.json").read_text())
        a.results.write_text(report.render(last) + report.merged(HERE), encoding="utf-8")
        _say(f"wrote {a.results}")
        return 0
    cores = os.cpu_count() or 1
    r: dict[str, object] = {
        "argv": " ".join(["python -m bench.run", *(argv if argv is not None else sys.argv[1:])]),
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "cores": cores,
        "load_start": os.getloadavg()[0],
    }
    r["corpus"] = corpus = generate(out, a)
    logs_dir = out / "data" / "logs"
    files = sorted(logs_dir.glob("*.jsonl"))
    truth = Path(str(corpus["logs"]["truth"]))  # type: ignore[index]

    ws, db = out / "ws", out / "bench.db"
    shutil.rmtree(ws, ignore_errors=True)
    for p in out.glob("*.db*"):
        p.unlink()
    # one key for every bench run, so the 10M index's extra hashes can be cached
    key_file = out / "bench.key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    hexkey = key_file.read_text().strip()
    key = bytes.fromhex(hexkey)
    if "big" not in a.skip:
        _say(f"index: hashes of customers {a.customers:,}..{a.index_customers:,} (cached)")
        t = time.perf_counter()
        extra = synthetic(out / "cache", key, a.seed, a.customers, a.index_customers, cores)
        r["synthetic_seconds"] = time.perf_counter() - t
    if a.prepare_only:
        _say("prepared; run again without --prepare-only to measure")
        return 0
    env = _env(ws, db, hexkey)
    _cli(["init"], env)
    _say("import: breachdesk registry import")
    m = _cli(["registry", "import", str(out / "data" / "customers.csv")], env)
    r["import"] = {"seconds": m.seconds, "output": m.stdout, "rows": corpus["registry_rows"]}
    _say(f"import: {m.seconds:.1f} s")

    scans: dict[str, dict[str, object]] = {}
    runs = [("all", 0, len(files))]
    if "one" not in a.skip:
        runs.append(("one", 1, a.one_files or len(files)))
    for name, workers, k in runs:
        run_db = out / f"scan-{name}.db"
        shutil.copyfile(db, run_db)
        part = files[:k]
        _say(f"scan: --workers {workers or cores}, {k} of {len(files)} files")
        args = ["scan", *map(str, part), "--workers", str(workers)]
        m = _cli(args, _env(ws, run_db, hexkey))
        scans[name] = _scan_result(m, workers or cores, part)
        names = {f.name for f in part}
        scans[name]["exposures"] = sum(1 for e in read_truth(truth) if e.file in names)
        _say(f"scan {name}: {m.seconds:.0f} s, peak PSS {m.peak_pss / 1e6:.0f} MB")
        if name == "all":
            r["accuracy"] = report.accuracy(run_db, truth)
    r["scans"] = scans

    if "big" not in a.skip:
        t = time.perf_counter()
        big: dict[str, float] = dict(build_big_index(ws, out / "ws-big", extra))
        big["seconds"] = time.perf_counter() - t
        run_db = out / "scan-big.db"
        shutil.copyfile(db, run_db)
        part = files[: a.big_files or len(files)]
        _say(f"scan with the big index, {len(part)} of {len(files)} files")
        m = _cli(["scan", *map(str, part)], _env(out / "ws-big", run_db, hexkey))
        r["big"] = {"index": big, "scan": _scan_result(m, cores, part)}
        r["big_accuracy"] = report.accuracy(run_db, truth, {p.name for p in part})
        _say(f"scan with the big index: peak PSS {m.peak_pss / 1e6:.0f} MB")

    if "presidio" not in a.skip:
        sample = out / "sample" / "sample.jsonl"
        anchors.cut_sample(files[0], sample, int(a.presidio_mb * 1e6))
        _say("presidio on the sample")
        r["presidio"] = asdict(anchors.presidio(sample, ws / "index", key))
        run_db = out / "scan-sample.db"
        shutil.copyfile(db, run_db)
        m = _cli(["scan", str(sample.parent), "--workers", "1"], _env(ws, run_db, hexkey))
        r["sample_scan"] = _scan_result(m, 1, [sample])
    if "regex" not in a.skip:
        _say("raw regex passes")
        r["regex"] = [asdict(anchors.hyperscan_pass(files)), asdict(anchors.re2_pass(files))]
    r["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    r["conditions"] = (
        f"1-minute load average {float(str(r['load_start'])):.2f} at the start and "
        f"{os.getloadavg()[0]:.2f} at the end (the machine may be shared; a load above the "
        "core count means the figures are understated)."
    )
    r["machine"] = machine()
    (out / "results.json").write_text(json.dumps(r, indent=2, default=str))
    text = report.render(r)
    text += report.merged(HERE)
    a.results.write_text(text, encoding="utf-8")
    _say(f"wrote {a.results}")
    return 0


def _scan_result(m: Measured, workers: int, files: list[Path]) -> dict[str, object]:
    used = re.search(r"on (\d+) workers?\)", m.stdout)  # the scanner may use fewer
    return {
        "workers": int(used.group(1)) if used else workers,
        "files": len(files),
        "bytes": sum(f.stat().st_size for f in files),
        "seconds": m.seconds,
        "peak_rss": m.peak_rss,
        "peak_pss": m.peak_pss,
        "peak_single_rss": m.peak_single_rss,
        "output": m.stdout,
    }


def machine() -> dict[str, str]:
    model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    mem = ""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            mem = f"{int(line.split()[1]) / 1024**2:.1f} GiB"
    return {
        "cpu": model,
        "cores": str(os.cpu_count()),
        "ram": mem,
        "python": platform.python_version(),
        "os": platform.platform(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


if __name__ == "__main__":
    sys.exit(main())
