"""Web test fixtures: the world (see ``builders``), DKIM keys made once, an app
client on the injected store, an SMTP sink, and the two rate-limit back ends."""

from __future__ import annotations

import re
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from breachdesk.notify.dkim_keys import public_keys
from breachdesk.notify.smtp_sink import SmtpSink
from breachdesk.registry.entities import load_entities
from breachdesk.settings import Settings
from breachdesk.store import Store
from breachdesk.web.ratelimit import Limiter, RedisLimiter, StoreLimiter
from tests.web.builders import World, build_world

REDIS_URL = "redis://127.0.0.1:6379/0"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def dkim_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from breachdesk.workspace import init_workspace

    cfg = Settings(workspace=tmp_path_factory.mktemp("web-dkim") / "ws")
    init_workspace(cfg)
    public_keys(cfg, load_entities(cfg.entities_path))
    return cfg.dkim_dir


@pytest.fixture
def world(store: Store, settings: Settings, tmp_path: Path, dkim_dir: Path) -> World:
    shutil.copytree(dkim_dir, settings.dkim_dir)
    return build_world(store, settings, tmp_path)


@pytest.fixture
def sink(world: World) -> Iterator[SmtpSink]:
    keys = public_keys(world.settings, load_entities(world.settings.entities_path))
    with SmtpSink(None, keys) as s:
        yield s


def web_settings(world: World, **overrides: Any) -> Settings:
    base: dict[str, Any] = {
        "portal_ip_per_minute": 100_000,
        "portal_address_per_hour": 100_000,
        "portal_floor_ms": 0.0,
    }
    base.update(overrides)
    return world.settings.model_copy(update=base)


def client_for(world: World, limiter: Limiter | None = None, **overrides: Any) -> TestClient:
    from breachdesk.web.app import create_app

    cfg = web_settings(world, **overrides)
    app = create_app(cfg, world.store, limiter=limiter or StoreLimiter(world.store))
    return TestClient(app, base_url="http://testserver")


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with client_for(world) as c:
        yield c


@pytest.fixture(params=["store", "redis"])
def limiter(request: pytest.FixtureRequest, world: World) -> Limiter:
    if request.param == "redis":
        if not redis_up():
            pytest.skip("Redis is not running on 127.0.0.1:6379")
        return RedisLimiter(REDIS_URL)
    return StoreLimiter(world.store)


def csrf_of(client: TestClient, path: str = "/") -> str:
    page = client.get(path)
    found = _CSRF.search(page.text)
    assert found, f"no CSRF field on {path}"
    return found.group(1)
