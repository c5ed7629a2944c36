"""Alembic environment: runs on the connection that ``Store.migrate`` hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from breachdesk.store.models import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        url = config.get_main_option("sqlalchemy.url")
        if not url:
            raise RuntimeError("no connection and no sqlalchemy.url for migrations")
        with create_engine(url).begin() as conn:
            context.configure(
                connection=conn, target_metadata=target_metadata, render_as_batch=True
            )
            context.run_migrations()
        return
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    context.run_migrations()


run()
