"""per-locale operator texts and a "not exposed" list on incidents; reports per entity

Revision ID: 0008_notice_texts
Revises: 0004_outbox
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_notice_texts"
down_revision: str | Sequence[str] | None = "0004_outbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.add_column(sa.Column("texts", sa.JSON(), nullable=False, server_default="{}"))
        batch.add_column(sa.Column("not_exposed", sa.JSON(), nullable=False, server_default="[]"))
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("entity", sa.String(64), nullable=False, server_default=""))
        batch.drop_constraint("uq_reports_incident_id", type_="unique")
        batch.create_unique_constraint(
            "uq_reports_incident_id", ["incident_id", "recipient", "entity", "number"]
        )


def downgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.drop_constraint("uq_reports_incident_id", type_="unique")
        batch.create_unique_constraint(
            "uq_reports_incident_id", ["incident_id", "recipient", "number"]
        )
        batch.drop_column("entity")
    with op.batch_alter_table("incidents") as batch:
        batch.drop_column("not_exposed")
        batch.drop_column("texts")
