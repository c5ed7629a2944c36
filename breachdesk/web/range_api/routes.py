"""``GET /range/{5 hex}`` as Have I Been Pwned answers it.

Uppercase hex suffixes and counts as ``SUFFIX:COUNT``, joined by CRLF, with no
trailing line break and no BOM; ``?mode=ntlm`` for NTLM (any other mode means
SHA-1); ``Add-Padding: true`` adds 10-209 random suffixes with count 0; 400 for a
prefix that is not 5 hex characters; an empty range is padded as well (HIBP never
serves an empty one, and strict clients cannot parse it);
``Cache-Control: public, max-age=2678400``, ``Access-Control-Allow-Origin: *``,
``Last-Modified`` (when the range last changed) and an ETag (``If-None-Match`` gets
a 304).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC
from email.utils import format_datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from breachdesk.web.deps import Services, services
from breachdesk.web.range_api.store import read_range_dated

router = APIRouter(tags=["passwords"])
Svc = Annotated[Services, Depends(services)]
_PREFIX = re.compile(r"^[0-9A-Fa-f]{5}$")
CACHE = "public, max-age=2678400"
BAD_PREFIX = "The hash prefix was not in a valid format"
SUFFIX_LEN = {"sha1": 35, "ntlm": 27}


def padding(mode: str, taken: set[str]) -> list[str]:
    out: list[str] = []
    for _ in range(10 + secrets.randbelow(200)):
        s = secrets.token_hex(20).upper()[: SUFFIX_LEN[mode]]
        if s not in taken:
            out.append(f"{s}:0")
    return out


def body_for(rows: list[tuple[str, int]], mode: str, pad: bool) -> str:
    lines = [f"{s}:{n}" for s, n in rows]
    if pad:
        lines = sorted(lines + padding(mode, {s for s, _ in rows}))
    return "\r\n".join(lines)


@router.get(
    "/range/{prefix}",
    response_class=Response,
    responses={
        200: {"content": {"text/plain": {"schema": {"type": "string"}}}},
        400: {"content": {"text/plain": {"schema": {"type": "string"}}}},
    },
)
async def range_(
    prefix: Annotated[
        str,  # checked in the handler, so that a bad prefix gets HIBP's 400 (not a 422)
        Path(json_schema_extra={"pattern": "^[0-9A-Fa-f]{5}$"}, description="5 hex digits"),
    ],
    request: Request,
    svc: Svc,
    mode: str | None = None,
    add_padding: Annotated[str | None, Header(alias="Add-Padding")] = None,
) -> Response:
    """Suffixes and counts of the leaked-password hashes that start with ``prefix``."""
    cors = {"Access-Control-Allow-Origin": "*"}
    if not _PREFIX.match(prefix):
        return Response(BAD_PREFIX, 400, media_type="text/plain", headers=cors)
    kind = "ntlm" if mode == "ntlm" else "sha1"
    rows, changed = await run_in_threadpool(read_range_dated, svc.store, kind, prefix.upper())
    # An empty range is padded too: HIBP never answers one (every prefix holds hashes),
    # and a strict client (pwnedpasswords) fails on an empty body. Count-0 lines mean
    # "not found" to every client.
    pad = (add_padding or "").strip().lower() == "true" or not rows
    body = body_for(rows, kind, pad)
    etag = (
        '"'
        + hashlib.sha1(
            "\r\n".join(f"{s}:{n}" for s, n in rows).encode(), usedforsecurity=False
        ).hexdigest()
        + '"'
    )
    headers = {**cors, "Cache-Control": CACHE, "ETag": etag, "Vary": "Add-Padding"}
    if changed is not None:  # as HIBP: when the range last changed
        headers["Last-Modified"] = format_datetime(changed.astimezone(UTC), usegmt=True)
    if not pad and request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(body.encode("ascii"), media_type="text/plain", headers=headers)


@router.options("/range/{prefix}", include_in_schema=False)
async def range_options(prefix: str) -> Response:
    return Response(
        status_code=204,
        headers={
            "Access-Control-Allow-Origin": "*",
            "Access-Control-Allow-Methods": "GET, OPTIONS",
            "Access-Control-Allow-Headers": "Add-Padding",
            "Access-Control-Max-Age": "86400",
        },
    )
