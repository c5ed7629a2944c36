"""The audit trail is complete: the day's workflow through the CLI leaves one entry per
state change (import, scan, incident, attach, obligations, DKIM keys, plan, approval,
send start and end with counts, report, export, register export, missing list), the
chain verifies, and ``audit log --json`` prints every value faithfully."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from breachdesk.cli.main import run
from breachdesk.notify.smtp_sink import SmtpSink
from breachdesk.settings import Settings
from breachdesk.store import Store
from breachdesk.store.audit import entries
from tests.detect.builders import standard_log, write_lines

CUSTOMERS = (
    "customer_id,email,full_name,country,subdivision,entity,locale,phone\n"
    "c1,alice@example.com,Alice Smith,GB,,shop-uk,en_GB,+44 20 7946 0018\n"
    "c2,bob@bücher.de,Bob Müller,DE,DE-BY,shop-de,de,\n"
    "c3,carol@example.com,Carol Jones,US,US-CA,shop-us,en_US,(201) 555-0123\n"
    "c4,dave@example.fr,Dave Martin,FR,,shop-fr,fr,\n"
)


@pytest.fixture
def sink(tmp_path: Path) -> Iterator[SmtpSink]:
    with SmtpSink(tmp_path / "sink") as s:
        yield s


def _new_actions(store: Store, before: int) -> list[str]:
    return [e.action for e in reversed(entries(store)) if e.seq > before]


def _head(store: Store) -> int:
    rows = entries(store, limit=1)
    return rows[0].seq if rows else 0


def test_workflow_leaves_one_entry_per_state_change(
    settings: Settings,
    store: Store,
    sink: SmtpSink,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("BREACHDESK_SMTP_PORT", str(sink.port))
    monkeypatch.chdir(tmp_path)
    registry = tmp_path / "customers.csv"
    registry.write_text(CUSTOMERS, "utf-8")
    logs = tmp_path / "logs"
    logs.mkdir()
    write_lines(logs / "responses.jsonl", standard_log())
    (tmp_path / "exports").mkdir()
    steps: list[tuple[list[str], list[str]]] = [
        (["registry", "import", str(registry)], ["registry.import"]),
        (["scan", str(logs), "--workers", "1"], ["scan"]),
        (
            [
                "incident",
                "open",
                "--title",
                "cache bug",
                "--cause",
                "technical-error",
                "--became-aware-at",
                "2018-11-21T09:00Z",
                "--window-start",
                "2018-11-20T09:00Z",
                "--window-end",
                "2018-11-20T12:00Z",
            ],
            ["incident.open"],
        ),
        (["incident", "attach", "1", "--scan", "1"], ["incident.attach"]),
        (
            ["findings", "retract", "1", "--reason", "a test fixture row"],
            ["findings.retract", "obligations.assess"],  # retracting flows into obligations
        ),
        (
            ["incident", "detach", "1", "--finding", "2", "--reason", "another incident"],
            ["incident.detach", "obligations.assess"],
        ),
        (["obligations", "1"], ["obligations.assess"]),
        (["notify", "dkim"], ["dkim.create"]),
        (["notify", "dkim"], []),  # keys exist: nothing changes, nothing logged
        (["notify", "plan", "1"], ["notify.plan"]),
        (["notify", "approve", "1"], ["notify.approve"]),
        (["notify", "send", "1", "--no-progress"], ["notify.send.start", "notify.send.end"]),
        (
            ["report", "1", "--for", "ICO", "--entity", "shop-uk", "--format", "md,json"],
            ["report.generate"],
        ),
        (
            [
                "export",
                "--to",
                "Acme",
                "--by",
                "j.doe",
                "--purpose",
                "campaign",
                "--out",
                str(tmp_path / "exports" / "acme.csv"),
            ],
            ["export.create"],
        ),
        (["register", "export", "--out", str(tmp_path / "register.csv")], ["register.export"]),
        (["notify", "missing", "1", "--out", str(tmp_path / "missing.csv")], ["notify.missing"]),
    ]
    for argv, expected in steps:
        before = _head(store)
        rc = run(argv)
        assert rc in (0, 3), (argv, capsys.readouterr().err)
        got = _new_actions(store, before)
        assert got == expected, (argv, got)
    assert run(["audit", "verify"]) == 0
    assert "audit log intact" in capsys.readouterr().out

    actions = [e.action for e in reversed(entries(store))]
    send_end = next(e for e in entries(store) if e.action == "notify.send.end")
    assert send_end.details["outcome"] == "done" and send_end.details["sent"] >= 1
    assert "registry.import" in actions and "scan" in actions


def test_audit_log_prints_json_values_faithfully(
    settings: Settings, store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    from breachdesk.store.audit import append

    details = {"window": [None, None], "markup": "[bold]x[/bold]", "n": 3}
    append(store, "tester", "incident.edit", "incident:1", details)
    assert run(["audit", "log", "--json"]) == 0
    (line,) = capsys.readouterr().out.strip().splitlines()
    assert json.loads(line)["details"] == details
    assert run(["audit", "log"]) == 0
    table = capsys.readouterr().out.replace("\n", "").replace("│", "").replace(" ", "")
    assert '"window":[null,null]' in table  # brackets are text, not rich markup
