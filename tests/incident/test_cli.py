"""The incident commands through the CLI entry point."""

from __future__ import annotations

from datetime import timedelta

import pytest

from breachdesk.cli.main import run
from tests.incident.conftest import World


def test_incident_commands(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    sid = world.scan([("gb1", "email,name", "gb2", timedelta(hours=1))])
    args = [
        "incident",
        "open",
        "--title",
        "Leak",
        "--cause",
        "technical-error",
        "--became-aware-at",
        "2018-11-22T08:30:00Z",
    ]
    assert run(args) == 0
    assert "incident 1 opened" in capsys.readouterr().out
    assert run(["incident", "attach", "1", "--scan", str(sid)]) == 0
    assert "attached 1 findings" in capsys.readouterr().out
    lst = world.tmp / "list.csv"
    lst.write_text("customer_id\nde1\nnope\n", encoding="utf-8")
    assert run(["incident", "attach", "1", "--list", str(lst)]) == 0
    out = capsys.readouterr().out
    assert "attached 1 customers" in out and "row 3: customer_id not in the registry" in out
    assert run(["incident", "status", "1", "contained"]) == 0
    assert run(["incident", "status", "1", "open"]) == 2
    assert "needs --reason" in capsys.readouterr().err
    assert run(["incident", "show", "1"]) == 0
    out = capsys.readouterr().out
    assert "contained" in out and "2 (1 findings, 1 listed)" in out
    assert run(["incident", "list"]) == 0
    assert "Leak" in capsys.readouterr().out
    assert run(["incident", "attach", "1"]) == 2
    assert (
        run(
            [
                "incident",
                "open",
                "--title",
                "x",
                "--cause",
                "oops",
                "--became-aware-at",
                "2018-11-22T08:30:00",
            ]
        )
        == 2
    )
    assert "no time zone" in capsys.readouterr().err
    assert run(["incident", "show", "42"]) == 2
    assert run(["audit", "verify"]) == 0


def test_incident_edit_and_report_cli(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    sid = world.scan([("tx1", "email,name", "gb2", timedelta(hours=1))])
    assert (
        run(
            [
                "incident",
                "open",
                "--title",
                "Leak",
                "--cause",
                "attack",
                "--became-aware-at",
                "2018-11-22T08:30:00Z",
            ]
        )
        == 0
    )
    assert run(["incident", "attach", "1", "--scan", str(sid)]) == 0
    assert (
        run(
            [
                "incident",
                "edit",
                "1",
                "--law-enforcement",
                "FBI field office informed",
                "--measures",
                "Session bug fixed",
            ]
        )
        == 0
    )
    assert run(["incident", "edit", "1"]) == 2
    assert run(["risk", "1", "--answer", "shoe_size=9"]) == 2
    assert "not a risk question" in capsys.readouterr().err
    out = world.tmp / "r"
    tx = ["report", "1", "--for", "TX-AG", "--entity", "shop-us", "--format", "md"]
    assert run([*tx, "--out", str(out)]) == 0
    text = (out / "incident-1-TX-AG-shop-us-01-initial.md").read_text(encoding="utf-8")
    assert "FBI field office informed" in text and "Session bug fixed" in text
    assert run([*tx, "--out", str(out)]) == 2
    assert "use --phase update" in capsys.readouterr().err
    assert run(["report", "1", "--list"]) == 0
    assert "TX-AG-01" in capsys.readouterr().out
    assert run(["obligations", "1"]) == 0
    capsys.readouterr()
    assert run(["incident", "show", "1"]) == 0
    out = capsys.readouterr().out
    assert "TX-AG-01" in out and "pending" in out
