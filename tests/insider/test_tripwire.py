from __future__ import annotations

import json
import smtplib
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from breachdesk.insider.tripwire import Alert, TripwireConfig, start_tripwire
from breachdesk.registry.exports import ExportRequest, ExportResult, create_export
from breachdesk.store.models.exports import TripwireAlert
from tests.insider.conftest import Registry
from tests.insider.leaks import read_rows

CANARY = ".shop-canary.example"


def free_port(preferred: int = 2525) -> int:
    for port in (preferred, 0):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(s.getsockname()[1])
    raise RuntimeError("no free port")


class Hook(BaseHTTPRequestHandler):
    received: list[dict[str, Any]]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append(json.loads(body))  # type: ignore[attr-defined]
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    server = HTTPServer(("127.0.0.1", 0), Hook)
    server.received = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/alerts", server.received  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def export(registry: Registry, tmp_path: Path) -> ExportResult:
    req = ExportRequest("Acme Marketing", "j.doe", "spring campaign", tmp_path / "x.csv")
    return create_export(registry.store, registry.hasher, registry.entities, req)


def canaries_of(export: ExportResult) -> list[str]:
    return [r["email"] for r in read_rows(Path(export.out)) if r["email"].endswith(CANARY)]


def test_mail_to_a_canary_raises_a_stored_printed_and_posted_alert(
    registry: Registry, export: ExportResult, webhook: tuple[str, list[dict[str, Any]]]
) -> None:
    url, received = webhook
    cfg = TripwireConfig(port=free_port(), webhook_url=url)
    printed: list[Alert] = []
    controller, handler = start_tripwire(registry.store, registry.hasher, cfg, printed.append)
    canary = canaries_of(export)[0]
    try:
        with smtplib.SMTP("127.0.0.1", cfg.port, local_hostname="mailer.acme.example") as smtp:
            msg = (
                "From: Acme Deals <deals@acme.example>\r\n"
                f"To: {canary}\r\n"
                "Subject: =?utf-8?q?Spring_offers_f=C3=BCr_you?=\r\n"
                "X-Campaign: 42\r\n\r\nBuy now.\r\n"
            )
            refused = smtp.sendmail("bounce@acme.example", [canary], msg.encode())
            assert refused == {}
    finally:
        controller.stop()

    assert handler.alerts == 1 and len(printed) == 1
    alert = printed[0]
    assert alert.canary == canary.lower()
    assert (alert.export_id, alert.export_uid) == (export.export_id, export.uid)
    assert alert.exporter == "j.doe" and alert.recipient == "Acme Marketing"
    assert alert.mail_from == "bounce@acme.example"
    assert alert.helo == "mailer.acme.example"
    assert alert.client_ip == "127.0.0.1"
    assert alert.subject == "Spring offers für you"
    assert ["X-Campaign", "42"] in alert.headers
    assert alert.delivery == {"webhook": "HTTP 204"}
    assert len(received) == 1 and received[0]["export_uid"] == export.uid
    assert received[0]["canary"] == canary.lower()
    with registry.store.sessions() as s:
        rows = s.scalars(select(TripwireAlert)).all()
    assert [(r.export_id, r.exporter, r.subject) for r in rows] == [
        (export.export_id, "j.doe", "Spring offers für you")
    ]


def test_unknown_recipients_are_refused_and_bad_mail_never_stops_it(
    registry: Registry, export: ExportResult
) -> None:
    cfg = TripwireConfig(port=free_port(), max_bytes=10_000)
    printed: list[Alert] = []
    controller, _ = start_tripwire(registry.store, registry.hasher, cfg, printed.append)
    canary = canaries_of(export)[0]
    domain = canary.split("@")[1]
    try:
        with smtplib.SMTP("127.0.0.1", cfg.port) as smtp:
            for rcpt in (f"nobody@{domain}", "someone@example.com", "not an address"):
                with pytest.raises(smtplib.SMTPRecipientsRefused) as exc:
                    smtp.sendmail("x@spam.example", [rcpt], b"Subject: hi\r\n\r\nhi\r\n")
                assert exc.value.recipients[rcpt][0] in (550, 553, 501)
            # oversized: refused with 552 after DATA, alert still raised without headers
            smtp.mail("x@spam.example")
            assert smtp.rcpt(canary)[0] == 250
            code, _ = smtp.data(b"Subject: big\r\n\r\n" + b"A" * 998 + b"\r\n" * 1 + b"B" * 20_000)
            assert code in (552, 500)
            # malformed: no header block, NUL bytes and a broken MIME structure
            junk = b"\x00\xff\xfe garbage\r\nContent-Type: multipart/mixed; boundary=\r\n\r\n--\r\n"
            assert smtp.sendmail("x@spam.example", [canary], junk) == {}
        with smtplib.SMTP("127.0.0.1", cfg.port) as smtp:  # still serving
            assert smtp.noop()[0] == 250
    finally:
        controller.stop()
    assert len(printed) == 2
    big, bad = printed
    assert big.headers == [] and "size cap" in big.problems[0]
    assert bad.problems and bad.export_uid == export.uid


def test_cli_tripwire_serves_until_sigterm(
    registry: Registry, export: ExportResult, tmp_path: Path
) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    port = free_port(2527)
    env = {**os.environ, "BREACHDESK_TRIPWIRE_MAX_BYTES": "50000", "COLUMNS": "300"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "breachdesk", "tripwire", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        assert "listening" in proc.stdout.readline()
        canary = canaries_of(export)[1]
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            smtp.sendmail("x@spam.example", [canary], b"Subject: deal\r\n\r\nhi\r\n")
        deadline = time.monotonic() + 30
        line = ""
        while "ALERT" not in line and time.monotonic() < deadline:
            line = proc.stdout.readline()
        assert "ALERT" in line and export.uid in line and "j.doe" in line
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=30)
        if proc.stdout is not None:
            proc.stdout.close()
    assert code == 0


