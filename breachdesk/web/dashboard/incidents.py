"""Incident pages: the list with live deadline clocks, one incident's obligations,
charts, notification progress (polled as JSON) and report downloads."""

from __future__ import annotations

import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from breachdesk.errors import UsageError
from breachdesk.incident.charts import write_charts
from breachdesk.incident.lifecycle import get_incident, list_incidents, subject
from breachdesk.incident.obligations import current_rows, set_obligation_status
from breachdesk.incident.scope import compute_scope
from breachdesk.notify.queue import counts
from breachdesk.reports.generate import list_reports
from breachdesk.reports.pdf import write_pdf
from breachdesk.store.audit import record
from breachdesk.store.models.base import utcnow
from breachdesk.store.models.incidents import ObligationRow
from breachdesk.web.deps import Operator, Services, acting_operator, operator, services
from breachdesk.web.sessions import checked_form
from breachdesk.web.templating import render

router = APIRouter(prefix="/dashboard", include_in_schema=False)
Svc = Annotated[Services, Depends(services)]
Op = Annotated[Operator, Depends(operator)]
Actor = Annotated[Operator, Depends(acting_operator)]
PROGRESS_STATES = ("sent", "pending", "sending", "failed", "bounced", "held")
CHARTS = {"by-country", "over-time"}


def _incident(svc: Services, incident_id: int) -> Any:
    try:
        return get_incident(svc.store, incident_id)
    except UsageError:
        raise HTTPException(404, f"incident {incident_id}: no such incident") from None


@router.get("")
async def incidents(request: Request, svc: Svc, op: Op) -> Response:
    def work() -> list[tuple[Any, list[ObligationRow]]]:
        return [(i, current_rows(svc.store, i.id)) for i in list_incidents(svc.store)]

    rows = await run_in_threadpool(work)
    return render(request, "dashboard/incidents.html", rows=rows, now=utcnow())


def progress_counts(svc: Services, incident_id: int) -> dict[str, int]:
    got = counts(svc.store, incident_id)
    out = {k: int(got.get(k, 0)) for k in PROGRESS_STATES}
    out["total"] = sum(got.values())
    return out


@router.get("/incidents/{incident_id}")
async def incident(request: Request, incident_id: int, svc: Svc, op: Op) -> Response:
    def work() -> dict[str, Any]:
        inc = _incident(svc, incident_id)
        by_place: dict[str, list[ObligationRow]] = defaultdict(list)
        for row in current_rows(svc.store, incident_id):
            by_place[row.jurisdiction].append(row)
        return {
            "inc": inc,
            "by_place": dict(sorted(by_place.items())),
            "progress": progress_counts(svc, incident_id),
            "reports": list_reports(svc.store, incident_id),
        }

    ctx = await run_in_threadpool(work)
    return render(request, "dashboard/incident.html", now=utcnow(), **ctx)


@router.get("/api/incidents/{incident_id}/progress")
async def progress(incident_id: int, svc: Svc, op: Op) -> JSONResponse:
    got = await run_in_threadpool(progress_counts, svc, incident_id)
    return JSONResponse(got, headers={"Cache-Control": "no-store"})


@router.get("/incidents/{incident_id}/chart/{name}.{fmt}")
async def chart(incident_id: int, name: str, fmt: str, svc: Svc, op: Op) -> Response:
    if name not in CHARTS or fmt not in ("svg", "png"):
        raise HTTPException(404, "no such chart")

    def work() -> bytes:
        _incident(svc, incident_id)
        with tempfile.TemporaryDirectory() as tmp:
            files = write_charts(compute_scope(svc.store, incident_id), Path(tmp))
            path = {
                ("by-country", "svg"): files.by_country_svg,
                ("by-country", "png"): files.by_country_png,
                ("over-time", "svg"): files.over_time_svg,
                ("over-time", "png"): files.over_time_png,
            }[(name, fmt)]
            return path.read_bytes()

    body = await run_in_threadpool(work)
    return Response(body, media_type="image/svg+xml" if fmt == "svg" else "image/png")


@router.post("/incidents/{incident_id}/obligations/{obligation_id}")
async def obligation_status(
    request: Request, incident_id: int, obligation_id: int, svc: Svc, op: Actor
) -> Response:
    form = await checked_form(request)
    status, reason = str(form.get("status", "")), str(form.get("reason", ""))[:2000]
    try:
        await run_in_threadpool(
            set_obligation_status,
            svc.store,
            incident_id,
            str(obligation_id),
            status,
            op.username,
            reason,
        )
    except UsageError as exc:
        raise HTTPException(422, str(exc)) from None
    return RedirectResponse(f"/dashboard/incidents/{incident_id}", status_code=303)


@router.get("/incidents/{incident_id}/reports/{report_id}.{fmt}")
async def report_download(incident_id: int, report_id: int, fmt: str, svc: Svc, op: Op) -> Response:
    if fmt not in ("md", "pdf"):
        raise HTTPException(404, "reports download as md or pdf")

    def work() -> tuple[bytes, str]:
        found = [r for r in list_reports(svc.store, incident_id) if r.id == report_id]
        if not found:
            raise HTTPException(404, f"incident {incident_id}: no report {report_id}")
        rep = found[0]
        name = f"incident-{incident_id}-{rep.recipient}-{rep.number}.{fmt}"
        with svc.store.session() as s:
            record(
                s,
                op.username,
                "report.download",
                subject(incident_id),
                {"report": rep.id, "format": fmt},
            )
        if fmt == "md":
            return rep.markdown.encode("utf-8"), name
        with tempfile.TemporaryDirectory() as tmp:
            out = write_pdf(rep.markdown, name, Path(tmp) / "r.pdf", Path(tmp))
            return out.read_bytes(), name

    body, name = await run_in_threadpool(work)
    media = "text/markdown; charset=utf-8" if fmt == "md" else "application/pdf"
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
