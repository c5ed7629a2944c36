"""findings review: retraction with who, when and why

Revision ID: 0005_findings_review
Revises: 0002_incidents
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from breachdesk.store.models.base import UTCDateTime

revision: str = "0005_findings_review"
down_revision: str | Sequence[str] | None = "0002_incidents"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("findings") as batch:
        batch.add_column(sa.Column("retracted_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("retracted_by", sa.String(128), nullable=True))
        batch.add_column(sa.Column("retracted_reason", sa.Text(), nullable=True))
    op.create_index("ix_findings_retracted_at", "findings", ["retracted_at"])


def downgrade() -> None:
    op.drop_index("ix_findings_retracted_at", table_name="findings")
    with op.batch_alter_table("findings") as batch:
        batch.drop_column("retracted_reason")
        batch.drop_column("retracted_by")
        batch.drop_column("retracted_at")
