"""Throughput: render, sign and deliver N notices to the local SMTP server.

``python -m bench.notify_throughput --n 20000 [--db sqlite|postgresql] [--workers 1]``
``python -m bench.notify_throughput --n 1000000 --plan-only [--peer]``

``--plan-only`` inserts the customers, then runs ``breachdesk notify plan ID`` in its
own process and reports its wall time and peak memory (sampled from /proc);
``--peer`` also measures, in its own process, what planning used to hold: the
whole affected set and every notice context at once (``customer_notices``).

Set-up (customers, incident, outbox plan, approval) is timed separately. The
sender runs as ``breachdesk notify send ID --no-plan --no-progress`` in its own
process(es); the SMTP sink runs in another process and DKIM-checks every 500th
message. Reported: messages/s from the first to the last message the server
received, wall time of the sender, and the peak memory of each sender's process
(sampled from /proc by bench.measure).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import threading
from pathlib import Path

from bench.measure import Measured, run_measured
from bench.notify_setup import Bench, machine, prepare, read_index, start_sink

HERE = Path(__file__).resolve().parent


PEER = (
    "import sys; from breachdesk.settings import Settings; from breachdesk.store import Store; "
    "from breachdesk.notify.adapter import customer_notices; "
    "from breachdesk.notify.spec import TEMPLATES_DIR, load_shaping; "
    "st = Store.open(Settings().database_url); "
    "n = customer_notices(st, int(sys.argv[1]), load_shaping(TEMPLATES_DIR))[1]; print(len(n))"
)


def _plan_only(b: Bench, n: int, db: str, peer: bool) -> dict[str, object]:
    env = dict(b.env)
    plan = run_measured(
        [sys.executable, "-m", "breachdesk", "notify", "plan", str(b.incident_id), "--json"],
        env=env,
    )
    out: dict[str, object] = {
        "n": n,
        "db": db,
        "setup": {k: round(v, 1) for k, v in b.setup_seconds.items()},
        "plan_s": round(plan.seconds, 1),
        "plan_peak_rss_mb": round(plan.peak_single_rss / 2**20),
        "plan_returncode": plan.returncode,
        "plan_output": plan.stdout.strip()[-300:],
        "machine": machine(),
    }
    if plan.returncode:
        print(plan.stderr[-2000:], file=sys.stderr)
    if peer:
        whole = run_measured([sys.executable, "-c", PEER, str(b.incident_id)], env=env)
        out["peer_whole_set_s"] = round(whole.seconds, 1)
        out["peer_whole_set_peak_rss_mb"] = round(whole.peak_single_rss / 2**20)
        out["peer_returncode"] = whole.returncode
    print(json.dumps(out, indent=2))
    return out


def main(argv: list[str] | None = None) -> dict[str, object]:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=20_000)
    ap.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--signer", choices=["cryptography", "dkimpy"], default="cryptography")
    ap.add_argument("--out", type=Path, default=HERE / "out" / "notify-throughput")
    ap.add_argument(
        "--plan-only", action="store_true", help="Measure set-up and planning only (no sending)."
    )
    ap.add_argument(
        "--peer", action="store_true", help="With --plan-only: also load the whole set at once."
    )
    args = ap.parse_args(argv)
    root = args.out / f"{args.db}-{args.n}-{args.workers}w-{args.signer}"
    shutil.rmtree(root, ignore_errors=True)
    b = prepare(
        root,
        args.n,
        args.db,
        plan_outbox=not args.plan_only,
        BREACHDESK_NOTIFY_CONCURRENCY=str(args.concurrency),
        BREACHDESK_NOTIFY_DKIM_SIGNER=args.signer,
        BREACHDESK_NOTIFY_BATCH="500",
    )
    if args.plan_only:
        planned = _plan_only(b, args.n, args.db, args.peer)
        b.store.dispose()
        return planned
    sink, port = start_sink(root)
    env, cmd = b.sender(port)
    results: list[Measured] = []

    def one() -> None:
        results.append(run_measured(cmd, env=env))

    threads = [threading.Thread(target=one) for _ in range(args.workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    sink.terminate()
    sink.wait()
    index = read_index(root)
    times = [float(str(r["t"])) for r in index]
    span = max(times) - min(times) if times else 0.0
    sampled = [r for r in index if r.get("dkim_ok") is not None]
    out: dict[str, object] = {
        "n": args.n,
        "db": args.db,
        "workers": args.workers,
        "concurrency": args.concurrency,
        "signer": args.signer,
        "received": len(index),
        "distinct_recipients": len({tuple(r["rcpt"]) for r in index}),  # type: ignore[arg-type]
        "msgs_per_s": round(len(index) / span, 1) if span else None,
        "sender_wall_s": [round(r.seconds, 1) for r in results],
        "sender_peak_rss_mb": [round(r.peak_rss / 2**20) for r in results],
        "returncodes": [r.returncode for r in results],
        "dkim_checked": len(sampled),
        "dkim_ok": sum(1 for r in sampled if r["dkim_ok"]),
        "setup_s": {k: round(v, 1) for k, v in b.setup_seconds.items()},
        "machine": machine(),
    }
    for r in results:
        if r.returncode:
            print(r.stderr[-2000:], file=sys.stderr)
    print(json.dumps(out, indent=2))
    b.store.dispose()
    return out


if __name__ == "__main__":
    main()
