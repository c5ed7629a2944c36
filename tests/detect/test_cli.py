"""The scan commands end to end through the CLI entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from breachdesk.cli.main import run
from tests.detect.builders import standard_log, write_lines
from tests.detect.conftest import Registry


def test_scan_findings_and_scans(
    registry: Registry, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    d = tmp_path / "logs"
    d.mkdir()
    write_lines(d / "responses.jsonl", standard_log())
    (d / "broken.har").write_text("{nope", "utf-8")
    assert run(["scan", str(d), "--workers", "2"]) == 3  # done, with broken.har a problem
    out = capsys.readouterr().out
    assert "3 new, 0 already known" in out and "exposed customers" in out
    assert "broken.har" in out and "HAR is not valid JSON" in out
    assert "alice@example.com" not in out  # the summary never prints PII

    assert run(["scan", str(d), "--workers", "1"]) == 3
    assert "0 new, 3 already known" in capsys.readouterr().out

    export = tmp_path / "findings.jsonl"
    assert run(["findings", "--format", "jsonl", "--out", str(export)]) == 0
    records = [json.loads(line) for line in export.read_text("utf-8").splitlines()]
    assert {(r["customer_id"], r["locator"], r["viewer"]) for r in records} == {
        ("c1", "line 2", "c3"),
        ("c2", "line 3", "public"),
        ("c3", "line 5", "c4"),
    }
    assert all(
        {"customer_id", "fields", "source", "locator", "url", "viewer", "seen_at"} <= set(r)
        for r in records
    )
    assert "alice@example.com" not in export.read_text("utf-8")

    capsys.readouterr()
    assert run(["findings"]) == 0
    table = capsys.readouterr().out
    assert "c1" in table and "email,name" in table

    assert run(["scans"]) == 0
    assert "done" in capsys.readouterr().out
    assert run(["scans", "1"]) == 0
    assert "HAR is not valid JSON" in capsys.readouterr().out
    assert run(["scans", "99"]) == 2
    assert run(["findings", "--format", "xml"]) == 2


def test_scan_without_an_index_says_what_to_do(
    settings: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = write_lines(tmp_path / "x.jsonl", standard_log())
    assert run(["scan", str(src)]) == 1
    err = capsys.readouterr().err
    assert "no matching index; import the registry first" in err and err.count("\n") == 1


def test_findings_table_shows_redacted_evidence_verbatim(
    registry: Registry, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    d = tmp_path / "logs"
    d.mkdir()
    write_lines(d / "responses.jsonl", standard_log())
    assert run(["scan", str(d), "--workers", "1"]) == 0
    capsys.readouterr()
    assert run(["findings"]) == 0
    out = capsys.readouterr().out
    assert (
        "[##########23]" in out.replace("\n", "").replace("│", "").replace(" ", "") or "##" in out
    )
