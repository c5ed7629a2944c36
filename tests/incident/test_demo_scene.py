"""The demo's incident scene runs end to end on a small world and writes its files."""

from __future__ import annotations

from datetime import timedelta

from rich.console import Console

from breachdesk.samples.incident_scene import run_incident_scene
from tests.incident.conftest import World

H = timedelta(hours=1)


def test_scene_writes_reports_charts_and_register(world: World) -> None:
    world.scan(
        [
            ("gb1", "email,name", "de1", H),
            ("ca1", "email,name", "public", 2 * H),
            ("on1", "email", "jp1", 3 * H),
        ]
    )
    console = Console(record=True, width=120)
    out = world.tmp / "demo-out"  # files go to demo-out/incident
    result = run_incident_scene(world.store, world.settings, out, console)
    text = console.export_text()
    assert result.incident_id == 1 and result.affected == 3
    assert result.obligations >= 3 and result.reports
    names = {p.name for p in result.files}
    assert "breach-register.csv" in names and "incident-1-by-country.png" in names
    assert any(n.endswith(".pdf") for n in names)
    assert all(p.exists() and p.stat().st_size > 0 for p in result.files)
    assert "audit log intact" in text and "no notice due" in text
    assert "operator override: level → risk" in text  # a public page, recorded with a reason
    assert result.reports == ["ICO-01"]
    assert all(p.parent == out / "incident" for p in result.files)


def test_scene_without_scan(world: World) -> None:
    console = Console(record=True)
    assert run_incident_scene(world.store, world.settings, world.tmp, console).incident_id is None
    assert "skipped" in console.export_text()
