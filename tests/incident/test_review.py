"""Findings review: a retraction or a detachment flows into the affected set, the
obligations, the notices not yet sent and the audit log (issue 8, What to build §5)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from breachdesk.cli.main import run
from breachdesk.detect.review import retract_findings
from breachdesk.errors import UsageError
from breachdesk.incident.affected import affected_customers
from breachdesk.incident.attach import attach_list, attach_scan
from breachdesk.incident.detach import detach
from breachdesk.incident.obligations import current_rows, refresh_obligations
from breachdesk.incident.risk import add_overrides
from breachdesk.notify.withdraw import withdraw_unaffected
from breachdesk.store.audit import entries, verify
from breachdesk.store.models import Finding
from breachdesk.store.models.outbox import OutboxRow
from tests.incident.conftest import H, World, case_2018


def _finding_ids(world: World, customer_id: str) -> list[int]:
    pk = world.pk(customer_id)
    with world.store.session() as s:
        return list(s.scalars(select(Finding.id).where(Finding.customer_pk == pk)))


def _affected(world: World, iid: int) -> set[str]:
    return {a.customer_id for a in affected_customers(world.store, iid)}


def _outbox(world: World, iid: int, states: dict[str, str]) -> None:
    with world.store.session() as s:
        for n, (cid, state) in enumerate(sorted(states.items())):
            s.add(
                OutboxRow(
                    incident_id=iid,
                    customer_pk=world.pk(cid),
                    entity="shop-x",
                    locale="en",
                    state=state,
                    message_id=f"<{iid}.{n}@test>",
                    verification=f"V{iid}{n}",
                )
            )


def _states(world: World, iid: int) -> dict[str, tuple[str, str]]:
    with world.store.session() as s:
        rows = s.execute(
            select(OutboxRow.customer_pk, OutboxRow.state, OutboxRow.reason).where(
                OutboxRow.incident_id == iid
            )
        ).all()
    by_pk = {pk: (state, reason) for pk, state, reason in rows}
    return {cid: by_pk[world.pk(cid)] for cid in ("fr1", "gb1", "de1") if world.pk(cid) in by_pk}


def _high(world: World) -> int:
    iid = case_2018(world)
    add_overrides(world.store, iid, [("level", "high")], "names shown next to orders", "t")
    return iid


def test_retraction_flows_into_scope_obligations_and_unsent_notices(world: World) -> None:
    iid = _high(world)
    refresh_obligations(world.store, world.settings, iid, "t")
    keys = {r.key for r in current_rows(world.store, iid)}
    assert "FR/CNIL/shop-fr" in keys
    _outbox(world, iid, {"fr1": "pending", "gb1": "pending", "de1": "sent"})

    fr = _finding_ids(world, "fr1")
    r = retract_findings(world.store, fr, "  Dave's row was a test fixture  ", "dpo")
    assert r.retracted == fr and r.incidents == [iid]

    assert "fr1" not in _affected(world, iid)
    assert "gb1" in _affected(world, iid)
    result = refresh_obligations(world.store, world.settings, iid, "t")
    keys_after = {row.key for row in result.rows}
    assert "FR/CNIL/shop-fr" not in keys_after  # the only French resident is gone
    assert "GB/ICO/shop-uk" in keys_after
    assert result.superseded >= 1

    assert withdraw_unaffected(world.store, iid, "dpo", "finding retracted") == 1
    states = _states(world, iid)
    assert states["fr1"][0] == "withdrawn" and "finding retracted" in states["fr1"][1]
    assert states["gb1"][0] == "pending"  # still affected: still to be told
    assert states["de1"][0] == "sent"  # history stays

    with world.store.session() as s:
        f = s.get_one(Finding, fr[0])
        assert f.retracted_by == "dpo"
        assert f.retracted_reason == "Dave's row was a test fixture"
        assert f.retracted_at is not None
    audit = [e for e in entries(world.store) if e.action == "findings.retract"]
    assert audit and audit[-1].details["findings"] == fr
    assert audit[-1].details["detached_from_incidents"] == [iid]
    assert verify(world.store).ok


def test_a_retracted_finding_is_never_attached_again(world: World) -> None:
    iid = case_2018(world)
    fr = _finding_ids(world, "fr1")
    retract_findings(world.store, fr, "wrong", "dpo")
    with world.store.session() as s:
        scan_id = s.get_one(Finding, fr[0]).scan_id
    again = attach_scan(world.store, iid, scan_id, "dpo")
    assert again.added == 0
    assert "fr1" not in _affected(world, iid)
    twice = retract_findings(world.store, fr, "wrong", "dpo")
    assert twice.retracted == [] and twice.already == fr


def test_retract_refuses_unknown_ids_and_an_empty_reason(world: World) -> None:
    iid = case_2018(world)
    fr = _finding_ids(world, "fr1")
    with pytest.raises(UsageError, match="no such finding: 99999"):
        retract_findings(world.store, [*fr, 99999], "wrong", "dpo")
    with pytest.raises(UsageError, match="--reason"):
        retract_findings(world.store, fr, "   ", "dpo")
    assert "fr1" in _affected(world, iid)  # nothing changed


def test_detach_findings_and_listed_customers(world: World) -> None:
    iid = case_2018(world)
    other = world.scan([("it1", "email", "public", 3 * H)])
    attach_scan(world.store, iid, other, "t")
    lst = world.tmp / "list.csv"
    lst.write_text("customer_id\nes1\n", encoding="utf-8")
    attach_list(world.store, world.settings, iid, lst, "t")
    assert {"it1", "es1"} <= _affected(world, iid)

    r = detach(world.store, iid, "belongs to incident 2", "dpo", scan_id=other)
    assert len(r.findings) == 1 and "it1" not in _affected(world, iid)
    with world.store.session() as s:  # detached, not retracted
        assert s.get_one(Finding, r.findings[0]).retracted_at is None

    r = detach(world.store, iid, "not ours", "dpo", customer_ids=["es1", "nobody"])
    assert r.customers == ["es1"]
    assert r.not_attached == ["customer nobody (not on a list attached)"]
    assert "es1" not in _affected(world, iid)
    acts = [e for e in entries(world.store) if e.action == "incident.detach"]
    assert sorted(a.details["reason"] for a in acts) == ["belongs to incident 2", "not ours"]
    with pytest.raises(UsageError, match="name what to detach"):
        detach(world.store, iid, "x", "dpo")


def test_cli_retract_and_detach(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    iid = _high(world)
    refresh_obligations(world.store, world.settings, iid, "t")
    fr = _finding_ids(world, "fr1")
    code = run(["findings", "retract", str(fr[0]), "--reason", "fixture row"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "retracted 1 findings" in out
    assert f"incident {iid}: obligations refreshed" in out
    assert "FR/CNIL/shop-fr" not in {r.key for r in current_rows(world.store, iid)}

    assert run(["findings", "retract", "424242", "--reason", "x"]) == 2
    assert "no such finding: 424242" in capsys.readouterr().err

    jp = _finding_ids(world, "jp1")
    code = run(["incident", "detach", str(iid), "--finding", str(jp[0]), "--reason", "dup"])
    assert code == 0
    assert "detached 1 findings" in capsys.readouterr().out
    code = run(["incident", "detach", str(iid), "--finding", str(jp[0]), "--reason", "dup"])
    assert code == 3  # named but not held: done, with a problem to read
    assert f"finding {jp[0]}" in capsys.readouterr().out


def test_a_withdrawn_notice_is_planned_again_when_the_customer_is_affected_again(
    world: World,
) -> None:
    from breachdesk.notify.plan import plan

    iid = _high(world)
    _outbox(world, iid, {"fr1": "pending"})
    fr = _finding_ids(world, "fr1")
    detach(world.store, iid, "wrong incident", "dpo", finding_ids=fr)
    assert withdraw_unaffected(world.store, iid, "dpo", "detached") == 1
    assert _states(world, iid)["fr1"][0] == "withdrawn"
    with world.store.session() as s:
        scan_id = s.get_one(Finding, fr[0]).scan_id
    attach_scan(world.store, iid, scan_id, "dpo")  # it was this incident after all
    released = plan(world.store, world.settings, iid).released
    assert released >= 1 and _states(world, iid)["fr1"][0] == "pending"
