"""Opening incidents, status moves, attaching findings and lists, the affected set."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from breachdesk.errors import InputError, UsageError
from breachdesk.incident.affected import affected_customers
from breachdesk.incident.attach import (
    attach_list,
    attach_scan,
    attach_unattached,
    attach_window,
)
from breachdesk.incident.lifecycle import (
    NewIncident,
    history,
    open_incident,
    parse_time,
    set_status,
)
from breachdesk.store.audit import entries, verify
from tests.incident.conftest import T0, World

AWARE = datetime(2018, 11, 22, 8, 30, tzinfo=UTC)


def _open(world: World, **kw: object) -> int:
    args: dict[str, object] = {
        "title": "Account page showed other shoppers' details",
        "cause": "technical-error",
        "became_aware_at": AWARE,
    }
    args.update(kw)
    return open_incident(world.store, NewIncident(**args), "tester").id  # type: ignore[arg-type]


def test_open_records_and_audits(world: World) -> None:
    iid = _open(world, window_start=T0, window_end=T0 + timedelta(hours=6))
    log = entries(world.store, f"incident:{iid}")
    assert [e.action for e in log] == ["incident.open"]
    assert log[0].details["cause"] == "technical-error"
    assert [(h.from_status, h.to_status) for h in history(world.store, iid)] == [(None, "open")]


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"cause": "aliens"}, "cause: 'aliens' is not one of"),
        ({"title": "  "}, "title: must not be empty"),
        ({"became_aware_at": datetime.now(UTC) + timedelta(days=2)}, "is in the future"),
        ({"window_start": T0, "window_end": T0 - timedelta(hours=1)}, "is after end"),
    ],
)
def test_open_rejects_bad_input(world: World, kw: dict[str, object], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        _open(world, **kw)
    assert verify(world.store).entries == 0


def test_parse_time_requires_zone() -> None:
    assert parse_time("2018-11-22T08:30:00Z", "x") == AWARE
    assert parse_time("2018-11-22T09:30:00+01:00", "x") == AWARE
    with pytest.raises(UsageError, match="no time zone"):
        parse_time("2018-11-22T08:30:00", "--became-aware-at")
    with pytest.raises(UsageError, match="not an ISO 8601"):
        parse_time("yesterday", "--became-aware-at")


def test_status_transitions(world: World) -> None:
    iid = _open(world)
    set_status(world.store, iid, "contained", "tester")
    set_status(world.store, iid, "closed", "tester")  # skipping forward is allowed
    with pytest.raises(UsageError, match="already closed"):
        set_status(world.store, iid, "closed", "tester")
    with pytest.raises(UsageError, match="needs --reason"):
        set_status(world.store, iid, "notifying", "tester")
    with pytest.raises(UsageError, match="not one of"):
        set_status(world.store, iid, "done", "tester")
    set_status(world.store, iid, "notifying", "tester", reason="new victims found")
    moves = [(h.from_status, h.to_status, h.reason) for h in history(world.store, iid)]
    assert moves == [
        (None, "open", "opened"),
        ("open", "contained", ""),
        ("contained", "closed", ""),
        ("closed", "notifying", "new victims found"),
    ]
    log = [e for e in entries(world.store, f"incident:{iid}") if e.action == "incident.status"]
    assert len(log) == 3 and log[0].details["backwards"] is True
    assert verify(world.store).ok


def test_attach_findings_three_ways(world: World) -> None:
    h = timedelta(hours=1)
    s1 = world.scan([("gb1", "email,name", "gb2", 1 * h), ("de1", "email,name", "gb2", 2 * h)])
    world.scan([("fr1", "email", "public", 30 * h), ("jp1", "email,name", "tx1", 50 * h)])
    a = _open(world)
    r = attach_scan(world.store, a, s1, "tester")
    assert (r.added, r.already) == (2, 0)
    assert attach_scan(world.store, a, s1, "tester").already == 2  # idempotent
    b = _open(world, title="second")
    r = attach_window(world.store, b, T0 + 29 * h, T0 + 31 * h, "tester")
    assert r.added == 1
    r = attach_unattached(world.store, a, "tester")
    assert r.added == 1  # only jp1's finding is still unattached
    assert {c.customer_id for c in affected_customers(world.store, a)} == {"gb1", "de1", "jp1"}
    assert [c.customer_id for c in affected_customers(world.store, b)] == ["fr1"]
    with pytest.raises(UsageError, match="scan 99"):
        attach_scan(world.store, a, 99, "tester")


def test_affected_set_per_customer(world: World) -> None:
    h = timedelta(hours=1)
    sid = world.scan(
        [
            ("gb1", "email", "gb2", 1 * h),
            ("gb1", "email,name", "de1", 5 * h),
            ("gb1", "email", "gb1", 6 * h),  # a self-view is no recipient
            ("tx1", "email", "public", 3 * h),
        ]
    )
    iid = _open(world)
    attach_scan(world.store, iid, sid, "tester")
    people = {c.customer_id: c for c in affected_customers(world.store, iid)}
    gb1 = people["gb1"]
    assert gb1.fields == {"email", "name"}
    assert (gb1.first_seen, gb1.last_seen) == (T0 + h, T0 + 6 * h)
    assert gb1.recipients == 2 and gb1.findings == 3 and not gb1.listed
    assert (gb1.country, gb1.entity) == ("GB", "shop-uk")
    assert people["tx1"].recipients == 1 and people["tx1"].subdivision == "US-TX"
    assert people["tx1"].public and not gb1.public


def test_attach_list_by_email_and_id(world: World, tmp_path: Path) -> None:
    iid = _open(world, cause="insider")
    emails = tmp_path / "given.csv"
    emails.write_text(
        "email,fields\n"
        "Alice@Example.co.uk,email\n"
        "nobody@example.org,email\n"
        "not-an-email,email\n"
        "\n"
        "carol@example.com,email;name\n"
        "kenji@example.jp,\n",
        encoding="utf-8",
    )
    r = attach_list(world.store, world.settings, iid, emails, "tester", fields="email")
    assert r.added == 3
    rows = dict(r.unmatched)
    assert rows[3] == "email not in the registry"
    assert rows[4].startswith("email not valid")
    assert "fields" in rows[6]  # "email;name" is not a known field list; default used
    people = {c.customer_id: c for c in affected_customers(world.store, iid)}
    assert set(people) == {"gb1", "ca1", "jp1"} and all(c.listed for c in people.values())
    ids = tmp_path / "ids.csv"
    ids.write_text("customer_id\ngb1\nzz9\non1\n", encoding="utf-8")
    r = attach_list(world.store, world.settings, iid, ids, "tester", fields="email,name")
    assert (r.added, r.already, r.unmatched) == (1, 1, [(3, "customer_id not in the registry")])
    assert {c.customer_id: c for c in affected_customers(world.store, iid)}["gb1"].fields == {
        "email",
        "name",
    }
    log = entries(world.store, f"incident:{iid}")
    assert log[0].details["unmatched_rows"] == [3]
    assert "@" not in str([e.details for e in log])


def test_attach_list_bad_files(world: World, tmp_path: Path) -> None:
    iid = _open(world)
    bad = tmp_path / "bad.csv"
    bad.write_text("name\nAlice\n", encoding="utf-8")
    with pytest.raises(InputError, match="customer_id or an email column"):
        attach_list(world.store, world.settings, iid, bad, "tester")
    with pytest.raises(InputError, match="cannot read"):
        attach_list(world.store, world.settings, iid, tmp_path / "missing.csv", "tester")
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="empty file"):
        attach_list(world.store, world.settings, iid, empty, "tester")
    with pytest.raises(UsageError, match="not known"):
        attach_list(world.store, world.settings, iid, bad, "tester", fields="shoe-size")


def test_closed_incident_refuses_attachments(world: World) -> None:
    sid = world.scan([("gb1", "email", "gb2", timedelta(hours=1))])
    iid = _open(world)
    set_status(world.store, iid, "closed", "tester")
    with pytest.raises(UsageError, match="closed"):
        attach_scan(world.store, iid, sid, "tester")