def test_hostile_subject_after_100_headers_still_raises_the_alert(
    registry: Registry, export: ExportResult
) -> None:
    """Fuzzing found it: DATA answered 500 and no alert was stored."""
    cfg = TripwireConfig(port=free_port())
    printed: list[Alert] = []
    controller, _ = start_tripwire(registry.store, registry.hasher, cfg, printed.append)
    canary = canaries_of(export)[0]
    filler = "".join(f"X-Pad-{i}: {i}\r\n" for i in range(120))
    msg = f"From: a@spam.example\r\n{filler}Subject: =?utf-8?b?a?=\r\n\r\nhi\r\n".encode()
    try:
        with smtplib.SMTP("127.0.0.1", cfg.port) as smtp:
            assert smtp.sendmail("a@spam.example", [canary], msg) == {}
    finally:
        controller.stop()
    assert len(printed) == 1 and printed[0].subject == "=?utf-8?b?a?="
    assert len(printed[0].headers) == 100
    with registry.store.sessions() as s:
        assert [r.subject for r in s.scalars(select(TripwireAlert))] == ["=?utf-8?b?a?="]


def test_unparseable_message_is_stored_with_its_raw_headers(
    registry: Registry, export: ExportResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    from breachdesk.insider import tripwire

    def broken(content: bytes) -> None:
        raise RuntimeError("parser gave up")

    monkeypatch.setattr(tripwire, "_parse", broken)
    cfg = TripwireConfig(port=free_port())
    printed: list[Alert] = []
    controller, _ = start_tripwire(registry.store, registry.hasher, cfg, printed.append)
    canary = canaries_of(export)[0]
    msg = b"From: a@spam.example\r\nSubject: caf\xe9\r\n folded\r\n\r\nbody\r\n"
    try:
        with smtplib.SMTP("127.0.0.1", cfg.port) as smtp:
            assert smtp.sendmail("a@spam.example", [canary], msg) == {}
    finally:
        controller.stop()
    (alert,) = printed
    assert alert.headers == [["From", "a@spam.example"], ["Subject", "café folded"]]
    assert alert.problems == ["message could not be parsed: RuntimeError"]
    with registry.store.sessions() as s:
        (row,) = s.scalars(select(TripwireAlert))
    assert row.headers == alert.headers


def test_declared_oversize_alerts_at_rcpt_before_the_refusal(
    registry: Registry, export: ExportResult
) -> None:
    """Issue 8 §7: a sender declaring a big SIZE must not skip the alert."""
    cfg = TripwireConfig(port=free_port(), max_bytes=10_000)
    printed: list[Alert] = []
    controller, _ = start_tripwire(registry.store, registry.hasher, cfg, printed.append)
    canary = canaries_of(export)[0]
    try:
        with smtplib.SMTP("127.0.0.1", cfg.port) as smtp:
            smtp.ehlo("big.example")
            assert smtp.mail("x@spam.example", ["SIZE=50000000"])[0] == 250
            assert smtp.rcpt("nobody@example.com")[0] == 550
            assert smtp.rcpt(canary)[0] == 552
    finally:
        controller.stop()
    (alert,) = printed
    assert alert.export_uid == export.uid and alert.mail_from == "x@spam.example"
    assert alert.problems == ["message refused at RCPT: declared SIZE 50,000,000 over the cap"]
    with registry.store.sessions() as s:
        assert len(s.scalars(select(TripwireAlert)).all()) == 1


def test_a_canary_with_a_non_ascii_address_alerts_over_smtputf8(
    settings: Any, store: Any, tmp_path: Path
) -> None:
    """Canaries follow the real rows, so where real addresses are written in Unicode
    (jürgen.müller@…) canaries are too; the tripwire takes them over SMTPUTF8."""
    from breachdesk.registry.entities import load_entities
    from breachdesk.store.models import Customer
    from breachdesk.workspace import hasher

    people = [("Jürgen Müller", "jürgen.müller"), ("Zoë Lefèvre", "zoë.lefèvre")]
    people += [("Sébastien Çelik", "sébastien.çelik"), ("Åsa Ødegård", "åsa.ødegård")]
    with store.session() as s:
        for i in range(40):
            name, local = people[i % len(people)]
            email = f"{local}{i}@bücherpost.example"
            s.add(
                Customer(
                    customer_id=f"C{1000 + 7 * i:06d}",
                    email=email,
                    email_norm=email,
                    full_name=name,
                    country="DE",
                    entity="shop-de",
                )
            )
    keyed = hasher(settings)
    out = tmp_path / "x.csv"
    req = ExportRequest("Acme", "j.doe", "t", out, filters={"country": ["DE"]})
    create_export(store, keyed, load_entities(settings.entities_path), req)
    canaries = [r["email"] for r in read_rows(out) if CANARY in r["email"]]
    assert canaries and all(not c.isascii() for c in canaries)
    alerts: list[Alert] = []
    cfg = TripwireConfig(port=free_port())
    controller, _ = start_tripwire(store, keyed, cfg, alerts.append)
    try:
        with smtplib.SMTP("127.0.0.1", cfg.port) as smtp:
            smtp.sendmail(
                "news@acme.example",
                [canaries[0]],
                f"To: {canaries[0]}\r\nSubject: hi\r\n\r\nhello\r\n".encode(),
                mail_options=["SMTPUTF8"],
            )
    finally:
        controller.stop()
    assert [a.canary for a in alerts] == [canaries[0]]
    assert alerts[0].recipient == "Acme"  # the export it came from is named
