"""Benchmark: messages per second the tripwire accepts on loopback.

    .venv/bin/python -m bench.tripwire_bench --messages 3000 --connections 4

One export with canaries is registered in a fresh SQLite store; the tripwire runs
in this process (its own thread); ``connections`` smtplib clients in threads each
send their share of messages to canary addresses over one session, and a share of
refused recipients is mixed in. Every accepted message raises, stores and hands
over an alert (no webhook or relay configured). Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import smtplib
import socket
import tempfile
import threading
import time
from pathlib import Path

from bench.attribute_data import build_registry, register_exports
from breachdesk.insider.tripwire import Alert, TripwireConfig, start_tripwire
from breachdesk.registry.keyed import KeyedHasher
from breachdesk.store import Store

KEY = bytes(range(32))


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=3000)
    ap.add_argument("--connections", type=int, default=4)
    ap.add_argument("--body-bytes", type=int, default=4000)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bd-tripwire-"))
    hasher = KeyedHasher(KEY)
    reg = build_registry(hasher, 10_000, work / "index")
    store = Store.open(f"sqlite:///{work / 'bench.db'}")
    store.migrate()
    export = register_exports(store, hasher, reg, 1, random.Random(1))[0]
    alerts: list[Alert] = []
    cfg = TripwireConfig(port=_port())
    controller, handler = start_tripwire(store, hasher, cfg, alerts.append)
    text = ("Lorem ipsum dolor sit amet. " * (args.body_bytes // 28 + 1))[: args.body_bytes]
    body = "\r\n".join(text[i : i + 76] for i in range(0, len(text), 76))
    per = args.messages // args.connections
    refused = [0]

    def client(n: int) -> None:
        with smtplib.SMTP("127.0.0.1", cfg.port, local_hostname=f"bench{n}.example") as smtp:
            for i in range(per):
                rcpt = export.canaries[(n + i) % len(export.canaries)]
                msg = f"From: a@b.example\r\nTo: {rcpt}\r\nSubject: offer {n}-{i}\r\n\r\n{body}\r\n"
                smtp.sendmail("a@b.example", [rcpt], msg.encode())
                if i % 10 == 0:
                    try:
                        smtp.sendmail("a@b.example", [f"x{i}@example.com"], b"Subject: x\r\n\r\nx")
                    except smtplib.SMTPRecipientsRefused:
                        refused[0] += 1

    t0 = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(args.connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    controller.stop()
    store.dispose()
    sent = per * args.connections
    print(
        json.dumps(
            {
                "machine": f"{platform.machine()} {os.cpu_count()} cores, "
                f"Python {platform.python_version()}",
                "messages": sent,
                "connections": args.connections,
                "body_bytes": args.body_bytes,
                "alerts": len(alerts),
                "stored": handler.alerts,
                "refused_unknown": refused[0],
                "seconds": round(wall, 2),
                "messages_per_s": round(sent / wall, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
