"""Every input format and container, scanned for real through ``scan_paths``."""

from __future__ import annotations

import json
from pathlib import Path

from breachdesk.detect.findings import iter_findings
from breachdesk.detect.formats import ScanOptions
from breachdesk.detect.scanner import scan_paths
from tests.detect.builders import (
    account,
    gzip_bytes,
    har,
    har_entry,
    standard_log,
    warc,
    write_lines,
    zip_file,
    zstd_bytes,
)
from tests.detect.conftest import Registry


def found(reg: Registry) -> set[tuple[str, str, str, str]]:
    return {
        (f.customer_id, ",".join(f.fields), f.locator, f.viewer) for f in iter_findings(reg.store)
    }


EXPECTED_LOG = {
    ("c1", "email,name", "line 2", "c3"),
    ("c2", "email,name", "line 3", "public"),
    ("c3", "email,phone", "line 5", "c4"),
}


def test_response_log_jsonl(registry: Registry, tmp_path: Path) -> None:
    src = write_lines(tmp_path / "responses.jsonl", standard_log())
    s = scan_paths(registry.store, registry.settings, [src], workers=1)
    assert found(registry) == EXPECTED_LOG
    assert (s.records, s.self_views, s.unknown_emails) == (6, 1, 7)  # help@ x6 + zed@
    assert s.exposed_customers == 3 and s.viewers == 2  # c3 and c4 signed in
    assert (s.public_hits, s.public_ips) == (1, 1)
    assert s.by_country == {"GB": 1, "DE": 1, "US": 1}
    assert s.window is not None and s.window[0].isoformat() == "2018-11-20T10:00:00+00:00"
    f = next(f for f in iter_findings(registry.store) if f.customer_id == "c2")
    assert f.url == "/account" and f.viewer_ip == "203.0.113.9"
    assert "bücher" not in f.snippet and "Müller" not in f.snippet and "b***@b***.de" in f.snippet
    assert "example.com<" not in f.snippet  # no cut-off address fragments at the edges


def test_compressed_and_archived_logs(registry: Registry, tmp_path: Path) -> None:
    data = ("\n".join(standard_log()) + "\n").encode()
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "a.jsonl.gz").write_bytes(gzip_bytes(data))
    (logs / "b.jsonl.zst").write_bytes(zstd_bytes(data))
    inner = zip_file(tmp_path / "inner.zip", {"deep.jsonl.gz": gzip_bytes(data)}).read_bytes()
    zip_file(logs / "c.zip", {"2018/11/app.jsonl": data, "old/inner.zip": inner})
    s = scan_paths(registry.store, registry.settings, [logs], workers=1)
    assert s.problems == []
    assert s.hits == 12 and s.self_views == 4 and s.records == 24 and s.files == 3
    # the same records in four containers are the same three exposures: deduplicated
    assert s.findings_new == 3
    assert {f.customer_id for f in iter_findings(registry.store)} == {"c1", "c2", "c3"}
    s2 = scan_paths(registry.store, registry.settings, [logs / "c.zip"], workers=1)
    assert (s2.findings_new, s2.findings_seen) == (0, 3)


def test_sources_name_the_archive_member(registry: Registry, tmp_path: Path) -> None:
    data = ("\n".join(standard_log()) + "\n").encode()
    zip_file(tmp_path / "c.zip", {"2018/11/app.jsonl": data})
    scan_paths(registry.store, registry.settings, [tmp_path / "c.zip"], workers=1)
    assert {f.source for f in iter_findings(registry.store)} == {
        f"{tmp_path / 'c.zip'}!2018/11/app.jsonl"
    }


def test_har_with_base64_and_viewer_header(registry: Registry, tmp_path: Path) -> None:
    entries = [
        har_entry(
            "https://shop.example/account",
            account("Alice Smith", "alice@example.com"),
            headers=[("X-Customer-Id", "c4")],
            b64=True,
        ),
        har_entry(
            "https://shop.example/orders",
            account("Carol Jones", "carol@example.com"),
            cookies=[("cust", "c2")],
        ),
        har_entry(
            "https://shop.example/me",
            account("Dave Martin", "dave@example.fr"),
            headers=[("X-Customer-Id", "c4")],
        ),
    ]
    (tmp_path / "capture.har").write_bytes(har(entries))
    s = scan_paths(
        registry.store,
        registry.settings,
        [tmp_path / "capture.har"],
        ScanOptions(viewer_header="X-Customer-Id", viewer_cookie="cust"),
        workers=1,
    )
    assert found(registry) == {
        ("c1", "email,name", "entry 1", "c4"),
        ("c3", "email,name", "entry 2", "c2"),
    }
    assert s.self_views == 1 and s.records == 3


