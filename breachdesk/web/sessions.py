"""Signed cookie sessions and CSRF tokens, as a pure ASGI middleware.

The session is a small dict signed with itsdangerous (a key derived from the
workspace key) and sent back only when it changed. The cookie is HttpOnly,
SameSite=Lax, and Secure whenever the request came over TLS. Every session holds a
random CSRF token; every POST form carries it and ``check_csrf`` compares them.
"""

from __future__ import annotations

import hmac
import json
import secrets
from http.cookies import SimpleCookie
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE = "bd_session"
MAX_AGE = 8 * 3600


class Sessions:
    def __init__(self, app: ASGIApp, secret: bytes, max_age: int = MAX_AGE) -> None:
        self.app = app
        self.signer = URLSafeTimedSerializer(secret, salt="bd-session")
        self.max_age = max_age

    def _load(self, scope: Scope) -> dict[str, Any]:
        for name, value in scope.get("headers", []):
            if name == b"cookie":
                jar: SimpleCookie = SimpleCookie()
                try:
                    jar.load(value.decode("latin-1"))
                except Exception:  # a malformed cookie header is treated as no cookie
                    return {}
                morsel = jar.get(COOKIE)
                if morsel is None:
                    continue
                try:
                    data = self.signer.loads(morsel.value, max_age=self.max_age)
                except BadSignature:
                    return {}
                return dict(data) if isinstance(data, dict) else {}
        return {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        session = self._load(scope)
        before = json.dumps(session, sort_keys=True)
        scope["session"] = session

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                now = json.dumps(scope["session"], sort_keys=True)
                if now != before:
                    message.setdefault("headers", [])
                    message["headers"].append((b"set-cookie", self._cookie(scope).encode()))
            await send(message)

        await self.app(scope, receive, wrapped)

    def _cookie(self, scope: Scope) -> str:
        session = scope["session"]
        secure = "; Secure" if scope.get("scheme") == "https" else ""
        if not session:
            return f"{COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{secure}"
        value = self.signer.dumps(session)
        return f"{COOKIE}={value}; Path=/; Max-Age={self.max_age}; HttpOnly; SameSite=Lax{secure}"


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(24)
        request.session["csrf"] = token
    return token


async def checked_form(request: Request) -> FormData:
    """The POSTed form, after its CSRF token was compared with the session's (403 if not)."""
    form = await request.form()
    sent = form.get("csrf")
    want = request.session.get("csrf")
    if not isinstance(sent, str) or not isinstance(want, str):
        raise HTTPException(403, "The form expired or did not come from this site; reload it.")
    if not hmac.compare_digest(sent.encode(), want.encode()):
        raise HTTPException(403, "The form expired or did not come from this site; reload it.")
    return form
