"""Files holding PII are created 0600 and their folders 0700, whatever the umask: the
SQLite store, rejects, findings exports, customer extracts, missing lists, previews,
reports, the register, and the test sink's mail."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from breachdesk.cli.main import run
from breachdesk.notify.smtp_sink import SmtpSink
from breachdesk.settings import Settings
from tests.detect.builders import standard_log, write_lines
from tests.store.test_audit_trail import CUSTOMERS


def mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    old = os.umask(0o022)  # a typical umask: files 0644, folders 0755 unless we say so
    try:
        yield
    finally:
        os.umask(old)


def test_pii_files_are_private(
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    open_umask: None,
) -> None:
    monkeypatch.chdir(tmp_path)
    registry = tmp_path / "customers.csv"
    registry.write_text(CUSTOMERS + "c9,not-an-email,X,GB,,shop-uk,,\n", "utf-8")
    logs = tmp_path / "logs"
    logs.mkdir()
    write_lines(logs / "responses.jsonl", standard_log())
    out = tmp_path / "out"
    out.mkdir()
    with SmtpSink(tmp_path / "sink") as sink:
        monkeypatch.setenv("BREACHDESK_SMTP_PORT", str(sink.port))
        for argv in (
            ["registry", "import", str(registry)],
            ["scan", str(logs), "--workers", "1"],
            ["incident", "open", "--title", "t", "--cause", "technical-error",
             "--became-aware-at", "2018-11-21T09:00Z"],
            ["incident", "attach", "1", "--scan", "1"],
            ["findings", "--format", "jsonl", "--out", str(out / "findings.jsonl")],
            ["export", "--to", "Acme", "--by", "j", "--purpose", "p", "--out", str(out / "x.csv")],
            ["notify", "preview", "1", "--out", str(out / "preview")],
            ["notify", "approve", "1"],
            ["notify", "send", "1", "--no-progress"],
            ["notify", "missing", "1", "--out", str(out / "missing.csv")],
            ["report", "1", "--for", "ICO", "--entity", "shop-uk", "--format", "md,json",
             "--out", str(out / "reports")],
            ["register", "export", "--out", str(out / "register.csv")],
        ):  # fmt: skip
            assert run(argv) in (0, 3), argv
        assert sink.messages
    files = [out / "findings.jsonl", out / "x.csv", out / "missing.csv", out / "register.csv"]
    if settings.database_url.startswith("sqlite"):
        files.append(Path(settings.database_url.removeprefix("sqlite:///")))
    folders = [out / "preview", out / "reports", tmp_path / "sink", settings.rejects_dir]
    for folder in folders:
        files += [p for p in folder.rglob("*") if p.is_file()]
        folders += [p for p in folder.rglob("*") if p.is_dir()]
    assert len(files) > 10
    assert {str(f): oct(mode(f)) for f in files if mode(f) != 0o600} == {}
    assert {str(d): oct(mode(d)) for d in folders if mode(d) != 0o700} == {}
    assert os.umask(0o022) == 0o022  # the CLI restored the caller's umask
