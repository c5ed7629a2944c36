"""Captures scanned without a viewer option record ``unknown``, never ``public``, and a
re-scan with viewer information settles them (issue 8, What to build §5; the defect: a
customer's view of his own page was reported as visible to the public)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from breachdesk.cli.main import run
from breachdesk.detect.findings import iter_findings
from breachdesk.detect.formats import ScanOptions
from breachdesk.detect.scanner import scan_paths
from breachdesk.store.audit import entries
from breachdesk.store.models import Finding
from tests.detect.builders import account, har, har_entry, warc
from tests.detect.conftest import Registry

HEADER = "X-Customer-Id"


def _capture(path: Path) -> Path:
    entries_ = [
        # Bob (c2) on his own account page: a self-view, once the viewer is known
        har_entry(
            "https://shop.example/me",
            account("Bob Müller", "bob@bücher.de"),
            headers=[(HEADER, "c2")],
        ),
        # José (c5) served Carol's page: a real exposure
        har_entry(
            "https://shop.example/me",
            account("Carol Jones", "carol@example.com"),
            headers=[(HEADER, "c5")],
        ),
        # an anonymous request served Dave's page: public
        har_entry("https://shop.example/me", account("Dave Martin", "dave@example.fr")),
    ]
    path.write_bytes(har(entries_))
    return path


def _live(reg: Registry) -> dict[str, str]:
    with reg.store.session() as s:
        ids = set(s.scalars(select(Finding.id).where(Finding.retracted_at.is_(None))))
    return {f.customer_id: f.viewer for f in iter_findings(reg.store) if f.id in ids}


def test_har_without_viewer_option_records_unknown(registry: Registry, tmp_path: Path) -> None:
    cap = _capture(tmp_path / "capture.har")
    s = scan_paths(registry.store, registry.settings, [cap], workers=1)
    assert _live(registry) == {"c2": "unknown", "c3": "unknown", "c4": "unknown"}
    assert s.unknown_viewer_hits == 3 and s.public_hits == 0 and s.viewers == 0


def test_rescan_with_viewer_header_settles_earlier_findings(
    registry: Registry, tmp_path: Path
) -> None:
    cap = _capture(tmp_path / "capture.har")
    scan_paths(registry.store, registry.settings, [cap], workers=1)
    again = scan_paths(
        registry.store, registry.settings, [cap], ScanOptions(viewer_header=HEADER), workers=1
    )
    assert again.findings_new == 0 and again.self_views == 1
    assert again.viewers_updated == 2 and again.retracted == 1
    assert _live(registry) == {"c3": "c5", "c4": "public"}  # Bob's own page is gone
    with registry.store.session() as s:
        bob = s.scalars(select(Finding).where(Finding.viewer == "unknown")).one()
    assert bob.retracted_at is not None and "customer's own page" in (bob.retracted_reason or "")
    actions = [e.action for e in entries(registry.store)]
    assert "findings.retract" in actions and "findings.viewer_settled" in actions


def test_warc_without_viewer_option_records_unknown(registry: Registry, tmp_path: Path) -> None:
    data = warc(
        [("https://shop.example/a", account("Alice Smith", "alice@example.com"), [])],
    )
    (tmp_path / "c.warc.gz").write_bytes(data)
    s = scan_paths(registry.store, registry.settings, [tmp_path / "c.warc.gz"], workers=1)
    assert _live(registry) == {"c1": "unknown"} and s.unknown_viewer_hits == 1


def test_warc_with_header_option_but_anonymous_request_is_public(
    registry: Registry, tmp_path: Path
) -> None:
    data = warc(
        [("https://shop.example/a", account("Alice Smith", "alice@example.com"), [])],
    )
    (tmp_path / "c.warc.gz").write_bytes(data)
    scan_paths(
        registry.store,
        registry.settings,
        [tmp_path / "c.warc.gz"],
        ScanOptions(viewer_header=HEADER),
        workers=1,
    )
    assert _live(registry) == {"c1": "public"}


def test_scan_summary_warns_about_unknown_viewers(
    registry: Registry, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cap = _capture(tmp_path / "capture.har")
    assert run(["scan", str(cap), "--workers", "1"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "3 findings have viewer 'unknown'" in out
    assert "--viewer-header" in out
    assert run(["scan", str(cap), "--workers", "1", "--viewer-header", HEADER]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "2 viewers settled, 1 retracted" in out
