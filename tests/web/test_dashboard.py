"""The operator dashboard in-process: login (argon2), roles, CSRF, every page, the
progress JSON, charts, obligation status, findings retraction, register, audit."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from breachdesk.cli.main import run
from breachdesk.store.audit import entries, verify
from breachdesk.store.models import Finding
from breachdesk.store.models.incidents import IncidentFinding, ObligationRow
from breachdesk.store.models.web import WebUser
from breachdesk.web.users import add_user
from tests.web.builders import World
from tests.web.conftest import csrf_of

PASSWORD = "correct-horse-battery-staple"


def login(client: TestClient, user: str, password: str = PASSWORD) -> int:
    token = csrf_of(client, "/dashboard/login")
    r = client.post(
        "/dashboard/login",
        data={"csrf": token, "username": user, "password": password},
        follow_redirects=False,
    )
    return r.status_code


@pytest.fixture
def users(world: World) -> World:
    add_user(world.store, "dpo", PASSWORD, "operator", "tester")
    add_user(world.store, "auditor", PASSWORD, "viewer", "tester")
    return world


def test_user_add_cli_hashes_with_argon2(world: World) -> None:
    assert run(["user", "add", "ops.lead", "--role", "operator", "--generate"]) == 0
    assert run(["user", "add", "ops.lead", "--role", "operator", "--generate"]) == 2  # exists
    assert run(["user", "add", "x", "--role", "admin", "--generate"]) == 2  # bad role/name
    with world.store.session() as s:
        u = s.scalars(select(WebUser).where(WebUser.username == "ops.lead")).one()
    assert u.password_hash.startswith("$argon2id$") and u.role == "operator"
    assert any(e.action == "web.user.add" for e in entries(world.store))


def test_login_session_cookie_and_wrong_password(users: World, client: TestClient) -> None:
    assert client.get("/dashboard", follow_redirects=False).headers["location"] == (
        "/dashboard/login"
    )
    assert login(client, "dpo", "wrong password!!") == 401
    assert login(client, "nobody", "wrong password!!") == 401
    token = csrf_of(client, "/dashboard/login")
    r = client.post(
        "/dashboard/login",
        data={"csrf": token, "username": "dpo", "password": PASSWORD},
        follow_redirects=False,
    )
    assert r.status_code == 303
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http in the test; see the TLS test below
    page = client.get("/dashboard")
    assert page.status_code == 200 and "Account pages served from cache" in page.text
    acts = [(e.action, e.details.get("ok")) for e in entries(users.store)]
    assert ("web.login", False) in acts and ("web.login", True) in acts


def test_secure_cookie_over_tls(users: World) -> None:
    from tests.web.conftest import client_for

    with client_for(users) as c:
        c.base_url = c.base_url.copy_with(scheme="https")
        r = c.get("/dashboard/login")
        assert "Secure" in r.headers["set-cookie"]


def test_login_csrf_rejection(users: World, client: TestClient) -> None:
    client.get("/dashboard/login")
    r = client.post("/dashboard/login", data={"username": "dpo", "password": PASSWORD})
    assert r.status_code == 403 and "did not come from this site" in r.text
    assert client.get("/dashboard", follow_redirects=False).status_code == 303


def test_pages_render_for_a_viewer_and_actions_need_an_operator(
    users: World, client: TestClient
) -> None:
    assert login(client, "auditor") == 303
    iid = users.incident_id
    for path in (
        "/dashboard",
        f"/dashboard/incidents/{iid}",
        f"/dashboard/incidents/{iid}/findings",
        "/dashboard/register",
        "/dashboard/audit",
    ):
        r = client.get(path)
        assert r.status_code == 200, path
        assert not re.search(r"<script(?![^>]*\bsrc=)", r.text), path
    token = csrf_of(client, "/dashboard")
    with users.store.session() as s:
        fid = s.scalar(select(IncidentFinding.finding_id).limit(1))
    r = client.post(
        f"/dashboard/incidents/{iid}/findings/{fid}/retract",
        data={"csrf": token, "reason": "viewer tries"},
    )
    assert r.status_code == 403


def test_incident_page_clock_obligations_and_progress(users: World, client: TestClient) -> None:
    login(client, "dpo")
    iid = users.incident_id
    page = client.get(f"/dashboard/incidents/{iid}")
    assert 'data-due="2026-11-24T15:00:00+00:00"' in page.text  # the deadline the law set
    assert "Landesdatenschutzbehörde" in page.text and "Information Commissioner" in page.text
    assert "/static/dashboard.js" in page.text
    assert "GDPR" in page.text or "Art. 33" in page.text  # citations shown
    got = client.get(f"/dashboard/api/incidents/{iid}/progress").json()
    assert got["pending"] == 5 and got["sent"] == 0 and got["total"] == 5
    users.mark_sent(["de1", "fr1"])
    got = client.get(f"/dashboard/api/incidents/{iid}/progress").json()
    assert got["sent"] == 2 and got["pending"] == 3


def test_charts_are_svg_and_png(users: World, client: TestClient) -> None:
    login(client, "auditor")
    iid = users.incident_id
    svg = client.get(f"/dashboard/incidents/{iid}/chart/by-country.svg")
    assert svg.status_code == 200 and svg.headers["content-type"] == "image/svg+xml"
    assert b"<svg" in svg.content and b"DE" in svg.content
    png = client.get(f"/dashboard/incidents/{iid}/chart/over-time.png")
    assert png.content.startswith(b"\x89PNG")
    assert client.get(f"/dashboard/incidents/{iid}/chart/x.svg").status_code == 404


def test_obligation_status_and_retraction_call_the_library(
    users: World, client: TestClient
) -> None:
    login(client, "dpo")
    iid = users.incident_id
    token = csrf_of(client, f"/dashboard/incidents/{iid}")
    with users.store.session() as s:
        ico = s.scalars(select(ObligationRow).where(ObligationRow.recipient.like("%ICO%"))).one()
        gb1_finding = s.scalar(
            select(Finding.id)
            .join(IncidentFinding, IncidentFinding.finding_id == Finding.id)
            .where(Finding.viewer == "fr1")
        )
    r = client.post(
        f"/dashboard/incidents/{iid}/obligations/{ico.id}",
        data={"csrf": token, "status": "done", "reason": "reported by phone"},
    )
    assert r.status_code == 200  # followed the redirect back to the incident
    with users.store.session() as s:
        assert s.get(ObligationRow, ico.id).status == "done"  # type: ignore[union-attr]
    bad = client.post(
        f"/dashboard/incidents/{iid}/obligations/{ico.id}",
        data={"csrf": token, "status": "not-required", "reason": ""},
    )
    assert bad.status_code == 422 and "needs --reason" in bad.text
    r = client.post(
        f"/dashboard/incidents/{iid}/findings/{gb1_finding}/retract",
        data={"csrf": token, "reason": "fr1 was signed in as gb1's spouse on a shared device"},
    )
    assert r.status_code == 200
    with users.store.session() as s:
        f = s.get(Finding, gb1_finding)
        assert f is not None and f.retracted_by == "dpo"
    progress = client.get(f"/dashboard/api/incidents/{iid}/progress").json()
    assert progress["pending"] == 4  # gb1's unsent notice was withdrawn
    acts = [(e.action, e.actor) for e in entries(users.store)]
    assert ("obligation.status", "dpo") in acts
    assert any(a.startswith("finding") and who == "dpo" for a, who in acts)
    assert verify(users.store).ok


def test_register_csv_and_audit_verification(users: World, client: TestClient) -> None:
    login(client, "dpo")
    token = csrf_of(client, "/dashboard/register")
    csv = client.post("/dashboard/register.csv", data={"csrf": token})
    assert csv.status_code == 200 and csv.text.startswith("incident,title,status")
    assert "DE 2" in csv.text
    assert client.post("/dashboard/register.csv", data={}).status_code == 403
    audit = client.get("/dashboard/audit")
    assert "Chain verified" in audit.text and "register.export" in audit.text
    with users.store.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2")
    assert "Chain BROKEN" in client.get("/dashboard/audit").text


def test_report_downloads(users: World, client: TestClient) -> None:
    from breachdesk.reports.generate import generate_report

    generate_report(
        users.store,
        users.settings,
        users.incident_id,
        "ICO",
        phase="initial",
        formats=["md"],
        out_dir=users.settings.workspace / "reports",
        actor="dpo",
    )
    login(client, "auditor")
    page = client.get(f"/dashboard/incidents/{users.incident_id}")
    link = re.search(r'href="(/dashboard/incidents/\d+/reports/\d+)\.pdf"', page.text)
    assert link
    md = client.get(link.group(1) + ".md")
    assert md.status_code == 200 and "attachment" in md.headers["content-disposition"]
    pdf = client.get(link.group(1) + ".pdf")
    assert pdf.content.startswith(b"%PDF")
    assert any(e.action == "report.download" for e in entries(users.store))
