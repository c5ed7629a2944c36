"""Findings review: the findings an incident holds, and retracting one with a reason.

A retraction runs what ``breachdesk findings retract`` runs: ``retract_findings``,
then the obligations of each incident touched are refreshed and the notices not
yet sent to customers no longer affected are withdrawn. All of it is audited.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from breachdesk.detect.review import retract_findings
from breachdesk.errors import UsageError
from breachdesk.incident.obligations import refresh_obligations
from breachdesk.notify.withdraw import withdraw_unaffected
from breachdesk.store.models import Customer, Finding
from breachdesk.store.models.incidents import IncidentFinding
from breachdesk.web.dashboard.incidents import _incident
from breachdesk.web.deps import Operator, Services, acting_operator, operator, services
from breachdesk.web.sessions import checked_form
from breachdesk.web.templating import render

router = APIRouter(prefix="/dashboard", include_in_schema=False)
Svc = Annotated[Services, Depends(services)]
PAGE = 100


def incident_findings(svc: Services, incident_id: int, page: int) -> dict[str, Any]:
    with svc.store.session() as s:
        total = s.scalar(
            select(func.count())
            .select_from(IncidentFinding)
            .where(IncidentFinding.incident_id == incident_id)
        )
        rows = s.execute(
            select(Finding, Customer.customer_id)
            .join(IncidentFinding, IncidentFinding.finding_id == Finding.id)
            .join(Customer, Customer.id == Finding.customer_pk)
            .where(IncidentFinding.incident_id == incident_id)
            .order_by(Finding.id)
            .offset(page * PAGE)
            .limit(PAGE)
        ).all()
    return {"total": int(total or 0), "rows": rows, "page": page, "per_page": PAGE}


@router.get("/incidents/{incident_id}/findings")
async def findings(
    request: Request,
    incident_id: int,
    svc: Svc,
    op: Annotated[Operator, Depends(operator)],
    page: int = 0,
) -> Response:
    def work() -> dict[str, Any]:
        inc = _incident(svc, incident_id)
        return {"inc": inc, **incident_findings(svc, incident_id, max(0, page))}

    ctx = await run_in_threadpool(work)
    return render(request, "dashboard/findings.html", **ctx)


def retract_and_follow(svc: Services, finding_id: int, reason: str, actor: str) -> list[int]:
    """Retract, then refresh obligations and withdraw unsent notices, as the CLI does."""
    result = retract_findings(svc.store, [finding_id], reason, actor)
    for incident_id in result.incidents:
        refresh_obligations(svc.store, svc.settings, incident_id, actor)
        withdraw_unaffected(svc.store, incident_id, actor, f"finding retracted: {reason.strip()}")
    return result.incidents


@router.post("/incidents/{incident_id}/findings/{finding_id}/retract")
async def retract(
    request: Request,
    incident_id: int,
    finding_id: int,
    svc: Svc,
    op: Annotated[Operator, Depends(acting_operator)],
) -> Response:
    form = await checked_form(request)
    reason = str(form.get("reason", ""))[:2000]
    try:
        await run_in_threadpool(retract_and_follow, svc, finding_id, reason, op.username)
    except UsageError as exc:
        raise HTTPException(422, str(exc)) from None
    return RedirectResponse(f"/dashboard/incidents/{incident_id}/findings", status_code=303)
