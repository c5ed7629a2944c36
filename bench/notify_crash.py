"""Crash test: deliver N notices while SIGKILLing a sender at random moments, with the
SMTP server also dropping the connection after the final "." every Kth message.

``python -m bench.notify_crash --n 100000 --kills 20 --db sqlite --workers 1``
``python -m bench.notify_crash --n 100000 --kills 20 --db postgresql --workers 2``

After each kill the rows that worker held in ``sending`` (claimed, sent or not,
never recorded) are noted as "in flight at a kill", and the worker is restarted.
At the end: customers who received nothing (must be 0), duplicates, whether every
duplicate carries the same Message-ID as the first copy, whether every duplicate
was in flight at a kill or dropped before the server's reply, the outbox states
(no row may fail: a claim is not an attempt) and the histogram of attempts (SMTP
transactions recorded per row).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import time
from collections import Counter, defaultdict
from pathlib import Path

from sqlalchemy import select

from bench.notify_setup import machine, prepare, start_sink
from breachdesk.notify.missing import status
from breachdesk.store.models.outbox import OutboxRow

HERE = Path(__file__).resolve().parent


class IndexTail:
    """Follow the sink's index.jsonl without re-reading it."""

    def __init__(self, path: Path) -> None:
        self.path, self.offset, self.rows = path, 0, []  # type: ignore[var-annotated]

    def poll(self) -> int:
        if self.path.exists():
            with self.path.open("rb") as fh:
                fh.seek(self.offset)
                data = fh.read()
            cut = data.rfind(b"\n") + 1
            self.offset += cut
            self.rows.extend(json.loads(x) for x in data[:cut].splitlines() if x.strip())
        return len(self.rows)


def main(argv: list[str] | None = None) -> dict[str, object]:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--drop-every", type=int, default=997)
    ap.add_argument("--lease", type=float, default=5.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=HERE / "out" / "notify-crash")
    args = ap.parse_args(argv)
    rnd = random.Random(args.seed)
    root = args.out / f"{args.db}-{args.n}-{args.workers}w"
    shutil.rmtree(root, ignore_errors=True)
    started = time.perf_counter()
    load_start = [round(x, 2) for x in os.getloadavg()]
    b = prepare(
        root,
        args.n,
        args.db,
        BREACHDESK_NOTIFY_LEASE_SECONDS=str(args.lease),
        BREACHDESK_NOTIFY_BACKOFF_SECONDS="0.5",
        BREACHDESK_NOTIFY_BATCH="200",
        BREACHDESK_NOTIFY_CONCURRENCY="8",
    )
    sink, port = start_sink(root, drop_every=args.drop_every, sample_every=1000)
    env, cmd = b.sender(port)
    log = (root / "senders.log").open("wb")

    def spawn() -> subprocess.Popen[bytes]:
        return subprocess.Popen(cmd, env=env, stdout=log, stderr=log)

    workers = [spawn() for _ in range(args.workers)]
    tail = IndexTail(root / "sink" / "index.jsonl")
    thresholds = sorted(rnd.uniform(0.02, 0.95) * args.n for _ in range(args.kills))
    in_flight: set[str] = set()
    kills = 0
    host = socket.gethostname()
    sending_t0 = time.perf_counter()
    while any(w.poll() is None for w in workers):
        got = tail.poll()
        if thresholds and got >= thresholds[0]:
            thresholds.pop(0)
            alive = [i for i, w in enumerate(workers) if w.poll() is None]
            i = rnd.choice(alive)
            victim = workers[i]
            victim.send_signal(signal.SIGKILL)
            victim.wait()
            kills += 1
            with b.store.session() as s:
                mids = s.scalars(
                    select(OutboxRow.message_id).where(
                        OutboxRow.state == "sending",
                        OutboxRow.worker.like(f"{host}:{victim.pid}/%"),
                    )
                ).all()
            in_flight.update(mids)
            workers[i] = spawn()
        time.sleep(0.05)
    sending_s = time.perf_counter() - sending_t0
    time.sleep(0.5)
    sink.send_signal(signal.SIGTERM)
    sink.wait()
    log.close()
    tail.poll()
    per_rcpt: dict[str, list[str]] = defaultdict(list)
    for r in tail.rows:
        per_rcpt[r["rcpt"][0]].append(r["message_id"])
    dropped = {r["message_id"] for r in tail.rows if r["dropped"]}
    dup_ids = [mids[0] for mids in per_rcpt.values() if len(mids) > 1]
    duplicates = sum(len(m) - 1 for m in per_rcpt.values())
    same_id = all(len(set(m)) == 1 for m in per_rcpt.values())
    unexplained = [m for m in dup_ids if m not in in_flight and m not in dropped]
    states = status(b.store, b.incident_id).states
    with b.store.session() as s:
        attempts = Counter(
            s.scalars(select(OutboxRow.attempts).where(OutboxRow.incident_id == b.incident_id))
        )
    out: dict[str, object] = {
        "n": args.n,
        "db": args.db,
        "workers": args.workers,
        "kills": kills,
        "drop_every": args.drop_every,
        "lease_s": args.lease,
        "received": len(tail.rows),
        "customers_with_nothing": args.n - len(per_rcpt),
        "duplicates": duplicates,
        "duplicates_all_same_message_id": same_id,
        "dropped_before_reply": len(dropped),
        "in_flight_at_kills": len(in_flight),
        "duplicates_not_in_flight_or_dropped": len(unexplained),
        "outbox_states": states,
        "attempts_histogram": dict(sorted(attempts.items())),
        "load_avg_start_end": [load_start, [round(x, 2) for x in os.getloadavg()]],
        "sending_s": round(sending_s, 1),
        "total_s": round(time.perf_counter() - started, 1),
        "machine": machine(),
    }
    print(json.dumps(out, indent=2))
    b.store.dispose()
    return out


if __name__ == "__main__":
    main()
