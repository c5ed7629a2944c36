"""Storage beneath every stage: SQLAlchemy 2 models and Alembic migrations."""

from breachdesk.store.db import Store

__all__ = ["Store"]