def test_har_viewer_from_option(registry: Registry, tmp_path: Path) -> None:
    (tmp_path / "x.har").write_bytes(har([har_entry("https://s/a", "alice@example.com")]))
    scan_paths(
        registry.store, registry.settings, [tmp_path / "x.har"], ScanOptions(viewer="c9"), workers=1
    )
    assert found(registry) == {("c1", "email", "entry 1", "c9")}


def test_warc_with_viewer_from_request_cookie(registry: Registry, tmp_path: Path) -> None:
    data = warc(
        [
            (
                "https://shop.example/account",
                account("Alice Smith", "alice@example.com"),
                [("Cookie", "theme=dark; cust=c3")],
            ),
            (
                "https://shop.example/account",
                account("Carol Jones", "carol@example.com"),
                [("Cookie", "cust=c3")],
            ),
        ]
    )
    (tmp_path / "crawl.warc.gz").write_bytes(data)
    s = scan_paths(
        registry.store,
        registry.settings,
        [tmp_path / "crawl.warc.gz"],
        ScanOptions(viewer_cookie="cust"),
        workers=1,
    )
    assert found(registry) == {("c1", "email,name", "record 2", "c3")}
    assert s.self_views == 1 and s.records == 2
    assert next(iter(iter_findings(registry.store))).url == "https://shop.example/account"


def test_plain_csv_html_json_and_directories(registry: Registry, tmp_path: Path) -> None:
    d = tmp_path / "dump" / "deep"
    d.mkdir(parents=True)
    (d / "list.csv").write_text(
        "id,email,name\n1,alice@example.com,Alice Smith\n"
        "2,nobody@example.net,Nobody\n3,dave@example.fr,x\n",
        encoding="utf-8",
    )
    (d / "page.html").write_text(
        "<h2>Carol</h2><p>lorem</p><p>Jones</p><a href='mailto:carol@example.com'>mail</a>",
        encoding="utf-8",
    )
    (tmp_path / "dump" / "api.json").write_text(
        json.dumps({"user": {"first": "José", "last": "García", "mail": "José.García@correo.es"}}),
        encoding="utf-8",
    )
    (tmp_path / "dump" / "notes.txt").write_text(
        "ring +49 30 901820 or bob@bücher.de\n", encoding="utf-8"
    )
    s = scan_paths(registry.store, registry.settings, [tmp_path / "dump"], workers=1)
    assert found(registry) == {
        ("c1", "email,name", "line 2", "public"),
        ("c4", "email", "line 4", "public"),
        ("c3", "email,name", "file", "public"),
        ("c5", "email,name", "file", "public"),
        ("c2", "email", "line 1", "public"),
    }
    assert s.files == 4 and s.unknown_emails == 1


def test_split_file_on_two_workers_matches_one_worker(registry: Registry, tmp_path: Path) -> None:
    lines = standard_log() * 200
    src = write_lines(tmp_path / "big.jsonl", lines)
    s = scan_paths(registry.store, registry.settings, [src], workers=2, split_bytes=50_000)
    assert s.workers == 2 and s.records == 1200
    locs = {(f.customer_id, f.locator) for f in iter_findings(registry.store)}
    # identical records dedupe to one finding each; the first occurrence keeps its line number
    assert {c for c, _ in locs} == {"c1", "c2", "c3"}
    for cid, loc in locs:
        n = int(loc.split()[1])
        assert json.loads(lines[n - 1])["viewer"] != cid
        assert (n - 1) % 6 in (1, 2, 4)


def test_self_views_without_customer_ids_in_the_index(registry: Registry, tmp_path: Path) -> None:
    """An index from an older build has no customer ids: the parent then settles self-views."""
    for name in ("ids.npy", "idrows.npy"):
        (registry.settings.index_dir / name).unlink()
    src = write_lines(tmp_path / "responses.jsonl", standard_log())
    s = scan_paths(registry.store, registry.settings, [src], workers=1)
    assert found(registry) == EXPECTED_LOG
    assert (s.self_views, s.hits) == (1, 4)
