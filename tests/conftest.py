"""Shared fixtures: a workspace with a secret key, and a store on SQLite and PostgreSQL.

The ``store`` fixture is parametrised: it always runs on a SQLite file, and also on
PostgreSQL when ``BREACHDESK_TEST_POSTGRES_URL`` is set. Each PostgreSQL test gets a
fresh database that is dropped afterwards, so tests never see each other's rows.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from breachdesk.settings import Settings
from breachdesk.store import Store
from breachdesk.store.db import normalise_url

PG_URL = os.environ.get("BREACHDESK_TEST_POSTGRES_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


@pytest.fixture
def pg_database() -> Iterator[str]:
    """A throwaway PostgreSQL database URL (skips when PostgreSQL is not configured)."""
    if not PG_URL:
        pytest.skip("BREACHDESK_TEST_POSTGRES_URL is not set")
    base = make_url(normalise_url(PG_URL))
    name = f"bd_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :n AND pid <> pg_backend_pid()"
                ),
                {"n": name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'breachdesk.db'}"
    else:
        yield request.getfixturevalue("pg_database")


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    s = Store.open(database_url)
    s.migrate()
    try:
        yield s
    finally:
        s.dispose()


@pytest.fixture
def settings(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings pointing at a fresh workspace (with its key) and the test store."""
    from breachdesk.workspace import init_workspace

    ws = tmp_path / "ws"
    monkeypatch.setenv("BREACHDESK_WORKSPACE", str(ws))
    monkeypatch.setenv("BREACHDESK_DATABASE_URL", database_url)
    cfg = Settings()
    init_workspace(cfg)
    return cfg
