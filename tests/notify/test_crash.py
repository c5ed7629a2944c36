"""A crash loses nothing: the sender is SIGKILLed mid-run several times while the server
also drops connections after the final "." — afterwards every customer has the notice,
and every duplicate carries the same Message-ID as the first copy."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import defaultdict
from typing import BinaryIO

import pytest

from breachdesk.notify.approval import approve
from breachdesk.notify.missing import status
from breachdesk.notify.plan import plan

from .conftest import World, make_incident

N = 40
KILLS = 3


def _spawn(w: World, incident_id: int, log: BinaryIO) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env.update(
        {
            "BREACHDESK_SMTP_PORT": str(w.sink.port),
            "BREACHDESK_NOTIFY_LEASE_SECONDS": "2",
            "BREACHDESK_NOTIFY_BACKOFF_SECONDS": "0.1",
            "BREACHDESK_NOTIFY_RATE": "20",
            "BREACHDESK_NOTIFY_CONCURRENCY": "2",
            "BREACHDESK_NOTIFY_BATCH": "8",
        }
    )
    return subprocess.Popen(
        [sys.executable, "-m", "breachdesk", "notify", "send", str(incident_id), "--no-progress"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )


def _wait_for_more(w: World, proc: subprocess.Popen[bytes], since: int, more: int) -> None:
    deadline = time.monotonic() + 120
    while len(w.sink.messages) < since + more and proc.poll() is None:
        if time.monotonic() > deadline:
            pytest.fail("sender made no progress")
        time.sleep(0.02)


@pytest.mark.timeout(400)
def test_sigkill_and_dropped_connections_lose_nothing(world: World) -> None:
    rows = [
        (f"c{i:03d}", f"user{i}@example.org", f"User {i}", "DE", None, "shop-de", "de-DE", "email")
        for i in range(N)
    ]
    incident_id = make_incident(world.store, rows)
    plan(world.store, world.settings, incident_id)
    approve(world.store, world.settings, incident_id, "tester")
    world.sink.drop_every = 9
    kills = 0
    log_path = world.tmp / "sender.log"
    with log_path.open("wb") as log:
        for _ in range(KILLS):
            proc = _spawn(world, incident_id, log)
            _wait_for_more(world, proc, len(world.sink.messages), 6)
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                kills += 1
            proc.wait(timeout=30)
        world.sink.drop_every = 0
        proc = _spawn(world, incident_id, log)
        proc.wait(timeout=300)
    assert proc.returncode == 0, log_path.read_text(errors="replace")

    assert kills >= 1
    got: dict[str, list[str]] = defaultdict(list)
    for m in world.sink.messages:
        got[m.rcpt[0]].append(m.message_id)
    wanted = {r[1] for r in rows}
    missing = wanted - set(got)
    assert missing == set()  # 0 customers received nothing
    for addr in wanted:
        assert len(set(got[addr])) == 1, addr  # every duplicate has the same Message-ID
    duplicates = sum(len(v) - 1 for v in got.values())
    dropped = sum(1 for m in world.sink.messages if m.dropped)
    assert dropped >= 1
    # A duplicate can only be a message in flight at a kill or dropped before the reply.
    assert duplicates <= dropped + kills * 8 * 2
    st = status(world.store, incident_id).states
    assert st == {"sent": N}
