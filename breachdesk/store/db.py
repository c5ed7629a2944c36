"""The store: an engine and a session factory, injected into whatever needs them.

``Store.open(url)`` works for SQLite (the default) and PostgreSQL (psycopg 3).
``Store.migrate()`` runs the Alembic migrations shipped in the package.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Engine, Table, create_engine, event, inspect
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from breachdesk.errors import StoreError
from breachdesk.store.models.base import Base

MIGRATIONS = Path(__file__).parent / "migrations"


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` URLs and pin them to psycopg 3."""
    for prefix in ("postgresql://", "postgres://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


class Store:
    """Owns one engine. Pass it to library functions; never keep it in a global."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(cls, url: str) -> Store:
        url = normalise_url(url)
        try:
            engine = create_engine(url, future=True, pool_pre_ping=True)
        except Exception as exc:  # bad URL text, missing driver
            raise StoreError(f"cannot open store {url!r}: {exc}") from None
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        return cls(engine)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on error."""
        with self.sessions() as session:
            try:
                yield session
                session.commit()
            except Exception:
                session.rollback()
                raise

    def migrate(self) -> None:
        """Bring the schema to the newest revision of every branch."""
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        try:
            with self.engine.begin() as conn:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "heads")
        except OperationalError as exc:
            raise StoreError(f"cannot reach the store: {exc.orig}") from None

    def is_migrated(self) -> bool:
        return "customers" in inspect(self.engine).get_table_names()

    def upsert(
        self,
        session: Session,
        model: type[Base],
        rows: Sequence[dict[str, Any]],
        key: Sequence[str],
        update: Sequence[str] | None = None,
    ) -> None:
        """Insert rows, or update ``update`` columns (default: all but the key) on conflict."""
        if not rows:
            return
        table = cast(Table, model.__table__)
        ins = pg_insert(table) if self.dialect == "postgresql" else sqlite_insert(table)
        cols = update if update is not None else [c for c in rows[0] if c not in key]
        if cols:
            stmt = ins.on_conflict_do_update(
                index_elements=list(key), set_={c: ins.excluded[c] for c in cols}
            )
        else:
            stmt = ins.on_conflict_do_nothing(index_elements=list(key))
        session.execute(stmt, list(rows))

    def dispose(self) -> None:
        self.engine.dispose()
