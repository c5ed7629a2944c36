"""What routes get injected: the app's store, settings, key, entities and limiter,
and the signed-in operator. All live on ``app.state`` set by ``create_app``."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field

from starlette.exceptions import HTTPException
from starlette.requests import Request

from breachdesk.registry.entities import Entity
from breachdesk.settings import Settings
from breachdesk.store import Store
from breachdesk.web.ratelimit import Limiter


@dataclass
class Services:
    settings: Settings
    store: Store
    key: bytes
    entities: dict[str, Entity]
    limiter: Limiter
    writes: AbstractContextManager[object] = field(default_factory=nullcontext)


def services(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


@dataclass(frozen=True)
class Operator:
    username: str
    role: str

    @property
    def can_act(self) -> bool:
        return self.role == "operator"


class LoginRequired(Exception):
    """Raised for a page that needs a login; the app redirects to the login page."""


def operator(request: Request) -> Operator:
    user, role = request.session.get("user"), request.session.get("role")
    if not isinstance(user, str) or not isinstance(role, str):
        raise LoginRequired()
    return Operator(user, role)


def acting_operator(request: Request) -> Operator:
    op = operator(request)
    if not op.can_act:
        raise HTTPException(403, "viewers cannot change anything; ask an operator")
    return op
