"""Web load on loopback: the notice-code check, "was I affected?" and the range API.

    nice -n 5 python -m bench.web_load [--customers 50000] [--db sqlite,postgresql]

For each store: ``breachdesk serve`` runs in its own process (one uvicorn worker,
with the portal's mail worker on, mailing a sink process). An open-loop generator
(asyncio streams over 256 keep-alive connections; each request's latency counts
from its scheduled start, so a stalled server cannot hide its queue) sends the
JSON API look-ups, half for customers (known codes) and half for non-customers
(unknown codes):

1. 10 s at 300 req/s -> p50 / p99;
2. 5 s steps from 50 req/s upwards (``RAMP``) -> the highest rate whose p99 stays
   < 25 ms with no errors (a request slower than 2 s counts as an error);
3. the range API, closed loop with 32 connections for 8 s -> req/s and p99.

Each run also records the server process's CPU milliseconds per request (from
/proc), which does not depend on what else the machine is doing. Latencies
include the portal's response floor (``portal_floor_ms``, 12 ms by
default), as served. Writes bench/out/web.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from bench.notify_setup import machine, prepare, start_sink
from breachdesk.notify.smtp_sink import free_port
from breachdesk.store.models.outbox import OutboxRow
from breachdesk.web.range_api.store import add_hashes

OUT = Path(__file__).parent / "out"
TARGET_P99 = 0.025
RAMP = [50, 100, 150, 200, 250, 300, 400, 500, 600, 800, 1000, 1200, 1500]
TIMEOUT = 2.0  # a request slower than this counts as an error (an overload run ends)


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))] if s else float("nan")


class RawPool:
    """Keep-alive HTTP/1.1 connections over asyncio streams: a cheap client, so the
    generator (not httpx's per-request cost) never becomes the bottleneck."""

    def __init__(self, port: int, size: int) -> None:
        self.port, self.size = port, size
        self.free: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter] | None] = (
            asyncio.Queue()
        )
        for _ in range(size):
            self.free.put_nowait(None)

    async def request(self, method: str, path: str, body: dict[str, str] | None) -> int:
        conn = await self.free.get()
        data = json.dumps(body).encode() if body is not None else b""
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
        ).encode()
        try:
            for attempt in (1, 2):  # a kept-alive connection the server closed: reconnect once
                fresh = conn is None
                try:
                    if conn is None:
                        conn = await asyncio.open_connection("127.0.0.1", self.port)
                    reader, writer = conn
                    writer.write(head + data)
                    raw = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), TIMEOUT)
                    length = 0
                    for line in raw.split(b"\r\n"):
                        if line[:15].lower() == b"content-length:":
                            length = int(line[15:])
                    await asyncio.wait_for(reader.readexactly(length), TIMEOUT)
                    return int(raw[9:12])
                except (OSError, asyncio.IncompleteReadError, TimeoutError) as exc:
                    if conn is not None:
                        conn[1].close()
                    conn = None
                    if fresh or attempt == 2 or isinstance(exc, TimeoutError):
                        return 599
            return 599
        finally:
            self.free.put_nowait(conn)


async def open_loop(pool: RawPool, rate: float, seconds: float, make: Any) -> dict[str, Any]:
    n = int(rate * seconds)
    lat: list[float] = []
    errors = 0
    start = time.perf_counter() + 0.05

    async def one(i: int) -> None:
        nonlocal errors
        at = start + i / rate
        await asyncio.sleep(max(0.0, at - time.perf_counter()))
        method, url, body = make(i)
        status = await pool.request(method, url, body)
        errors += status >= 400
        lat.append(time.perf_counter() - at)

    await asyncio.gather(*(one(i) for i in range(n)))
    return {
        "rate": rate,
        "requests": n,
        "errors": errors,
        "p50_ms": round(pct(lat, 0.50) * 1000, 2),
        "p99_ms": round(pct(lat, 0.99) * 1000, 2),
    }


async def closed_loop(
    client: httpx.AsyncClient, conns: int, seconds: float, make: Any
) -> dict[str, Any]:
    lat: list[float] = []
    end = time.perf_counter() + seconds
    errors = 0

    async def worker(w: int) -> None:
        nonlocal errors
        i = w
        while time.perf_counter() < end:
            method, url, _ = make(i)
            t = time.perf_counter()
            try:
                r = await client.request(method, url, headers={"Add-Padding": "true"})
                errors += r.status_code != 200
            except httpx.HTTPError:
                errors += 1
            lat.append(time.perf_counter() - t)
            i += conns

    t0 = time.perf_counter()
    await asyncio.gather(*(worker(w) for w in range(conns)))
    took = time.perf_counter() - t0
    return {
        "connections": conns,
        "requests": len(lat),
        "errors": errors,
        "req_per_s": round(len(lat) / took, 1),
        "p50_ms": round(pct(lat, 0.5) * 1000, 2),
        "p99_ms": round(pct(lat, 0.99) * 1000, 2),
    }


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def measured(pid: int, run: Any) -> dict[str, Any]:
    """Run one load and add the server's CPU milliseconds per request (load-independent)."""
    before = cpu_seconds(pid)
    out: dict[str, Any] = await run
    out["server_cpu_ms_per_request"] = round(
        (cpu_seconds(pid) - before) * 1000 / max(1, out["requests"]), 2
    )
    return out


