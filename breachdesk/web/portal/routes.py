"""Portal pages: home, notice check, "was I affected?", code entry, own record, PDF."""

from __future__ import annotations

import re
import secrets
import time
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from breachdesk.web.deps import Services, services
from breachdesk.web.i18n import catalogs
from breachdesk.web.portal.guard import check, floored
from breachdesk.web.portal.lookup import BadAddress, clean_address, queue_lookup, redeem
from breachdesk.web.portal.record import customer_record
from breachdesk.web.portal.record_pdf import record_pdf
from breachdesk.web.portal.verify import check_code
from breachdesk.web.sessions import checked_form
from breachdesk.web.templating import language, render

router = APIRouter(tags=["portal"], include_in_schema=False)
Svc = Annotated[Services, Depends(services)]
RECORD_MINUTES = 30
_SAFE = re.compile(r"^/(?!/)[A-Za-z0-9/_.-]*$")  # a local path, never another site


@router.get("/")
async def home(
    request: Request,
    lang: str | None = None,
    next_page: Annotated[str, Query(alias="next", max_length=200)] = "/",
) -> Response:
    if lang is not None:
        if lang in catalogs():
            request.session["lang"] = lang
        return RedirectResponse(next_page if _SAFE.match(next_page) else "/", status_code=303)
    return render(request, "portal/home.html")


@router.post("/verify")
async def verify(request: Request, svc: Svc) -> Response:
    form = await checked_form(request)
    code = str(form.get("code", ""))[:64]

    def work() -> Response:
        check(svc, request)
        answer = check_code(svc.store, svc.key, svc.entities, code, language(request))
        # rendered inside the floor too: a genuine answer's page takes longer to draw
        return render(request, "portal/verify.html", answer=answer)

    return await floored(svc, work)


@router.post("/lookup")
async def lookup(request: Request, svc: Svc) -> Response:
    form = await checked_form(request)
    text = str(form.get("email", ""))
    lang = language(request)

    def work() -> str | None:
        try:
            address = clean_address(text)
        except BadAddress:
            check(svc, request)
            return "portal.bad_address"
        check(svc, request, address)
        with svc.writes:
            queue_lookup(svc.store, svc.key, address, lang)
        return None

    problem = await floored(svc, work)
    if problem:
        return render(request, "portal/home.html", status_code=422, problem=problem)
    return render(request, "portal/sent.html")


@router.post("/code")
async def code(request: Request, svc: Svc) -> Response:
    form = await checked_form(request)
    text, typed = str(form.get("email", "")), str(form.get("code", ""))[:32]

    def work() -> int | None:
        try:
            address = clean_address(text)
        except BadAddress:
            check(svc, request)
            return None
        check(svc, request, address)
        with svc.writes:
            return redeem(svc.store, svc.key, address, typed)

    pk = await floored(svc, work)
    if pk is None:
        return render(request, "portal/sent.html", status_code=422, problem="portal.bad_code")
    request.session["csrf"] = secrets.token_urlsafe(24)  # a new token for the signed-in page
    request.session["customer"] = pk
    request.session["customer_until"] = int(time.time()) + RECORD_MINUTES * 60
    return RedirectResponse("/record", status_code=303)


def _customer(request: Request) -> int | None:
    pk, until = request.session.get("customer"), request.session.get("customer_until")
    if not isinstance(pk, int) or not isinstance(until, int) or until < time.time():
        request.session.pop("customer", None)
        request.session.pop("customer_until", None)
        return None
    return pk


@router.get("/record")
async def record_page(request: Request, svc: Svc) -> Response:
    pk = _customer(request)
    if pk is None:
        return RedirectResponse("/", status_code=303)
    lang = language(request)
    person = await run_in_threadpool(customer_record, svc.store, pk, svc.entities, lang)
    return render(request, "portal/record.html", person=person)


@router.post("/record.pdf")
async def record_download(request: Request, svc: Svc) -> Response:
    await checked_form(request)
    pk = _customer(request)
    if pk is None:
        return RedirectResponse("/", status_code=303)
    lang = language(request)

    def work() -> bytes:
        person = customer_record(svc.store, pk, svc.entities, lang)
        return record_pdf(svc.store, svc.key, person, lang, "portal")

    pdf = await run_in_threadpool(work)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": 'attachment; filename="breach-record.pdf"'},
    )


@router.post("/leave")
async def leave(request: Request) -> Response:
    await checked_form(request)
    request.session.pop("customer", None)
    request.session.pop("customer_until", None)
    return RedirectResponse("/", status_code=303)
