"""Jinja templates of the web app (``templates/``), rendered with the request's
language, CSRF token and user; autoescaped everywhere."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from breachdesk.web.i18n import Translator, choose, languages
from breachdesk.web.portal.localise import when
from breachdesk.web.sessions import csrf_token

TEMPLATES = Path(__file__).parent / "templates"


@cache
def environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@cache
def _territories(lang: str) -> dict[str, str]:
    try:
        return dict(Locale.parse(lang).territories)
    except (ValueError, UnknownLocaleError):
        return {}


def country_name(code: str, lang: str) -> str:
    """``DE`` (or ``DE-BY``) as the reader's language names the country."""
    alpha2 = code.split("-")[0].upper()
    return _territories(lang).get(alpha2, code)


def language(request: Request) -> str:
    return choose(request.session.get("lang"), request.headers.get("accept-language", ""))


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    lang = language(request)
    base = {
        "lang": lang,
        "languages": languages(),
        "t": Translator(lang),
        "csrf": csrf_token(request),
        "user": request.session.get("user"),
        "role": request.session.get("role"),
        "path": request.url.path,
        "country": lambda code: country_name(code, lang),
        "when": lambda dt: when(dt, lang),
    }
    html = environment().get_template(name).render(**base, **context)
    return HTMLResponse(html, status_code=status_code)
