"""Build real input files for the scanner tests: response logs, HAR, WARC, archives."""

from __future__ import annotations

import base64
import gc
import gzip
import io
import json
import warnings
import zipfile
from pathlib import Path
from typing import Any

import zstandard
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

PAGE = (
    "<html><head><style>@media screen {{ body {{ color: red }} }} @font-face {{}}</style>"
    "</head><body><p>Questions? help@shop.example.com</p>{inner}</body></html>"
)


def account(name: str, email: str, extra: str = "") -> str:
    return PAGE.format(inner=f"<h1>Your account</h1><td>{name}</td><td>{email}</td>{extra}")


def log_line(
    ts: str,
    viewer: str | None,
    body: str,
    *,
    ip: str = "198.51.100.7",
    url: str = "/account",
    b64: bool = False,
) -> str:
    rec: dict[str, Any] = {
        "ts": ts,
        "viewer": viewer,
        "ip": ip,
        "method": "GET",
        "url": url,
        "status": 200,
        "content_type": "text/html",
    }
    if b64:
        rec["body_b64"] = base64.b64encode(body.encode()).decode()
    else:
        rec["body"] = body
    return json.dumps(rec, ensure_ascii=False)


def standard_log() -> list[str]:
    """Line 1: self view; 2: c1 shown to c3; 3: c2 (base64) shown to anonymous;
    4: nothing; 5: c3 email + phone (no name) shown to c4; 6: unknown email only."""
    return [
        log_line("2018-11-20T09:00:00+00:00", "c1", account("Alice Smith", "alice@example.com")),
        log_line("2018-11-20T10:00:00+00:00", "c3", account("Alice Smith", "Alice@Example.com")),
        log_line(
            "2018-11-20T10:05:00Z",
            None,
            account("Bob Müller", "bob@bücher.de"),
            b64=True,
            ip="203.0.113.9",
        ),
        log_line("2018-11-20T10:06:00+00:00", "c2", PAGE.format(inner="<p>catalogue</p>")),
        log_line(
            "2018-11-20T11:30:00+00:00",
            "c4",
            PAGE.format(inner="<p>carol@example.com, +1 201-555-0123</p>"),
        ),
        log_line("2018-11-20T11:31:00+00:00", "c4", PAGE.format(inner="<p>zed@elsewhere.org</p>")),
    ]


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def gzip_bytes(data: bytes) -> bytes:
    return gzip.compress(data)


def zstd_bytes(data: bytes) -> bytes:
    return zstandard.ZstdCompressor().compress(data)


def zip_file(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def har(entries: list[dict[str, Any]]) -> bytes:
    return json.dumps(
        {"log": {"version": "1.2", "creator": {"name": "test", "version": "1"}, "entries": entries}}
    ).encode()


def har_entry(
    url: str,
    body: str,
    *,
    headers: list[tuple[str, str]] = (),  # type: ignore[assignment]
    cookies: list[tuple[str, str]] = (),
    b64: bool = False,  # type: ignore[assignment]
    when: str = "2018-11-20T10:00:00.000Z",
) -> dict[str, Any]:
    content: dict[str, Any] = {"size": len(body), "mimeType": "text/html"}
    if b64:
        content.update(text=base64.b64encode(body.encode()).decode(), encoding="base64")
    else:
        content["text"] = body
    return {
        "startedDateTime": when,
        "request": {
            "method": "GET",
            "url": url,
            "headers": [{"name": n, "value": v} for n, v in headers],
            "cookies": [{"name": n, "value": v} for n, v in cookies],
        },
        "response": {"status": 200, "content": content},
    }


def warc(records: list[tuple[str, str, list[tuple[str, str]]]]) -> bytes:
    """(url, body, request headers) triples as request + response WARC records (gzipped)."""
    with warnings.catch_warnings():
        # warcio's writer spools payloads to temporary files it never closes
        warnings.simplefilter("ignore", ResourceWarning)
        data = _warc(records)
        gc.collect()
    return data


def _warc(records: list[tuple[str, str, list[tuple[str, str]]]]) -> bytes:
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True)
    for url, body, req_headers in records:
        payload = body.encode()
        resp_headers = StatusAndHeaders(
            "200 OK",
            [("Content-Type", "text/html"), ("Content-Length", str(len(payload)))],
            protocol="HTTP/1.1",
        )
        resp = writer.create_warc_record(
            url, "response", payload=io.BytesIO(payload), http_headers=resp_headers
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
    return out.getvalue()
