"""The customer portal in-process: headers, languages, the notice check, "was I
affected?" through a real SMTP sink, one-time codes, the own record and its PDF."""

from __future__ import annotations

import email
import io
import logging
import re
from datetime import timedelta
from email.policy import default

import pypdfium2 as pdfium
import pytest
from sqlalchemy import update
from starlette.testclient import TestClient

from breachdesk.notify.smtp_sink import SmtpSink
from breachdesk.store.audit import entries, verify
from breachdesk.store.models.base import utcnow
from breachdesk.store.models.web import PortalCode, PortalRequest
from breachdesk.web.portal.lookup import process_requests
from breachdesk.web.portal.mailer import CodeMailer
from breachdesk.web.ratelimit import Limiter
from tests.web.builders import World
from tests.web.conftest import client_for, csrf_of, web_settings

_CODE = re.compile(r"\b([A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4})\b")


def _mailer(world: World, sink: SmtpSink) -> CodeMailer:
    cfg = web_settings(world, smtp_host="127.0.0.1", smtp_port=sink.port)
    return CodeMailer(world.store, cfg)


def _text_of(raw: bytes) -> str:
    msg = email.message_from_bytes(raw, policy=default)
    part = msg.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def test_headers_and_no_inline_script(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert r.headers["cache-control"] == "no-store"
    assert not re.search(r"<script(?![^>]*\bsrc=)", r.text), "inline script"
    assert " style=" not in r.text and " on" + "click=" not in r.text
    assert "Never follow links" in r.text
    # every form posts (nothing personal goes into a URL)
    assert all(m == "post" for m in re.findall(r'<form[^>]*method="(\w+)"', r.text))
    js = client.get("/static/dashboard.js")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]


