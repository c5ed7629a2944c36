"""0002_incidents upgrades and downgrades cleanly on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect

from breachdesk.store import Store
from breachdesk.store.db import MIGRATIONS

MINE = {
    "audit_log",
    "audit_head",
    "incidents",
    "incident_findings",
    "incident_customers",
    "incident_status_changes",
    "risk_overrides",
    "obligations",
    "reports",
}


def _alembic(store: Store, fn: str, target: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        getattr(command, fn)(cfg, target)


def test_down_to_0001_and_back(store: Store) -> None:
    assert set(inspect(store.engine).get_table_names()) >= MINE
    _alembic(store, "downgrade", "0001_registry_findings")
    assert not MINE & set(inspect(store.engine).get_table_names())
    _alembic(store, "upgrade", "heads")
    assert set(inspect(store.engine).get_table_names()) >= MINE
