"""``create_app(settings, store)``: the one ASGI app with its three routers.

The services the routes need (store, settings, workspace key, entities, rate
limiter) are built here and handed to routes through ``deps``. The portal's
mail worker runs in the app's lifespan (``serve``); tests call it directly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import AbstractContextManager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from breachdesk.registry.entities import load_entities
from breachdesk.settings import Settings
from breachdesk.store import Store
from breachdesk.web.deps import LoginRequired, Services
from breachdesk.web.headers import SecurityHeaders
from breachdesk.web.keys import derive
from breachdesk.web.ratelimit import Limiter, limiter_for
from breachdesk.web.sessions import Sessions
from breachdesk.workspace import load_key

STATIC = Path(__file__).parent / "static"
log = logging.getLogger("breachdesk.web")


async def mail_worker(svc: Services, every: float = 0.5) -> None:
    """Open queued portal requests and mail codes, until cancelled."""
    from breachdesk.web.portal.lookup import process_requests
    from breachdesk.web.portal.mailer import CodeMailer

    mailer = CodeMailer(svc.store, svc.settings)
    while True:
        try:
            await run_in_threadpool(
                process_requests,
                svc.store,
                svc.key,
                mailer,
                svc.settings.portal_code_minutes,
                200,
                svc.writes,
            )
        except Exception as exc:  # keep serving; the rows stay queued for the next turn
            log.warning("portal mail worker: %s", type(exc).__name__)
        await asyncio.sleep(every)


def create_app(
    settings: Settings,
    store: Store,
    limiter: Limiter | None = None,
    run_worker: bool = False,
) -> FastAPI:
    key = load_key(settings)
    # SQLite takes one writer at a time and its busy handler sleeps; queue this process's
    # writers on a lock instead (PostgreSQL needs none).
    writes: AbstractContextManager[object] = (
        threading.Lock() if store.dialect == "sqlite" else contextlib.nullcontext()
    )
    svc = Services(
        settings=settings,
        store=store,
        key=key,
        entities=load_entities(settings.entities_path),
        limiter=limiter or limiter_for(store, settings.redis_url, writes),
        writes=writes,
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        task = asyncio.create_task(mail_worker(svc)) if run_worker else None
        yield
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    app = FastAPI(
        title="breachdesk",
        version="1",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.services = svc

    from breachdesk.web.dashboard.routes import router as dashboard_router
    from breachdesk.web.portal.api import router as portal_api
    from breachdesk.web.portal.routes import router as portal_router
    from breachdesk.web.range_api.routes import router as range_router

    app.include_router(portal_router)
    app.include_router(portal_api)
    app.include_router(dashboard_router)
    app.include_router(range_router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse("/dashboard/login", status_code=303)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        from breachdesk.web.templating import render

        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": exc.detail}, exc.status_code, headers=exc.headers)
        if request.url.path.startswith("/range/"):
            return PlainTextResponse(str(exc.detail), exc.status_code, headers=exc.headers)
        page = render(request, "error.html", status_code=exc.status_code, message=str(exc.detail))
        page.headers.update(exc.headers or {})
        return page

    app.add_middleware(Sessions, secret=derive(key, "session"))
    app.add_middleware(SecurityHeaders)
    return app
