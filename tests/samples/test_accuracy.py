"""The sample corpus end to end through the real importer and scanner, scored against the truth."""

from __future__ import annotations

from pathlib import Path

from breachdesk.detect.findings import FindingRecord, iter_findings
from breachdesk.detect.scanner import scan_paths
from breachdesk.registry.entities import load_entities
from breachdesk.registry.importer import import_registry
from breachdesk.registry.index import build_index
from breachdesk.samples.accuracy import score
from breachdesk.samples.customers import write_registry
from breachdesk.samples.weblogs import Exposure, LogSpec, read_truth, write_logs
from breachdesk.settings import Settings
from breachdesk.store import Store
from breachdesk.workspace import hasher


def test_scanner_finds_exactly_the_planted_exposures(
    tmp_path: Path, store: Store, settings: Settings
) -> None:
    n = 2500
    write_registry(tmp_path / "customers.csv", n, seed=11)
    import_registry(
        store,
        tmp_path / "customers.csv",
        load_entities(settings.entities_path),
        settings.rejects_dir,
        workers=1,
    )
    build_index(store, hasher(settings), settings.index_dir)
    spec = LogSpec(customers=n, size_bytes=2_000_000, seed=11, exposure_rate=0.03)
    logs = write_logs(spec, tmp_path / "logs")
    summary = scan_paths(store, settings, [tmp_path / "logs"], workers=1)
    s = score(iter_findings(store), read_truth(Path(logs.truth)))
    assert s.planted == logs.exposures > 0
    assert (s.missed, s.spurious) == ([], [])
    assert s.recall == s.precision == 1.0
    assert s.wrong_viewer == s.wrong_fields == 0
    assert summary.self_views == logs.self_views
    assert summary.exposed_customers == logs.exposed_customers


def _finding(line: int, customer: str, viewer: str, fields: list[str]) -> FindingRecord:
    return FindingRecord(
        1, 1, customer, "GB", fields, "/x/a.jsonl", f"line {line}", None, None, viewer, None, ""
    )


def test_score_counts_misses_false_findings_and_field_errors() -> None:
    truth = [
        Exposure("a.jsonl", 1, "C1", None, "ip", "ts", "u", ["email", "name"]),
        Exposure("a.jsonl", 2, "C2", "C9", "ip", "ts", "u", ["email", "name"]),
        Exposure("a.jsonl", 3, "C3", None, "ip", "ts", "u", ["email"]),
    ]
    findings = [
        _finding(1, "C1", "public", ["email", "name"]),
        _finding(2, "C2", "public", ["name", "email"]),
        _finding(3, "C3", "public", ["email", "name"]),
        _finding(4, "C4", "public", ["email"]),
    ]
    s = score(findings, truth)
    assert (s.planted, s.found, s.matched) == (3, 4, 3)
    assert s.recall == 1.0 and s.precision == 0.75
    assert s.wrong_viewer == 1 and s.wrong_fields == 1
    assert s.spurious == [("a.jsonl", 4, "C4")]
