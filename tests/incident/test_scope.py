"""Scope of the 2018 technical-error case: names and emails shown to other shoppers."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from breachdesk.cli.main import run
from breachdesk.incident.attach import attach_scan
from breachdesk.incident.charts import write_charts
from breachdesk.incident.lifecycle import NewIncident, open_incident
from breachdesk.incident.scope import compute_scope
from breachdesk.store.models import Customer
from tests.incident.conftest import T0, World

H = timedelta(hours=1)
AWARE = datetime(2018, 11, 22, 8, 30, tzinfo=UTC)


def _case_2018(world: World) -> int:
    with world.store.session() as s:  # a US customer whose state is not known
        s.add(
            Customer(
                customer_id="us9",
                email="x@example.net",
                email_norm="x@example.net",
                full_name="Pat Doe",
                country="US",
                subdivision=None,
                entity="shop-us",
                locale=None,
            )
        )
    sid = world.scan(
        [
            ("gb1", "email,name", "de1", 1 * H),
            ("de1", "email,name", "gb2", 2 * H),
            ("fr1", "email,name", "gb2", 2 * H),
            ("ca1", "email,name", "tx1", 5 * H),
            ("tx1", "email,name", "ca1", 5 * H),
            ("on1", "email,name", "jp1", 30 * H),
            ("jp1", "email,name", "on1", 40 * H),
            ("jp1", "email", "gb2", 41 * H),
            ("us9", "email", "gb2", 41 * H),
        ]
    )
    iid = open_incident(
        world.store, NewIncident("2018 account page mix-up", "technical-error", AWARE), "tester"
    ).id
    attach_scan(world.store, iid, sid, "tester")
    return iid


def test_scope_counts(world: World) -> None:
    sc = compute_scope(world.store, _case_2018(world))
    assert sc.affected == 8 and sc.registry_size == 11
    assert sc.by_country == {"US": 3, "JP": 1, "CA": 1, "DE": 1, "FR": 1, "GB": 1}
    assert sc.by_subdivision == {"CA-ON": 1, "DE-BY": 1, "US-?": 1, "US-CA": 1, "US-TX": 1}
    assert sc.by_entity["shop-us"] == 3 and sum(sc.by_entity.values()) == 8
    assert sc.by_locale["unknown"] == 1 and sc.by_locale["en_US"] == 2
    assert sc.elements == {"email": 8, "name": 7}
    assert sc.combinations == {"email+name": 7, "email": 1}
    assert sc.window == (T0 + H, T0 + 41 * H)
    assert sc.recipients == 6 and not sc.public  # de1, gb2, tx1, ca1, jp1, on1
    assert [(u.kind, u.value, u.customers) for u in sc.unknown] == [("subdivision", "US", 1)]
    assert sc.bucket == "hour" and sum(n for _, n in sc.timeline) == 9  # distinct per hour
    jp = next(c for c in sc.customers if c.customer_id == "jp1")
    assert (jp.first_seen, jp.last_seen, jp.recipients) == (T0 + 40 * H, T0 + 41 * H, 2)


def test_charts_png_and_svg(world: World) -> None:
    sc = compute_scope(world.store, _case_2018(world))
    files = write_charts(sc, world.tmp / "charts")
    for f in files.all():
        assert f.stat().st_size > 1000, f
    assert files.by_country_png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = files.by_country_svg.read_text(encoding="utf-8")
    assert "<svg" in svg and "affected customers by country" in svg
    again = write_charts(sc, world.tmp / "again")
    assert again.by_country_svg.read_bytes() == files.by_country_svg.read_bytes()


def test_scope_cli_json(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    iid = _case_2018(world)
    capsys.readouterr()
    assert run(["scope", str(iid), "--json", "--charts", str(world.tmp / "c")]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["affected_customers"] == 8
    assert data["unknown"] == [
        {
            "kind": "subdivision",
            "value": "US",
            "customers": 1,
            "reason": data["unknown"][0]["reason"],
        }
    ]
    assert len(data["customers"]) == 8 and len(data["charts"]) == 4
    assert "@" not in json.dumps(data)
    assert run(["scope", str(iid)]) == 0
    out = capsys.readouterr().out
    assert "8 of 11 in the registry" in out and "unknown subdivision US: 1" in out
