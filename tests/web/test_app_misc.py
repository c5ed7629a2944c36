"""Catalogs, the lazy CLI, the JSON API, the migration, and ``serve`` wiring."""

from __future__ import annotations

import subprocess
import sys

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect
from starlette.testclient import TestClient

from breachdesk.cli.main import run
from breachdesk.store import Store
from breachdesk.store.db import MIGRATIONS
from breachdesk.web.i18n import Translator, catalogs, parse_accept_language
from tests.web.builders import World

TABLES = {
    "web_users",
    "portal_requests",
    "portal_codes",
    "record_codes",
    "rate_hits",
    "password_hashes",
}


def test_every_catalog_has_every_key() -> None:
    cats = catalogs()
    assert {"en", "de", "fr"} <= set(cats)
    keys = set(cats["en"].messages)
    for lang, cat in cats.items():
        assert set(cat.messages) == keys, lang
        for key, text in cat.messages.items():
            assert "http" not in text and "www." not in text, (lang, key)
    assert Translator("de")("mail.subject", entity="X") == "Ihr Einmalcode von X"


def test_accept_language_parsing() -> None:
    assert parse_accept_language("fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5") == [
        "fr",
        "fr",
        "en",
        "de",
    ]
    assert parse_accept_language("de;q=0, en") == ["en"]
    assert parse_accept_language("xx;q=abc, ,;") == []


def test_cli_help_does_not_import_the_web_stack() -> None:
    code = (
        "import sys, breachdesk.cli.main as m; "
        "print(any(k.split('.')[0] in ('fastapi', 'uvicorn', 'argon2') for k in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    assert run(["serve", "--help"]) == 0
    assert run(["passwords", "import", "--help"]) == 0


def test_json_api_answers(world: World, client: TestClient) -> None:
    world.mark_sent(["fr1"])
    ok = client.post("/api/v1/verify", json={"code": world.notice_code("fr1")})
    assert ok.status_code == 200
    body = ok.json()
    assert body["genuine"] is True and body["entity"] == "Example Shop France SAS"
    assert body["data_categories"] == ["email", "phone"]
    assert "Dave" not in ok.text and "dave@" not in ok.text
    unknown = client.post("/api/v1/verify", json={"code": "nope"}).json()
    assert unknown["genuine"] is False and set(unknown) == set(body)
    a = client.post("/api/v1/lookup", json={"email": world.email("fr1")})
    b = client.post("/api/v1/lookup", json={"email": "who@example.org"})
    assert a.status_code == b.status_code == 202 and a.content == b.content
    assert client.post("/api/v1/lookup", json={"email": "no at sign"}).status_code == 422


def _alembic(store: Store, fn: str, target: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        getattr(command, fn)(cfg, target)


def test_migration_down_and_up(store: Store) -> None:
    assert set(inspect(store.engine).get_table_names()) >= TABLES
    _alembic(store, "downgrade", "0004_outbox")
    assert not TABLES & set(inspect(store.engine).get_table_names())
    _alembic(store, "upgrade", "heads")
    assert set(inspect(store.engine).get_table_names()) >= TABLES
