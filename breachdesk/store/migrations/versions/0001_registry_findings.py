"""registry and findings

Revision ID: 0001_registry_findings
Revises:
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from breachdesk.store.models.base import UTCDateTime

revision: str = "0001_registry_findings"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "customers",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("customer_id", sa.String(128), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("email_norm", sa.String(320), nullable=False),
        sa.Column("full_name", sa.String(256), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("subdivision", sa.String(6), nullable=True),
        sa.Column("entity", sa.String(64), nullable=False),
        sa.Column("locale", sa.String(35), nullable=True),
        sa.Column("phone", sa.String(20), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_customers"),
    )
    op.create_index("ix_customers_customer_id", "customers", ["customer_id"], unique=True)
    op.create_index("ix_customers_email_norm", "customers", ["email_norm"])
    op.create_index("ix_customers_country", "customers", ["country"])
    op.create_index("ix_customers_entity", "customers", ["entity"])

    op.create_table(
        "scan_runs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("paths", sa.JSON(), nullable=False),
        sa.Column("bytes_read", sa.BigInteger(), nullable=False),
        sa.Column("records", sa.BigInteger(), nullable=False),
        sa.Column("findings_new", sa.Integer(), nullable=False),
        sa.Column("findings_seen", sa.Integer(), nullable=False),
        sa.Column("self_views", sa.BigInteger(), nullable=False),
        sa.Column("unknown_emails", sa.BigInteger(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_scan_runs"),
    )

    op.create_table(
        "findings",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("scan_id", sa.Integer(), nullable=False),
        sa.Column("customer_pk", sa.Integer(), nullable=False),
        sa.Column("fields", sa.String(64), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("locator", sa.String(128), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("seen_at", UTCDateTime(), nullable=True),
        sa.Column("viewer", sa.String(128), nullable=False),
        sa.Column("viewer_ip", sa.String(64), nullable=True),
        sa.Column("snippet", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.String(32), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_findings"),
        sa.ForeignKeyConstraint(
            ["scan_id"], ["scan_runs.id"], name="fk_findings_scan_id_scan_runs"
        ),
        sa.ForeignKeyConstraint(
            ["customer_pk"], ["customers.id"], name="fk_findings_customer_pk_customers"
        ),
        sa.UniqueConstraint("fingerprint", name="uq_findings_fingerprint"),
    )
    op.create_index("ix_findings_scan_id", "findings", ["scan_id"])
    op.create_index("ix_findings_customer_pk", "findings", ["customer_pk"])
    op.create_index("ix_findings_seen_at", "findings", ["seen_at"])
    op.create_index("ix_findings_viewer", "findings", ["viewer"])


def downgrade() -> None:
    op.drop_table("findings")
    op.drop_table("scan_runs")
    op.drop_table("customers")
