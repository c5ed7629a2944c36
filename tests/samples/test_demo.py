"""``make demo`` on a small sample: every step runs, and the scan finds exactly what was planted."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from breachdesk.samples.demo import main


def test_demo_runs_end_to_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # the demo points these at its own folder; monkeypatch restores them afterwards
    monkeypatch.setenv("BREACHDESK_WORKSPACE", str(tmp_path / "unused"))
    monkeypatch.setenv("BREACHDESK_DATABASE_URL", f"sqlite:///{tmp_path / 'unused.db'}")
    monkeypatch.setenv("COLUMNS", "200")
    out = tmp_path / "demo-out"
    assert main(["--out", str(out), "--customers", "4000", "--log-mb", "4"]) == 0
    text = capsys.readouterr().out
    assert (out / "breachdesk.db").exists()
    assert (out / ".breachdesk" / "secret.key").exists()
    assert "registry import" in text and "rejected" in text
    assert "recall 100.00%" in text and "precision 100.00%" in text
    assert "scope of incident" in text
    assert str(out) in text.replace("\n", "")
    # it ends with the serve command and an operator login that works
    assert "breachdesk serve --host 127.0.0.1 --port 8080" in text
    login = re.search(r"operator login: (\S+) / (\S+)", text)
    assert login is not None
    from breachdesk.store import Store
    from breachdesk.web.users import authenticate

    store = Store.open(f"sqlite:///{out / 'breachdesk.db'}")
    try:
        assert authenticate(store, login.group(1), login.group(2)) is not None
    finally:
        store.dispose()
    # a second run starts again from a fresh workspace
    assert main(["--out", str(out), "--customers", "1000", "--log-mb", "1"]) == 0
    assert "1,000 customers" in capsys.readouterr().out
