"""password hashes: when each was last added to (the range API's Last-Modified)

Revision ID: 0010_password_updated
Revises: 0009_web
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from breachdesk.store.models.base import UTCDateTime

revision: str = "0010_password_updated"
down_revision: str | Sequence[str] | None = "0009_web"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("password_hashes") as batch:
        batch.add_column(sa.Column("updated_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("password_hashes") as batch:
        batch.drop_column("updated_at")
