"""Issue 8 §1: a report is for one obligation, and every statement in it comes from
the store's current facts (obligations, outbox, incident). Each test reproduces a
defect seen by a new user and checks the report section by section."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from breachdesk.cli.main import run
from breachdesk.errors import UsageError
from breachdesk.incident.affected import affected_customers
from breachdesk.incident.attach import attach_scan
from breachdesk.incident.lifecycle import NewIncident, open_incident, set_not_exposed
from breachdesk.incident.obligations import refresh_obligations
from breachdesk.incident.risk import add_overrides
from breachdesk.notify.plan import plan
from breachdesk.registry.entities import load_entities
from breachdesk.reports.generate import GeneratedReport, generate_report, list_obligations
from breachdesk.store.models import Customer
from breachdesk.store.models.incidents import ObligationRow
from breachdesk.store.models.outbox import OutboxRow
from tests.incident.conftest import AWARE, World

ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d|[+-]\d\d:\d\d UTC")


def _customers(world: World, rows: list[tuple[str, str, str | None, str]]) -> None:
    with world.store.session() as s:
        for cid, country, sub, entity in rows:
            s.add(
                Customer(
                    customer_id=cid,
                    email=f"{cid}@example.net",
                    email_norm=f"{cid}@example.net",
                    full_name="Ann Ö",
                    country=country,
                    subdivision=sub,
                    entity=entity,
                    locale="en-GB" if country == "GB" else "en-US",
                )
            )


def _incident(world: World, exposed: list[str], fields: str, level: str) -> int:
    sid = world.scan([(c, fields, "public", timedelta(hours=i)) for i, c in enumerate(exposed)])
    iid = open_incident(world.store, NewIncident("mix-up", "technical-error", AWARE), "t").id
    attach_scan(world.store, iid, sid, "t")
    add_overrides(world.store, iid, [("level", level)], "data shown to strangers", "t")
    refresh_obligations(world.store, world.settings, iid, "t")
    return iid


def _report(
    world: World, iid: int, recipient: str, entity: str | None = None, phase: str = "initial"
) -> GeneratedReport:
    return generate_report(
        world.store,
        world.settings,
        iid,
        recipient,
        phase=phase,
        formats=("md", "json"),
        out_dir=world.tmp / "reports",
        actor="t",
        entity=entity,
    )


def _mark(world: World, iid: int, state: str, at: datetime, only: set[int] | None = None) -> None:
    """Record outbox outcomes the way the sender does (state, sent_at / updated_at)."""
    values: dict[str, Any] = {"state": state, "updated_at": at}
    if state == "sent":
        values["sent_at"] = at
    if state == "failed":
        values["last_reply"] = "550 5.1.1 mailbox unknown"
    stmt = update(OutboxRow).where(OutboxRow.incident_id == iid).values(**values)
    if only is not None:
        stmt = stmt.where(OutboxRow.customer_pk.in_(only))
    with world.store.session() as s:
        s.execute(stmt)


def _check_sections(world: World, iid: int, rep: GeneratedReport) -> None:
    """Every number and name in a GDPR report against the facts it claims."""
    md, ctx = rep.markdown, rep.content
    entity = load_entities(world.settings.entities_path)[rep.entity]
    with world.store.session() as s:
        row = s.scalars(
            select(ObligationRow).where(
                ObligationRow.incident_id == iid,
                ObligationRow.current.is_(True),
                ObligationRow.key.like(f"%/{rep.recipient}/{rep.entity}"),
            )
        ).one()
        outbox = list(s.scalars(select(OutboxRow).where(OutboxRow.incident_id == iid)))
    pop = [
        c
        for c in affected_customers(world.store, iid)
        if c.entity == rep.entity and row.jurisdiction in (c.country, c.subdivision)
    ]
    # header: sender and deadline
    assert f"| From | {entity.legal_name} ({entity.country}) |" in md
    assert f"| Times | {row.timezone} (local time) |" in md
    assert ISO_TIME.search(md) is None, ISO_TIME.search(md)
    # categories and numbers: the obligation's residents, nobody else
    assert f"Approximate number of data subjects: {row.residents}" in md
    assert len(pop) == row.residents == ctx["subjects"]
    elements = Counter(f for c in pop for f in c.fields)
    for name, n in elements.items():
        assert f"  - {name}: {n} data {'subject' if n == 1 else 'subjects'}" in md
    for code, n in Counter(c.country for c in pop).items():
        assert f"  - {code}: {n}" in md
    assert set(ctx["scope"]["by_country"]) == {c.country for c in pop}
    # DPO / contact point of the obligation's entity
    assert f"{entity.dpo.name}, {entity.legal_name}\n- Email: {entity.dpo.email}" in md
    # notices: from the outbox rows of the covered customers
    pks = {c.customer_pk for c in pop}
    mine = [r for r in outbox if r.customer_pk in pks]
    sent = [r for r in mine if r.state == "sent"]
    line = next(x for x in md.splitlines() if "Communication to data subjects (Art. 34)" in x)
    if sent:
        assert f"{len(sent):,} sent " in line
        first = min(r.sent_at for r in sent if r.sent_at)
        local = first.astimezone(ZoneInfo(row.timezone))
        assert f"{local.day} {local:%B %Y, %H:%M}" in line
    elif not mine:
        assert "no notice" in line
    failed = [r for r in mine if r.state == "failed"]
    if failed:
        assert f"{len(failed):,} failed" in line


def test_ico_report_is_for_one_entity_and_its_residents(world: World) -> None:
    """Defect: `report 1 --for ICO` came 'From Example Shop Canada Inc.' with 1 data
    subject and charts of every customer, while shop-uk owed the ICO for 3 residents."""
    _customers(world, [("gb3", "GB", None, "shop-uk"), ("gbc", "GB", None, "shop-ca")])
    iid = _incident(world, ["gb1", "gb2", "gb3", "gbc", "ca1", "de1", "jp1"], "email,name", "risk")
    found = {(o.spec.id, o.entity): o.residents for o in list_obligations(world.store, iid)}
    assert found[("ICO", "shop-uk")] == 3 and found[("ICO", "shop-ca")] == 1
    with pytest.raises(UsageError, match="2 entities owe ICO") as err:
        _report(world, iid, "ICO")
    assert "--entity shop-ca (1 residents)" in str(err.value)
    assert "--entity shop-uk (3 residents)" in str(err.value)
    rep = _report(world, iid, "ICO", entity="shop-uk")
    assert rep.content["subjects"] == 3 and rep.content["scope"]["by_country"] == {"GB": 3}
    assert "Example Shop Canada" not in rep.markdown
    _check_sections(world, iid, rep)
    # the charts are this obligation's: GB only, in the report's own folder
    charts = world.tmp / "reports" / f"incident-{iid}-ICO-shop-uk-01-initial-charts"
    svg = next(charts.glob("*country.svg"))
    text = svg.read_text(encoding="utf-8")
    assert ">GB<" in text and ">US<" not in text and ">DE<" not in text
    ca = _report(world, iid, "ICO", entity="shop-ca")
    assert ca.content["subjects"] == 1 and "From | Example Shop Canada Inc. (CA)" in ca.markdown
    _check_sections(world, iid, ca)


def test_update_report_states_the_notices_sent(world: World) -> None:
    """Defect: after every notice was sent, the update still said 'not required; no notice
    to individuals is planned' and 'No change in the recorded facts'."""
    iid = _incident(world, ["gb1", "gb2"], "email,name", "risk")
    first = _report(world, iid, "ICO")
    assert "no notice to individuals is planned" in first.markdown
    _check_sections(world, iid, first)
    plan(world.store, world.settings, iid)
    sent_at = datetime(2018, 11, 27, 10, 16, tzinfo=UTC)
    _mark(world, iid, "sent", sent_at)
    upd = _report(world, iid, "ICO", phase="update")
    md = upd.markdown
    assert "no notice to individuals is planned" not in md
    assert "No change in the recorded facts" not in md
    assert "notices sent: 0 → 2" in md and "notices to individuals planned: 0 → 2" in md
    assert "2 sent on 27 November 2018, 10:16" in md  # Europe/London = UTC in November
    assert "not required on the current assessment; nevertheless 2 notices were planned on" in md
    _check_sections(world, iid, upd)


