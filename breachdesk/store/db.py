"""The store: an engine and a session factory, injected into whatever needs them.

``Store.open(url)`` works for SQLite (the default) and PostgreSQL (psycopg 3).
``Store.migrate()`` runs the Alembic migrations shipped in the package; when the
database already stands at every head it returns without importing Alembic (a
CLI command starts faster). A SQLite file holds the plaintext registry, so it is
created 0600 (and a folder made for it 0700).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Engine, Table, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session, sessionmaker

from breachdesk.errors import StoreError
from breachdesk.store.models.base import Base

if TYPE_CHECKING:
    from sqlalchemy.dialects.postgresql import Insert as PgInsert
    from sqlalchemy.dialects.sqlite import Insert as SqliteInsert

MIGRATIONS = Path(__file__).parent / "migrations"
_REVISION = re.compile(r"^(down_)?revision\b[^=]*=\s*(.+)$", re.MULTILINE)
_QUOTED = re.compile(r"[\"']([^\"']+)[\"']")


def migration_heads(folder: Path = MIGRATIONS / "versions") -> set[str]:
    """The head revisions of the shipped migrations, read from the files' text."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for f in folder.glob("*.py"):
        for m in _REVISION.finditer(f.read_text("utf-8")):
            ids = set(_QUOTED.findall(m.group(2)))
            (parents if m.group(1) else revisions).update(ids)
    return revisions - parents


def _private_sqlite_file(url: str) -> None:
    """Create the SQLite file 0600 (its folder 0700) before SQLite creates it 0644."""
    try:
        database = make_url(url).database
    except Exception:  # the engine reports a bad URL with its own message
        return
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if path.exists():
        return
    try:
        if not path.parent.exists():
            path.parent.mkdir(mode=0o700, parents=True)
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    except OSError as exc:
        raise StoreError(f"cannot create the store file {path}: {exc.strerror}") from None


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
        if url.startswith("sqlite"):
            _private_sqlite_file(url)
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

    def is_current(self) -> bool:
        """True when the database stands at every shipped head (no Alembic import)."""
        try:
            with self.engine.connect() as conn:
                rows = conn.execute(text("SELECT version_num FROM alembic_version")).all()
        except (OperationalError, ProgrammingError):
            return False
        return {r[0] for r in rows} == migration_heads()

    def migrate(self) -> None:
        """Bring the schema to the newest revision of every branch."""
        if self.is_current():
            return
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
        ins: PgInsert | SqliteInsert
        # only the dialect in use: PostgreSQL's (with its asyncpg module) costs a SQLite
        # store about 35 ms, paid after a scan's workers have finished
        if self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            ins = pg_insert(table)
        else:
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert

            ins = sqlite_insert(table)
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
