"""Obligations of an incident: assessed by the law engine, persisted with statuses;
risk overrides with reasons; the breach register export."""

from __future__ import annotations

import csv
import io
import json

import pytest

from breachdesk.cli.main import run
from breachdesk.errors import UsageError
from breachdesk.incident.lifecycle import NewIncident, open_incident
from breachdesk.incident.obligations import (
    current_rows,
    refresh_obligations,
    set_obligation_status,
)
from breachdesk.incident.register import COLUMNS, export_register
from breachdesk.incident.risk import add_overrides, current_risk, parse_override, set_answers
from breachdesk.store.audit import entries, verify
from tests.incident.conftest import AWARE, World, case_2018


def _keys(world: World, iid: int) -> set[str]:
    return {r.key for r in current_rows(world.store, iid)}


def test_incident_without_findings_gets_internal_record(world: World) -> None:
    iid = open_incident(world.store, NewIncident("Suspected leak", "unknown", AWARE), "t").id
    result = refresh_obligations(world.store, world.settings, iid, "t")
    kinds = {r.recipient_kind for r in result.rows}
    assert kinds == {"internal_register"}
    assert "GB/register/shop-uk" in _keys(world, iid)  # UK GDPR Art. 33(5)
    assert not result.assessment.non_obligations


def test_statuses_persist_across_reassessment(world: World) -> None:
    iid = case_2018(world)
    first = refresh_obligations(world.store, world.settings, iid, "t")
    assert first.added == len(first.rows) and all(r.status == "pending" for r in first.rows)
    reg = next(r for r in first.rows if r.key == "GB/register/shop-uk")
    set_obligation_status(world.store, iid, reg.key, "done", "t")
    with pytest.raises(UsageError, match="needs --reason"):
        set_obligation_status(world.store, iid, str(reg.id), "not-required", "t")
    with pytest.raises(UsageError, match="not one of"):
        set_obligation_status(world.store, iid, reg.key, "finished", "t")
    with pytest.raises(UsageError, match="no obligation"):
        set_obligation_status(world.store, iid, "XX/none", "done", "t")
    again = refresh_obligations(world.store, world.settings, iid, "t")
    assert again.added == 0 and again.superseded == 0
    assert {r.key: r.status for r in again.rows}[reg.key] == "done"
    # raising the risk adds regulator and individual notices; the register stays done
    add_overrides(world.store, iid, [("level", "high")], "names shown next to orders", "t")
    high = refresh_obligations(world.store, world.settings, iid, "t")
    assert high.added > 0 and "GB/ICO/shop-uk" in _keys(world, iid)
    assert {r.key: r.status for r in high.rows}[reg.key] == "done"
    actions = [e.action for e in entries(world.store, f"incident:{iid}")]
    assert actions.count("obligations.assess") == 3 and "obligation.status" in actions
    assert "risk.override" in actions and verify(world.store).ok


def test_risk_inputs_overrides_and_answers(world: World) -> None:
    iid = case_2018(world)
    r = current_risk(world.store, iid)
    # name + email shown to others by a technical error: recipients unknown by default
    assert (r.dpc.value, r.ei.value, r.cb.value) == (1, 1.0, 0.5)
    assert r.se == 1.5 and r.level == "unlikely"
    set_answers(world.store, iid, {"recipients": "known"}, "t")
    assert current_risk(world.store, iid).cb.value == 0.25
    set_answers(world.store, iid, {"recipients": "unknown", "malicious": "yes"}, "t")
    r = current_risk(world.store, iid)
    assert r.cb.value == 1.0 and r.se == 2.0 and r.level == "risk"
    add_overrides(world.store, iid, [parse_override("DPC=2")], "order history visible", "t")
    r = current_risk(world.store, iid)
    assert r.dpc.value == 2 and r.se == 3.0 and r.level == "high"
    assert "order history visible" in r.dpc.explanation[-1]
    with pytest.raises(UsageError, match=r"within 1\.0-4\.0"):
        parse_override("DPC=7")
    with pytest.raises(UsageError, match="factor is one of"):
        parse_override("XYZ=1")
    with pytest.raises(UsageError, match="needs a reason"):
        add_overrides(world.store, iid, [("ei", "0.5")], "", "t")
    with pytest.raises(UsageError, match="--answer recipients"):
        set_answers(world.store, iid, {"recipients": "everyone"}, "t")
    log = [e for e in entries(world.store, f"incident:{iid}") if e.action == "risk.override"]
    assert log[0].details["overrides"] == {"dpc": "2.0"}


def test_cli_obligations_risk_and_register(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    iid = case_2018(world)
    capsys.readouterr()
    assert run(["obligations", str(iid), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    keys = {o["key"] for o in data["obligations"]}
    assert "GB/register/shop-uk" in keys
    assert {s["key"] for s in data["stored"]} == keys
    assert all(o["status"] == "pending" for o in data["obligations"])
    assert run(["obligation", "status", str(iid), "GB/register/shop-uk", "done"]) == 0
    assert run(["obligations", str(iid)]) == 0
    out = capsys.readouterr().out
    assert "no notice due" in out and "done" in out
    assert run(["risk", str(iid), "--override", "level=high"]) == 2
    assert "needs a reason" in capsys.readouterr().err
    assert run(["risk", str(iid), "--override", "level=high", "--reason", "context"]) == 0
    assert "overridden 'unlikely' -> 'high': context" in capsys.readouterr().out.replace("\n", "")
    assert run(["register", "export"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 1 and rows[0]["risk_level"] == "high"
    assert rows[0]["affected_customers"] == "8"
    assert run(["audit", "verify"]) == 0


def test_register_columns(world: World) -> None:
    iid = case_2018(world)
    refresh_obligations(world.store, world.settings, iid, "t")
    buf = io.StringIO()
    assert export_register(world.store, buf, "t") == 1
    row = next(csv.DictReader(io.StringIO(buf.getvalue())))
    assert tuple(row) == COLUMNS
    assert row["countries"].startswith("US 3") and "email 8" in row["data_elements"]
    assert "@" not in buf.getvalue()