def serve(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        ["nice", "-n", "5", sys.executable, "-m", "breachdesk", "serve", "--port", str(port)],
        env=env,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/range/00000", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("server did not start")


async def run_db(db: str, customers: int, root: Path) -> dict[str, Any]:
    t = time.perf_counter()
    limits = {
        "BREACHDESK_PORTAL_IP_PER_MINUTE": str(10**9),
        "BREACHDESK_PORTAL_ADDRESS_PER_HOUR": str(10**9),
    }
    shutil.rmtree(root / db, ignore_errors=True)
    bench = prepare(root / db, customers, db, **limits)
    rng = random.Random(7)
    add_hashes(
        bench.store,
        "sha1",
        ((f"{rng.getrandbits(160):040X}", rng.randint(1, 5000)) for _ in range(200_000)),
    )
    with bench.store.session() as s:
        codes = list(s.scalars(select(OutboxRow.verification).limit(2000)))
    setup = time.perf_counter() - t
    sink, sink_port = start_sink(root / db, sample_every=1000)
    port = free_port()
    env = dict(bench.env, BREACHDESK_SMTP_PORT=str(sink_port), **limits)
    server = serve(env, port)
    base = f"http://127.0.0.1:{port}"

    def verify(i: int) -> tuple[str, str, dict[str, str]]:
        code = codes[i % len(codes)] if i % 2 else f"ZZZZ-{i % 10000:04d}-QQQQ"
        return "POST", "/api/v1/verify", {"code": code}

    def lookup(i: int) -> tuple[str, str, dict[str, str]]:
        who = f"user{(i * 7919) % customers}@example.org" if i % 2 else f"nobody{i}@example.net"
        return "POST", "/api/v1/lookup", {"email": who}

    def range_(i: int) -> tuple[str, str, None]:
        return "GET", f"/range/{(i * 2654435761) % 0x100000:05X}", None

    out: dict[str, Any] = {"db": db, "customers": customers, "setup_s": round(setup, 1)}
    limits_http = httpx.Limits(max_connections=512, max_keepalive_connections=512)
    try:
        pool = RawPool(port, 256)
        async with httpx.AsyncClient(base_url=base, limits=limits_http, timeout=TIMEOUT) as client:
            for name, make in (("verify", verify), ("lookup", lookup)):
                await open_loop(pool, 100, 2, make)  # warm-up
                at300 = await measured(server.pid, open_loop(pool, 300, 10, make))
                await asyncio.sleep(3)  # let a backlog drain before the ramp
                steps = []
                for rate in RAMP:
                    r = await measured(server.pid, open_loop(pool, rate, 5, make))
                    steps.append(r)
                    await asyncio.sleep(1)
                    if r["p99_ms"] >= TARGET_P99 * 1000 or r["errors"]:
                        break
                held = [s["rate"] for s in steps if s["p99_ms"] < TARGET_P99 * 1000]
                out[name] = {
                    "at_300": at300,
                    "steps": steps,
                    "max_rate_p99_lt_25ms": max(held, default=0),
                }
                print(db, name, at300, "max", out[name]["max_rate_p99_lt_25ms"], flush=True)
            out["range"] = await measured(server.pid, closed_loop(client, 32, 8, range_))
            print(db, "range", out["range"], flush=True)
    finally:
        server.terminate()
        server.wait(timeout=20)
        sink.terminate()
        sink.wait(timeout=20)
        bench.store.dispose()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--customers", type=int, default=50_000)
    ap.add_argument("--db", default="sqlite,postgresql")
    ap.add_argument("--root", type=Path, default=OUT / "web")
    args = ap.parse_args()
    results: dict[str, Any] = {
        "machine": machine(),
        "load_average_at_start": os.getloadavg(),
        "command": " ".join(sys.argv),
        "runs": [],
    }
    for db in args.db.split(","):
        results["runs"].append(asyncio.run(run_db(db, args.customers, args.root)))
    OUT.mkdir(exist_ok=True)
    (OUT / "web.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
