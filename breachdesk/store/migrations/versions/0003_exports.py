"""exports register, canaries, tripwire alerts, attributions

Revision ID: 0003_exports
Revises: 0001_registry_findings
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from breachdesk.store.models.base import UTCDateTime

revision: str = "0003_exports"
down_revision: str | Sequence[str] | None = "0001_registry_findings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "exports",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("uid", sa.String(32), nullable=False),
        sa.Column("recipient", sa.String(256), nullable=False),
        sa.Column("exporter", sa.String(128), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("columns", sa.JSON(), nullable=False),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("out_path", sa.Text(), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("canaries", sa.Integer(), nullable=False),
        sa.Column("countries", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("member_hashes", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_exports"),
        sa.UniqueConstraint("uid", name="uq_exports_uid"),
    )
    op.create_index("ix_exports_exporter", "exports", ["exporter"])
    op.create_index("ix_exports_created_at", "exports", ["created_at"])

    op.create_table(
        "export_canaries",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("export_id", sa.Integer(), nullable=False),
        sa.Column("email_hash", sa.String(16), nullable=False),
        sa.Column("domain", sa.String(253), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_export_canaries"),
        sa.ForeignKeyConstraint(
            ["export_id"], ["exports.id"], name="fk_export_canaries_export_id_exports"
        ),
        sa.UniqueConstraint("email_hash", name="uq_export_canaries_email_hash"),
    )
    op.create_index("ix_export_canaries_export_id", "export_canaries", ["export_id"])
    op.create_index("ix_export_canaries_domain", "export_canaries", ["domain"])

    op.create_table(
        "tripwire_alerts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("canary", sa.String(320), nullable=False),
        sa.Column("export_id", sa.Integer(), nullable=True),
        sa.Column("exporter", sa.String(128), nullable=True),
        sa.Column("mail_from", sa.Text(), nullable=False),
        sa.Column("helo", sa.Text(), nullable=True),
        sa.Column("client_ip", sa.String(64), nullable=True),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("delivery", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_tripwire_alerts"),
        sa.ForeignKeyConstraint(
            ["export_id"], ["exports.id"], name="fk_tripwire_alerts_export_id_exports"
        ),
    )
    op.create_index("ix_tripwire_alerts_received_at", "tripwire_alerts", ["received_at"])
    op.create_index("ix_tripwire_alerts_export_id", "tripwire_alerts", ["export_id"])

    op.create_table(
        "attributions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("paths", sa.JSON(), nullable=False),
        sa.Column("matched", sa.Integer(), nullable=False),
        sa.Column("cause", sa.String(16), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_attributions"),
    )


def downgrade() -> None:
    op.drop_table("attributions")
    op.drop_table("tripwire_alerts")
    op.drop_table("export_canaries")
    op.drop_table("exports")
