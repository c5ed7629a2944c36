"""``python -m bench.encodings_accuracy``: recall and precision per encoding and format.

A registry of generated customers (``breachdesk.samples.customers``, Unicode and IDN
addresses included) is imported. For every encoding in ``breachdesk.samples.encoded``
and every format, pages are planted:

- **exposures**: customer X's address, written in that encoding, on a page served to
  another signed-in customer or to an anonymous visitor (must be found, with X);
- **self-views**: X's own page served to X (must be counted, never reported);
- **decoys**: an address that is not a customer, written the same way, with the same
  page noise (``@2x`` images, CSS at-rules, ``a@b``; must not be reported).

Then ``scan_paths`` reads the three files (HAR and WARC viewers from the request
header ``X-Customer``) and every finding is checked against the plan.
"""

from __future__ import annotations

import argparse
import base64
import csv
import io
import json
import random
import sys
import tempfile
import warnings
from collections import defaultdict
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from breachdesk.detect.findings import iter_findings
from breachdesk.detect.formats import ScanOptions
from breachdesk.detect.scanner import scan_paths
from breachdesk.registry.entities import load_entities
from breachdesk.registry.importer import import_registry
from breachdesk.registry.index import build_index
from breachdesk.samples.customers import write_registry
from breachdesk.samples.encoded import ENCODINGS
from breachdesk.settings import Settings
from breachdesk.store import Store
from breachdesk.workspace import hasher, init_workspace

NOISE = (
    '<img src="/logo@2x.png"><style>@media (max-width:600px){{}} @font-face{{}}</style>'
    "<p>a@b · @shop_help · help@shop.example.com</p>"
)
PAGE = "<html><body><h1>Account</h1><p>{name}</p><p>Contact: {addr}</p>" + NOISE + "</body></html>"
FORMS = ("jsonl", "har", "warc")
ENCODING_NAMES = [*sorted(ENCODINGS), "base64-body"]


def _plan(rows: list[dict[str, str]], per: int, rng: random.Random) -> list[dict[str, object]]:
    plan: list[dict[str, object]] = []
    idn = [r for r in rows if not r["email"].split("@")[1].isascii() or "xn--" in r["email"]]
    for fmt in FORMS:
        for enc in ENCODING_NAMES:
            if enc == "base64-body" and fmt == "warc":
                continue  # WARC records carry HTTP bodies, not base64 text
            # IDN forms are shown with customers whose domain is internationalised
            pool = idn if enc in ("punycode", "idn-unicode") and idn else rows
            for k in range(per):
                owner, other = rng.choice(pool), rng.choice(rows)
                while other is owner:
                    other = rng.choice(rows)
                viewer = other["customer_id"] if k % 2 else None
                plan.append(
                    {"fmt": fmt, "enc": enc, "kind": "exposure", "owner": owner, "viewer": viewer}
                )
                plan.append(
                    {
                        "fmt": fmt,
                        "enc": enc,
                        "kind": "self",
                        "owner": owner,
                        "viewer": owner["customer_id"],
                    }
                )
                decoy = {
                    "customer_id": "",
                    "email": f"nobody{k}.{enc.replace('-', '')}@elsewhere.example",
                    "full_name": "Nobody Here",
                }
                plan.append(
                    {"fmt": fmt, "enc": enc, "kind": "decoy", "owner": decoy, "viewer": viewer}
                )
    return plan


def _body(item: dict[str, object]) -> str:
    owner = item["owner"]
    assert isinstance(owner, dict)
    enc = str(item["enc"])
    addr = owner["email"] if enc == "base64-body" else ENCODINGS[enc](owner["email"])
    return PAGE.format(name="Your details", addr=addr)


