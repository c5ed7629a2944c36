"""Real browser (Debian's chromium driven by Playwright): the portal flows in two
languages with the code read from the project's SMTP sink, the PDF record
download, login, a CSRF rejection, the live deadline clock and live progress.
Screenshots of the main pages go to docs/screenshots/."""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from breachdesk.notify.dkim_keys import public_keys
from breachdesk.notify.smtp_sink import SmtpSink
from breachdesk.registry.entities import load_entities
from breachdesk.settings import Settings
from breachdesk.store import Store
from breachdesk.store.models.base import utcnow
from breachdesk.web.users import add_user
from tests.web.builders import World, add_incident, build_world
from tests.web.conftest import web_settings
from tests.web.live import serving
from tests.web.test_portal import _CODE, _text_of

playwright = pytest.importorskip("playwright.sync_api")
CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "correct-horse-battery-staple"

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="run scripts/system-deps.sh")


@pytest.fixture
def site(
    tmp_path: Path, dkim_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[str, World, SmtpSink]]:
    """One SQLite-backed server with the mail worker on, mailing into a sink."""
    from breachdesk.web.app import create_app
    from breachdesk.workspace import init_workspace

    monkeypatch.setenv("BREACHDESK_WORKSPACE", str(tmp_path / "ws"))
    monkeypatch.setenv("BREACHDESK_DATABASE_URL", f"sqlite:///{tmp_path / 'web.db'}")
    cfg = Settings()
    init_workspace(cfg)
    shutil.copytree(dkim_dir, cfg.dkim_dir)
    store = Store.open(cfg.database_url)
    store.migrate()
    world = build_world(store, cfg, tmp_path)
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    add_incident(store, cfg, now - timedelta(hours=34), "Order export e-mailed to a wrong partner")
    add_incident(store, cfg, now - timedelta(hours=70), "Support tool showed other tickets")
    add_user(store, "dpo", PASSWORD, "operator", "tester")
    keys = public_keys(cfg, load_entities(cfg.entities_path))
    with SmtpSink(None, keys) as sink:
        app_cfg = web_settings(world, smtp_port=sink.port, portal_floor_ms=5.0)
        app = create_app(app_cfg, store, run_worker=True)
        with serving(app) as base:
            yield base, world, sink
    store.dispose()


@pytest.fixture
def browser() -> Iterator[Any]:
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield b
        finally:
            b.close()


def _page(browser: Any, locale: str) -> tuple[Any, list[str]]:
    ctx = browser.new_context(
        locale=locale, viewport={"width": 1200, "height": 900}, accept_downloads=True
    )
    page = ctx.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    return page, problems


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _mail_code(sink: SmtpSink, n: int) -> str:
    deadline = time.monotonic() + 20
    while len(sink.messages) < n:
        assert time.monotonic() < deadline, "no code mail arrived"
        time.sleep(0.1)
    m = sink.messages[n - 1]
    assert m.dkim_ok is True
    found = _CODE.search(_text_of(m.data))
    assert found
    return found.group(1)