def test_language_from_header_and_switch(client: TestClient) -> None:
    de = client.get("/", headers={"Accept-Language": "de-CH,de;q=0.9,en;q=0.5"})
    assert 'lang="de"' in de.text and "Ist diese Benachrichtigung echt?" in de.text
    fr = client.get("/", headers={"Accept-Language": "fr-CA"})
    assert "Suis-je concerné ?" in fr.text
    other = client.get("/", headers={"Accept-Language": "pt-BR"})
    assert 'lang="en"' in other.text
    r = client.get("/?lang=fr&next=/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"
    assert 'lang="fr"' in client.get("/", headers={"Accept-Language": "de"}).text
    evil = client.get("/?lang=de&next=//evil.example/", follow_redirects=False)
    assert evil.headers["location"] == "/"


def test_genuine_notice_shows_sender_not_recipient(world: World, client: TestClient) -> None:
    world.mark_sent(["de1"])
    token = csrf_of(client)
    code = world.notice_code("de1").lower().replace("-", " ")  # typed sloppily
    r = client.post("/verify", data={"csrf": token, "code": code})
    assert r.status_code == 200
    assert "genuine notice" in r.text
    assert "Example Shop Deutschland GmbH (shop.example.de)" in r.text
    assert "password" in r.text and "name" in r.text  # the notice's data categories
    # the regulator informed (status done), named as the notices name it
    assert "data protection supervisory authority of the German state" in r.text
    for leak in ("Jürgen", "Müller", "jurgen@example.de", "de1"):
        assert leak not in r.text
    unknown = client.post("/verify", data={"csrf": token, "code": "AAAA-BBBB-CCCC"})
    assert unknown.status_code == r.status_code
    assert "No genuine notice carries this code" in unknown.text
    labels = re.compile(r"<dt>([^<]+)</dt>")
    assert labels.findall(unknown.text) == labels.findall(r.text)  # same shape


def test_csrf_is_required(client: TestClient) -> None:
    client.get("/")
    r = client.post("/lookup", data={"email": "x@example.com"})
    assert r.status_code == 403
    r = client.post("/lookup", data={"email": "x@example.com", "csrf": "forged"})
    assert r.status_code == 403
    with client_for_world_fresh(client) as other:
        token = csrf_of(other)
    assert client.post("/verify", data={"csrf": token, "code": "x"}).status_code == 403


def client_for_world_fresh(client: TestClient) -> TestClient:
    return TestClient(client.app, base_url="http://testserver")


def test_lookup_answer_code_by_mail_record_and_single_use(
    world: World, client: TestClient, sink: SmtpSink, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    token = csrf_of(client)
    typed = "Anna@BÜCHER.example"  # the registry holds anna@bücher.example
    a = client.post("/lookup", data={"csrf": token, "email": typed})
    b = client.post("/lookup", data={"csrf": token, "email": "nobody@example.org"})
    c = client.post("/lookup", data={"csrf": token, "email": world.email("gb3")})  # not affected
    assert a.status_code == b.status_code == c.status_code == 200
    assert a.text == b.text == c.text
    assert "If this address is affected, we have sent it a message." in a.text
    with world.store.session() as s:
        sealed = [r.sealed for r in s.query(PortalRequest)]
    assert len(sealed) == 3 and all(b"anna" not in x and b"nobody" not in x for x in sealed)

    sent = process_requests(world.store, world.settings and _key(world), _mailer(world, sink))
    assert sent == 1
    assert len(sink.messages) == 1
    m = sink.messages[0]
    assert m.rcpt == ("anna@xn--bcher-kva.example",)
    assert m.dkim_ok is True
    body = _text_of(m.data)
    assert "http" not in body and "www." not in body
    assert "Anna Weiß" in body and "Einmalcode" in body  # her language (de)
    found = _CODE.search(body)
    assert found
    code = found.group(1)

    wrong = client.post("/code", data={"csrf": token, "email": typed, "code": "ZZZZ-ZZZZ"})
    assert wrong.status_code == 422
    ok = client.post("/code", data={"csrf": token, "email": typed, "code": code.lower()})
    assert ok.status_code == 200 and "Your breach record" in ok.text
    assert "email address, name" in ok.text  # what of hers was exposed
    assert "anyone (the page was public)" in ok.text  # seen by: public
    # regulator informed, named as the notices name it
    assert "data protection supervisory authority of the German state" in ok.text
    assert "Example Shop Deutschland GmbH" in ok.text
    assert "Expect phishing" in ok.text  # what to do, for an exposed email address
    # the code is single-use
    fresh = client_for_world_fresh(client)
    t2 = csrf_of(fresh)
    again = fresh.post("/code", data={"csrf": t2, "email": typed, "code": code})
    assert again.status_code == 422
    # nothing personal in any log line
    ours = ("breachdesk", "httpx", "uvicorn", "fastapi", "starlette")
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith(ours))
    for pii in ("anna", "bücher", "nobody@", "Weiß", code):
        assert pii not in logged
    acts = [e.action for e in entries(world.store)]
    assert "portal.code.issue" in acts and "portal.code.redeem" in acts
    assert verify(world.store).ok


def _key(world: World) -> bytes:
    from breachdesk.workspace import load_key

    return load_key(world.settings)


def test_expired_code_is_refused(world: World, client: TestClient, sink: SmtpSink) -> None:
    token = csrf_of(client)
    client.post("/lookup", data={"csrf": token, "email": world.email("fr1")})
    process_requests(world.store, _key(world), _mailer(world, sink))
    code = _CODE.search(_text_of(sink.messages[0].data))
    assert code
    with world.store.session() as s:
        s.execute(update(PortalCode).values(expires_at=utcnow() - timedelta(seconds=1)))
    r = client.post(
        "/code", data={"csrf": token, "email": world.email("fr1"), "code": code.group(1)}
    )
    assert r.status_code == 422 and "expired" in r.text


def test_bad_address_message(client: TestClient) -> None:
    token = csrf_of(client)
    r = client.post("/lookup", data={"csrf": token, "email": "not an address"})
    assert r.status_code == 422 and "This is not an email address" in r.text


def test_record_pdf_carries_a_code_the_portal_checks(
    world: World, client: TestClient, sink: SmtpSink
) -> None:
    world.mark_sent(["de1"])
    token = csrf_of(client)
    client.post("/lookup", data={"csrf": token, "email": world.email("de1")})
    process_requests(world.store, _key(world), _mailer(world, sink))
    code = _CODE.search(_text_of(sink.messages[0].data))
    assert code
    r = client.post(
        "/code", data={"csrf": token, "email": world.email("de1"), "code": code.group(1)}
    )
    assert r.status_code == 200
    assert csrf_of(client, "/record") != token  # a new token once the record is open
    token = csrf_of(client, "/record")
    pdf = client.post("/record.pdf", data={"csrf": token})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    doc = pdfium.PdfDocument(io.BytesIO(pdf.content))
    text = "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    doc.close()
    assert "Breach record" in text and "Jürgen Müller" in text
    for fact in (
        "email address, name, password",
        "November 20, 2026, 10:00 UTC",
        "November 20, 2026, 12:00 UTC",
    ):
        assert fact in text, fact
    assert world.notice_code("de1") in text  # the notice sent, with its date
    assert "data protection supervisory authority of the German state" in text
    rec = re.search(
        r"Record code\s*\|?\s*([A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4})", text
    )
    assert rec, text[:2000]
    check = client.post("/verify", data={"csrf": token, "code": rec.group(1)})
    assert "genuine breach record" in check.text
    assert "Jürgen" not in check.text


def test_rate_limits_per_ip_and_address(world: World, limiter: Limiter) -> None:
    with client_for(world, limiter=limiter, portal_ip_per_minute=5, portal_address_per_hour=2) as c:
        token = csrf_of(c)
        codes = [
            c.post("/lookup", data={"csrf": token, "email": "same@example.org"}).status_code
            for _ in range(3)
        ]
        assert codes == [200, 200, 429]  # per address
        more = [
            c.post("/verify", data={"csrf": token, "code": f"C{i}"}).status_code for i in range(3)
        ]
        assert more[-1] == 429  # per IP: 3 + 3 > 5
        r = c.post("/verify", data={"csrf": token, "code": "x"})
        assert r.status_code == 429 and r.headers.get("retry-after") == "60"