def _write(plan: list[dict[str, object]], out: Path) -> dict[str, Path]:
    files = {
        "jsonl": out / "responses.jsonl",
        "har": out / "capture.har",
        "warc": out / "crawl.warc.gz",
    }
    lines, entries, records = [], [], []
    for item in plan:
        body = _body(item)
        b64 = item["enc"] == "base64-body"
        viewer = item["viewer"]
        if item["fmt"] == "jsonl":
            rec: dict[str, object] = {
                "ts": "2026-11-21T13:05:00Z",
                "viewer": viewer,
                "ip": "203.0.113.9",
                "url": f"/a?request={len(lines)}",  # every record differs (findings are unique)
            }
            rec["body_b64" if b64 else "body"] = (
                base64.b64encode(body.encode()).decode() if b64 else body
            )
            lines.append(json.dumps(rec, ensure_ascii=False))
            item["where"] = ("responses.jsonl", f"line {len(lines)}")
        elif item["fmt"] == "har":
            content: dict[str, object] = {"mimeType": "text/html"}
            content["text"] = base64.b64encode(body.encode()).decode() if b64 else body
            if b64:
                content["encoding"] = "base64"
            headers = [{"name": "X-Customer", "value": viewer}] if viewer else []
            entries.append(
                {
                    "startedDateTime": "2026-11-21T13:05:00Z",
                    "request": {
                        "method": "GET",
                        "url": f"https://shop.example/a?request={len(entries)}",
                        "headers": headers,
                        "cookies": [],
                    },
                    "response": {"status": 200, "content": content},
                }
            )
            item["where"] = ("capture.har", f"entry {len(entries)}")
        else:
            records.append(
                (
                    f"https://shop.example/a/{len(records)}",
                    body,
                    [("X-Customer", str(viewer))] if viewer else [],
                )
            )
            item["where"] = ("crawl.warc", f"record {2 * len(records)}")
    files["jsonl"].write_text("\n".join(lines) + "\n", encoding="utf-8")
    files["har"].write_text(
        json.dumps(
            {
                "log": {
                    "version": "1.2",
                    "creator": {"name": "bench", "version": "1"},
                    "entries": entries,
                }
            }
        ),
        encoding="utf-8",
    )
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        writer = WARCWriter(buf, gzip=True)
        for url, body, req_headers in records:
            payload = body.encode()
            resp = writer.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(payload),
                http_headers=StatusAndHeaders(
                    "200 OK",
                    [("Content-Type", "text/html"), ("Content-Length", str(len(payload)))],
                    protocol="HTTP/1.1",
                ),
            )
            req = writer.create_warc_record(
                url,
                "request",
                payload=io.BytesIO(b""),
                http_headers=StatusAndHeaders("GET / HTTP/1.1", req_headers, is_http_request=True),
            )
            req.rec_headers.add_header(
                "WARC-Concurrent-To", resp.rec_headers.get_header("WARC-Record-ID")
            )
            writer.write_record(req)
            writer.write_record(resp)
    files["warc"].write_bytes(buf.getvalue())
    return files


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--customers", type=int, default=2000)
    ap.add_argument("--per", type=int, default=10, help="exposures per encoding and format")
    ap.add_argument("--out", type=Path, default=None)
    a = ap.parse_args(argv)
    work = a.out or Path(tempfile.mkdtemp(prefix="bd-acc-"))
    work.mkdir(parents=True, exist_ok=True)
    cfg = Settings(workspace=work / "ws", database_url=f"sqlite:///{work / 'acc.db'}")
    init_workspace(cfg)
    store = Store.open(cfg.database_url)
    store.migrate()
    write_registry(work / "customers.csv", a.customers, seed=5, bad_rows=False)
    import_registry(
        store, work / "customers.csv", load_entities(cfg.entities_path), cfg.rejects_dir
    )
    build_index(store, hasher(cfg), cfg.index_dir)
    with (work / "customers.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    plan = _plan(rows, a.per, random.Random(11))
    files = _write(plan, work)
    summary = scan_paths(
        store, cfg, list(files.values()), ScanOptions(viewer_header="X-Customer"), workers=1
    )
    found = {
        (Path(f.source).name.removesuffix(".gz"), f.locator, f.customer_id)
        for f in iter_findings(store)
    }
    stats: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    where_enc = {item["where"]: (str(item["fmt"]), str(item["enc"])) for item in plan}
    expected = set()
    for item in plan:
        owner = item["owner"]
        assert isinstance(owner, dict)
        key = (str(item["fmt"]), str(item["enc"]))
        where = item["where"]
        assert isinstance(where, tuple)
        if item["kind"] == "exposure":
            stats[key]["planted"] += 1
            expected.add((where[0], where[1], owner["customer_id"]))
            stats[key]["found"] += (where[0], where[1], owner["customer_id"]) in found
    for src, loc, cid in found:
        key = where_enc.get((src, loc))
        if key is None:
            continue
        stats[key]["findings"] += 1
        stats[key]["false"] += (src, loc, cid) not in expected
    result = {
        "customers": a.customers,
        "per": a.per,
        "self_views": summary.self_views,
        "problems": [p.line() for p in summary.problems],
        "rows": [
            {"format": f, "encoding": e, **dict(stats[(f, e)])}
            for f in FORMS for e in ENCODING_NAMES if (f, e) in stats
        ],
    }  # fmt: skip
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