def test_failed_and_pending_notices_are_reported_with_dates(world: World) -> None:
    _customers(world, [("gb3", "GB", None, "shop-uk")])
    iid = _incident(world, ["gb1", "gb2", "gb3"], "email,name", "high")
    plan(world.store, world.settings, iid)
    pks = {world.pk("gb1")}
    _mark(world, iid, "sent", datetime(2018, 11, 23, 9, 0, tzinfo=UTC), pks)
    _mark(world, iid, "failed", datetime(2018, 11, 23, 9, 5, tzinfo=UTC), {world.pk("gb2")})
    set_not_exposed(world.store, iid, "t", ["password", "payment_card"])
    rep = _report(world, iid, "ICO")
    assert "- Not exposed: password, payment card details." in rep.markdown
    line = next(x for x in rep.markdown.splitlines() if "Art. 34" in x)
    assert line.startswith("- Communication to data subjects (Art. 34): required for 3 individ")
    assert "1 sent on 23 November 2018, 09:00" in line
    assert "1 failed (last on 23 November 2018, 09:05)" in line
    assert "1 waiting to be sent" in line
    _check_sections(world, iid, rep)


def _ca_residents(world: World, n: int) -> list[str]:
    ids = [f"ca{i:03d}" for i in range(n)]
    _customers(world, [(c, "US", "US-CA", "shop-us") for c in ids])
    return ids


