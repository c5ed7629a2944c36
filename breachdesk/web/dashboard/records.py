"""The breach register (page and audited CSV export) and the audit log with its check."""

from __future__ import annotations

import io
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from breachdesk.incident.register import COLUMNS, export_register, register_rows
from breachdesk.store.audit import entries, verify
from breachdesk.web.deps import Operator, Services, acting_operator, operator, services
from breachdesk.web.sessions import checked_form
from breachdesk.web.templating import render

router = APIRouter(prefix="/dashboard", include_in_schema=False)
Svc = Annotated[Services, Depends(services)]
Op = Annotated[Operator, Depends(operator)]
AUDIT_ROWS = 200


@router.get("/register")
async def register_page(request: Request, svc: Svc, op: Op) -> Response:
    rows = await run_in_threadpool(lambda: list(register_rows(svc.store)))
    return render(request, "dashboard/register.html", rows=rows, columns=COLUMNS)


@router.post("/register.csv")
async def register_csv(
    request: Request, svc: Svc, op: Annotated[Operator, Depends(acting_operator)]
) -> Response:
    await checked_form(request)

    def work() -> str:
        buf = io.StringIO()
        export_register(svc.store, buf, op.username, "dashboard download")
        return buf.getvalue()

    body = await run_in_threadpool(work)
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="breach-register.csv"'},
    )


@router.get("/audit")
async def audit_page(request: Request, svc: Svc, op: Op) -> Response:
    def work() -> dict[str, Any]:
        return {"report": verify(svc.store), "entries": entries(svc.store, limit=AUDIT_ROWS)}

    ctx = await run_in_threadpool(work)
    return render(request, "dashboard/audit.html", **ctx)
