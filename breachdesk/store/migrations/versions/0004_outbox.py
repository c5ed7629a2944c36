"""notification outbox

Revision ID: 0004_outbox
Revises: 0002_incidents
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from breachdesk.store.models.base import UTCDateTime

revision: str = "0004_outbox"
down_revision: str | Sequence[str] | None = "0002_incidents"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("customer_pk", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("entity", sa.String(64), nullable=False),
        sa.Column("locale", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("message_id", sa.String(255), nullable=False),
        sa.Column("verification", sa.String(32), nullable=False),
        sa.Column("context", sa.JSON(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_until", UTCDateTime(), nullable=True),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("worker", sa.String(64), nullable=True),
        sa.Column("queue_id", sa.String(255), nullable=True),
        sa.Column("last_reply", sa.Text(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("bounced_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name="fk_outbox_incident_id_incidents"
        ),
        sa.ForeignKeyConstraint(
            ["customer_pk"], ["customers.id"], name="fk_outbox_customer_pk_customers"
        ),
        sa.UniqueConstraint("incident_id", "customer_pk", "channel", name="uq_outbox_incident_id"),
        sa.UniqueConstraint("message_id", name="uq_outbox_message_id"),
    )
    op.create_index("ix_outbox_claim", "outbox", ["incident_id", "state", "next_attempt_at"])
    op.create_index("ix_outbox_verification", "outbox", ["verification"])


def downgrade() -> None:
    op.drop_index("ix_outbox_verification", table_name="outbox")
    op.drop_index("ix_outbox_claim", table_name="outbox")
    op.drop_table("outbox")
