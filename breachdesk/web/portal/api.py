"""The portal's JSON API (described by the OpenAPI schema at ``/api/openapi.json``):
the same two look-ups as the pages, with the same limits and the same floor."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from breachdesk.web.deps import Services, services
from breachdesk.web.portal.guard import check, floored
from breachdesk.web.portal.lookup import BadAddress, clean_address, queue_lookup
from breachdesk.web.portal.verify import check_code

router = APIRouter(prefix="/api/v1", tags=["portal"])
Svc = Annotated[Services, Depends(services)]
SENT = "If this address is affected, we have sent it a message."


class CodeIn(BaseModel):
    code: str = Field(min_length=1, max_length=64, description="The code printed on a notice")


class CodeOut(BaseModel):
    genuine: bool
    kind: str | None
    entity: str | None
    website: str | None
    date: str | None
    data_categories: list[str]
    regulators_informed: list[str]


class LookupIn(BaseModel):
    email: str = Field(min_length=3, max_length=320, pattern=r"^[^@]+@[^@]+$")
    language: str = Field(default="en", pattern="^[a-z]{2}$")


class LookupOut(BaseModel):
    message: str


class Problem(BaseModel):
    detail: str


@router.post("/verify", response_model=CodeOut, responses={429: {"model": Problem}})
async def verify_code(body: CodeIn, request: Request, svc: Svc) -> JSONResponse:
    """Is a notice (or a breach record) with this code genuine? Never names the recipient."""

    def work() -> JSONResponse:
        check(svc, request)
        out = CodeOut(**check_code(svc.store, svc.key, svc.entities, body.code).to_json())
        return JSONResponse(out.model_dump())  # serialised inside the floor as well

    return await floored(svc, work)


@router.post(
    "/lookup", response_model=LookupOut, status_code=202, responses={429: {"model": Problem}}
)
async def lookup(body: LookupIn, request: Request, svc: Svc) -> LookupOut:
    """Was this address affected? The answer goes to the mailbox; this reply is the same for
    all (an address no registry could hold is simply never affected)."""

    def work() -> None:
        try:
            address = clean_address(body.email)
        except BadAddress:
            address = ""
        check(svc, request, address or body.email.casefold())
        if address:
            with svc.writes:
                queue_lookup(svc.store, svc.key, address, body.language)

    await floored(svc, work)
    return LookupOut(message=SENT)
