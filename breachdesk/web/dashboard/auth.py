"""Login and logout: argon2-checked, CSRF-checked, audited; the session is re-keyed."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from breachdesk.store.audit import record
from breachdesk.web.deps import Operator, Services, operator, services
from breachdesk.web.keys import keyed
from breachdesk.web.portal.guard import client_ip
from breachdesk.web.ratelimit import hit
from breachdesk.web.sessions import checked_form
from breachdesk.web.templating import render
from breachdesk.web.users import authenticate

router = APIRouter(prefix="/dashboard", include_in_schema=False)
Svc = Annotated[Services, Depends(services)]
LOGINS_PER_MINUTE = 10


@router.get("/login")
async def login_page(request: Request) -> Response:
    return render(request, "dashboard/login.html")


@router.post("/login")
async def login(request: Request, svc: Svc) -> Response:
    form = await checked_form(request)
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    ip_key = keyed(svc.key, "rl-login", client_ip(request))[:40]
    if not hit(svc.limiter, f"login:{ip_key}", LOGINS_PER_MINUTE, 60):
        return render(request, "dashboard/login.html", status_code=429, problem="dash.too_many")
    user = await run_in_threadpool(authenticate, svc.store, username, password)
    if user is None:
        return render(request, "dashboard/login.html", status_code=401, problem="dash.bad_login")
    lang = request.session.get("lang")
    request.session.clear()  # a fresh session (and CSRF token) after login
    if isinstance(lang, str):
        request.session["lang"] = lang
    request.session.update(user=user.username, role=user.role, csrf=secrets.token_urlsafe(24))
    return RedirectResponse("/dashboard", status_code=303)


@router.post("/logout")
async def logout(
    request: Request, svc: Svc, op: Annotated[Operator, Depends(operator)]
) -> Response:
    await checked_form(request)

    def work() -> None:
        with svc.store.session() as s:
            record(s, op.username, "web.logout", f"user:{op.username}", {})

    await run_in_threadpool(work)
    request.session.clear()
    return RedirectResponse("/dashboard/login", status_code=303)