def test_portal_in_german_and_english_with_mailbox_code_and_pdf(
    site: tuple[str, World, SmtpSink], browser: Any, tmp_path: Path
) -> None:
    base, world, sink = site
    world.mark_sent(["de1", "gb1"])
    page, problems = _page(browser, "de-DE")
    page.goto(base + "/")
    assert page.locator("html").get_attribute("lang") == "de"
    assert "Folgen Sie nie Links" in page.inner_text("main")
    _shot(page, "portal-home-de")
    page.fill("#code", world.notice_code("de1"))
    page.click("form[action='/verify'] button")
    answer = page.inner_text("#answer")
    assert "echten Benachrichtigung" in answer and "Example Shop Deutschland GmbH" in answer
    assert "Jürgen" not in page.content()
    _shot(page, "portal-verify-de")

    page.goto(base + "/")
    page.fill("#email", world.email("de1"))
    page.click("form[action='/lookup'] button")
    assert "Wenn diese Adresse betroffen ist" in page.inner_text("#answer")
    _shot(page, "portal-sent-de")
    code = _mail_code(sink, 1)
    page.fill("#email", world.email("de1"))
    page.fill("#otc", code)
    page.click("form[action='/code'] button")
    page.wait_for_url(base + "/record")
    body = page.inner_text("main")
    assert "Ihre Auskunft zur Datenpanne" in body and "E-Mail-Adresse, Name, Passwort" in body
    # one language: no English label, authority, operator text or date on the German page
    for english in ("email address", "establishment's Land", "Turned off caching"):
        assert english not in body, english
    assert "20. November 2026, 10:00 UTC" in body
    assert "Ändern Sie dieses Passwort" in body  # what to do, for a leaked password
    _shot(page, "portal-record-de")
    with page.expect_download() as dl:
        page.click("#download")
    pdf = tmp_path / "record.pdf"
    dl.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    assert dl.value.suggested_filename == "breach-record.pdf"

    en, en_problems = _page(browser, "en-GB")
    en.goto(base + "/")
    assert en.locator("html").get_attribute("lang") == "en"
    _shot(en, "portal-home-en")
    en.fill("#code", "K7QX-M2PD-9RTA")
    en.click("form[action='/verify'] button")
    assert "No genuine notice carries this code" in en.inner_text("#answer")
    en.fill("#code", world.notice_code("gb1"))
    en.click("form[action='/verify'] button")
    assert "genuine notice" in en.inner_text("#answer")
    en.goto(base + "/")
    en.fill("#email", world.email("gb1"))
    en.click("form[action='/lookup'] button")
    code = _mail_code(sink, 2)
    en.fill("#email", world.email("gb1"))
    en.fill("#otc", code)
    en.click("form[action='/code'] button")
    en.wait_for_url(base + "/record")
    assert "Your breach record" in en.inner_text("main")
    _shot(en, "portal-record-en")
    # the switch: English -> French
    en.click("nav.langs a[hreflang='fr']")
    assert "Votre relevé de violation" in en.inner_text("main")
    assert not [p for p in problems + en_problems if "Content Security Policy" in p]


def test_dashboard_login_csrf_clock_and_live_progress(
    site: tuple[str, World, SmtpSink], browser: Any
) -> None:
    base, world, _ = site
    page, problems = _page(browser, "en-GB")
    page.goto(base + "/dashboard")
    assert page.url.endswith("/dashboard/login")
    _shot(page, "dashboard-login")
    # a forged form (its CSRF token altered) is rejected
    page.fill("#username", "dpo")
    page.fill("#password", PASSWORD)
    page.eval_on_selector("input[name=csrf]", "el => el.value = 'forged'")
    page.click("form[action='/dashboard/login'] button")
    assert "did not come from this site" in page.inner_text("main")
    page.goto(base + "/dashboard/login")
    page.fill("#username", "dpo")
    page.fill("#password", PASSWORD)
    page.click("form[action='/dashboard/login'] button")
    page.wait_for_url(base + "/dashboard")
    clock = page.locator(".left.ok").first
    first = clock.inner_text()
    assert re.fullmatch(r"(\d+d )?\d\dh \d\dm \d\ds left", first), first
    classes = [el.get_attribute("class") or "" for el in page.locator(".left").all()]
    bands = {c for cls in classes for c in cls.split()}
    assert {"ok", "soon", "overdue", "done"} <= bands  # coloured by time left
    page.wait_for_timeout(1300)
    assert clock.inner_text() != first  # it ticks without a reload
    overdue = page.locator(".left.overdue").first.inner_text()
    assert overdue.endswith("overdue")
    _shot(page, "dashboard-incidents")

    page.goto(f"{base}/dashboard/incidents/{world.incident_id}")
    sent = page.locator("#progress [data-state=sent]")
    assert sent.inner_text() == "0"
    world.mark_sent(["de1", "de2", "fr1"])  # delivery goes on elsewhere
    page.wait_for_function(
        "() => document.querySelector('#progress [data-state=sent]').textContent === '3'",
        timeout=10_000,
    )
    assert page.locator("#progress [data-state=pending]").inner_text() == "2"
    page.wait_for_timeout(300)
    _shot(page, "dashboard-incident")
    page.goto(f"{base}/dashboard/incidents/{world.incident_id}/findings")
    _shot(page, "dashboard-findings")
    page.goto(base + "/dashboard/audit")
    assert "Chain verified" in page.inner_text("#audit-verify")
    _shot(page, "dashboard-audit")
    page.goto(base + "/dashboard/register")
    _shot(page, "dashboard-register")
    assert not [p for p in problems if "Content Security Policy" in p]
