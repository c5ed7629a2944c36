"""web app: operator accounts, portal queue and codes, rate limits, password hashes

Revision ID: 0009_web
Revises: 0004_outbox
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from breachdesk.store.models.base import UTCDateTime

revision: str = "0009_web"
down_revision: str | Sequence[str] | None = "0004_outbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "web_users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.String(256), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_web_users"),
        sa.UniqueConstraint("username", name="uq_web_users_username"),
    )
    op.create_table(
        "portal_requests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.Column("locale", sa.String(8), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_portal_requests"),
    )
    op.create_table(
        "portal_codes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("customer_pk", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        sa.Column("message_id", sa.String(255), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_portal_codes"),
        sa.ForeignKeyConstraint(
            ["customer_pk"], ["customers.id"], name="fk_portal_codes_customer_pk_customers"
        ),
        sa.UniqueConstraint("code_hash", name="uq_portal_codes_code_hash"),
    )
    op.create_index("ix_portal_codes_customer_pk", "portal_codes", ["customer_pk"])
    op.create_table(
        "record_codes",
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("customer_pk", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(64), nullable=False),
        sa.Column("issued_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_record_codes"),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name="fk_record_codes_incident_id_incidents"
        ),
        sa.ForeignKeyConstraint(
            ["customer_pk"], ["customers.id"], name="fk_record_codes_customer_pk_customers"
        ),
    )
    op.create_index("ix_record_codes_incident_id", "record_codes", ["incident_id"])
    op.create_index("ix_record_codes_customer_pk", "record_codes", ["customer_pk"])
    op.create_table(
        "rate_hits",
        sa.Column("key", sa.String(80), nullable=False),
        sa.Column("window", sa.BigInteger(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", "window", name="pk_rate_hits"),
    )
    op.create_table(
        "password_hashes",
        sa.Column("mode", sa.String(5), nullable=False),
        sa.Column("prefix", sa.String(5), nullable=False),
        sa.Column("suffix", sa.String(35), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("mode", "prefix", "suffix", name="pk_password_hashes"),
    )
    op.create_index("ix_password_hashes_range", "password_hashes", ["mode", "prefix"])


def downgrade() -> None:
    op.drop_index("ix_password_hashes_range", table_name="password_hashes")
    op.drop_table("password_hashes")
    op.drop_table("rate_hits")
    op.drop_index("ix_record_codes_customer_pk", table_name="record_codes")
    op.drop_index("ix_record_codes_incident_id", table_name="record_codes")
    op.drop_table("record_codes")
    op.drop_index("ix_portal_codes_customer_pk", table_name="portal_codes")
    op.drop_table("portal_codes")
    op.drop_table("portal_requests")
    op.drop_table("web_users")
