"""Scope of the 2018 technical-error case: names and emails shown to other shoppers."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from breachdesk.cli.main import run
from breachdesk.incident.attach import attach_scan
from breachdesk.incident.charts import write_charts
from breachdesk.incident.lifecycle import NewIncident, open_incident
from breachdesk.incident.obligations import refresh_obligations
from breachdesk.incident.scope import compute_scope
from breachdesk.store.models import Customer
from tests.incident.conftest import T0, World, case_2018

H = timedelta(hours=1)
AWARE = datetime(2018, 11, 22, 8, 30, tzinfo=UTC)


def test_scope_counts(world: World) -> None:
    sc = compute_scope(world.store, case_2018(world))
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
    sc = compute_scope(world.store, case_2018(world))
    files = write_charts(sc, world.tmp / "charts")
    for f in files.all():
        assert f.stat().st_size > 1000, f
    assert files.by_country_png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = files.by_country_svg.read_text(encoding="utf-8")
    assert "<svg" in svg and "affected customers by country" in svg
    again = write_charts(sc, world.tmp / "again")
    assert again.by_country_svg.read_bytes() == files.by_country_svg.read_bytes()


def test_scope_cli_json(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    iid = case_2018(world)
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


def test_unknown_country_and_subdivision_are_counted(world: World) -> None:
    with world.store.session() as s:
        for cid, country, sub in (("zz1", "ZZ", None), ("zz2", "ZZ", None), ("ca9", "CA", "CA-XX")):
            s.add(
                Customer(
                    customer_id=cid,
                    email=f"{cid}@example.net",
                    email_norm=f"{cid}@x.net",
                    full_name="N N",
                    country=country,
                    subdivision=sub,
                    entity="shop-us",
                )
            )
    sid = world.scan(
        [
            ("zz1", "email", "gb2", H),
            ("zz2", "email", "gb2", H),
            ("ca9", "email", "gb2", H),
            ("gb1", "email", "gb2", H),
        ]
    )
    iid = open_incident(world.store, NewIncident("x", "unknown", T0 + 50 * H), "t").id
    attach_scan(world.store, iid, sid, "t")
    sc = compute_scope(world.store, iid)
    assert sc.affected == 4 and sc.by_country == {"ZZ": 2, "CA": 1, "GB": 1}
    assert [(u.kind, u.value, u.customers) for u in sc.unknown] == [
        ("country", "ZZ", 2),
        ("subdivision", "CA-XX", 1),
    ]
    r = refresh_obligations(world.store, world.settings, iid, "t")
    assert {(u.jurisdiction, u.residents) for u in r.assessment.unknown} == {
        ("ZZ", 2),
        ("CA-XX", 1),
    }
