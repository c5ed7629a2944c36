"""Ctrl-C: an interrupted scan exits 130 with one line, is recorded as ``interrupted``
(never left "running"), even when the parent ignored SIGINT, and scanning again is safe."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from breachdesk.cli.main import run
from breachdesk.settings import Settings
from tests.detect.builders import standard_log


def _status(db: Path) -> list[str]:
    try:
        with sqlite3.connect(db) as conn:
            return [r[0] for r in conn.execute("SELECT status FROM scan_runs ORDER BY id")]
    except sqlite3.OperationalError:
        return []


@pytest.mark.parametrize("workers", ["1", "2"])
def test_sigint_records_an_interrupted_scan(
    settings: Settings, tmp_path: Path, workers: str, capsys: pytest.CaptureFixture[str]
) -> None:
    if not settings.database_url.startswith("sqlite"):
        pytest.skip("the subprocess polls the SQLite file")
    db = Path(settings.database_url.removeprefix("sqlite:///"))
    customers = tmp_path / "c.csv"
    customers.write_text(
        "customer_id,email,full_name,country,entity\nc1,alice@example.com,Alice Smith,GB,shop-uk\n"
    )
    assert run(["registry", "import", str(customers)]) == 0
    block = ("\n".join(standard_log()) + "\n").encode()
    big = tmp_path / "big.jsonl"
    with big.open("wb") as fh:
        for _ in range(60_000_000 // len(block)):
            fh.write(block)
    proc = subprocess.Popen(
        [sys.executable, "-m", "breachdesk", "scan", str(big), "--workers", workers],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
        # as a script's background job: SIGINT ignored by inheritance
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    deadline = time.monotonic() + 60
    while "running" not in _status(db) and time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        time.sleep(0.05)
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("breachdesk: interrupted: scan 1 interrupted")
    assert _status(db) == ["interrupted"]
    capsys.readouterr()
    assert run(["scans", "1"]) == 0
    assert "interrupted (Ctrl-C); nothing stored" in capsys.readouterr().out


def test_interrupted_send_is_audited_with_counts(
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Ctrl-C during delivery: exit 130, one line, and an end entry saying interrupted."""
    from breachdesk.cli import notify as notify_cli
    from breachdesk.store import Store
    from breachdesk.store.audit import entries

    customers = tmp_path / "c.csv"
    customers.write_text(
        "customer_id,email,full_name,country,entity\nc1,alice@example.com,Alice Smith,GB,shop-uk\n"
    )
    assert run(["registry", "import", str(customers)]) == 0
    assert run(["incident", "open", "--title", "t", "--cause", "unknown",
                "--became-aware-at", "2026-03-01T09:00Z"]) == 0  # fmt: skip

    def ctrl_c(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(notify_cli, "deliver_with_progress", ctrl_c)
    capsys.readouterr()
    assert run(["notify", "send", "1", "--no-progress"]) == 130
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("breachdesk: interrupted: sending for incident 1")
    store = Store.open(settings.database_url)
    try:
        end = entries(store, "incident:1", limit=1)[0]
    finally:
        store.dispose()
    assert end.action == "notify.send.end" and end.details["outcome"] == "interrupted"
    assert {"sent", "pending", "total"} <= set(end.details)