def test_ca_sample_only_where_due_and_counts_from_the_outbox(world: World) -> None:
    """Defect: the California sample claimed 'sent to 2 California residents' when no
    California notice was due and none was sent; its times read '...+00:00 UTC'."""
    iid = _incident(world, ["ca1", "tx1"], "email,name", "high")  # no CA notice is due
    with pytest.raises(UsageError, match="no sample notice to CA-AG is due"):
        _report(world, iid, "CA-AG")
    with pytest.raises(UsageError, match="no sample notice"):
        _report(world, iid, "CA-AG", entity="shop-us")
    ids = _ca_residents(world, 501)  # > 500 residents: the AG gets a sample (1798.82(f))
    iid2 = _incident(world, ids, "name,ssn", "high")
    rep = _report(world, iid2, "CA-AG")
    assert "none has been sent yet" in rep.markdown and "sent by email to" not in rep.markdown
    plan(world.store, world.settings, iid2)
    sent = {world.pk(c) for c in ids[:300]}
    _mark(world, iid2, "sent", datetime(2018, 11, 27, 18, 16, tzinfo=UTC), sent)
    with world.store.session() as s:
        rows = list(s.scalars(select(OutboxRow).where(OutboxRow.incident_id == iid2)))
    n_sent = sum(r.state == "sent" for r in rows)
    waiting = sum(r.state == "pending" for r in rows)
    assert (n_sent, waiting) == (300, 201)
    rep2 = _report(world, iid2, "CA-AG", phase="update")
    # 18:16 UTC is 10:16 in Los Angeles: the day is the local one
    assert (
        "copy of the notice sent by email to 300 California residents on 27 November 2018"
        in rep2.markdown
    )
    assert "201 are still waiting to be sent" in rep2.markdown
    assert "- Social Security number\n" in rep2.markdown and "- ssn\n" not in rep2.markdown
    assert "| Times | America/Los_Angeles (local time) |" in rep2.markdown
    assert ISO_TIME.search(rep2.markdown) is None
    assert "+00:00" not in rep2.markdown


def test_report_list_and_usage_error_through_the_cli(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    _customers(world, [("gbc", "GB", None, "shop-ca")])
    iid = _incident(world, ["gb1", "gbc"], "email,name", "risk")
    assert run(["report", str(iid), "--list"]) == 0
    out = capsys.readouterr().out
    assert "ICO" in out and "shop-uk" in out and "shop-ca" in out
    out_dir = str(world.tmp / "cli")
    assert run(["report", str(iid), "--for", "ICO", "--format", "md", "--out", out_dir]) == 2
    err = capsys.readouterr().err
    assert "2 entities owe ICO" in err and "Traceback" not in err
    args = ["report", str(iid), "--for", "ICO", "--entity", "shop-uk", "--format", "md"]
    assert run([*args, "--out", out_dir]) == 0
    assert "from shop-uk" in capsys.readouterr().out


def test_report_says_when_the_assessment_is_out_of_date(world: World) -> None:
    _customers(world, [("gb3", "GB", None, "shop-uk")])
    iid = _incident(world, ["gb1", "gb2"], "email,name", "risk")
    sid = world.scan([("gb3", "email,name", "public", timedelta(hours=3))])
    attach_scan(world.store, iid, sid, "t")  # a new finding, obligations not re-assessed
    rep = _report(world, iid, "ICO")
    assert rep.content["subjects"] == 3
    assert (
        "**The obligation was assessed for 2 residents; the store now holds 3 affected "
        "residents it covers. Re-run `breachdesk obligations 1` before submitting.**"
    ) in rep.markdown
