"""The notification outbox: one durable row per (incident, customer, channel).

A row moves ``pending`` -> ``sending`` (under a lease, committed BEFORE the SMTP
transaction) -> ``sent`` (after the server's 250, with its queue id). A ``4xx``
puts it back to ``pending`` with ``next_attempt_at``; a ``5xx`` makes it
``failed``; a DSN makes it ``bounced``. ``held`` rows never go out and carry the
reason (no valid address, unknown locale or entity). ``withdrawn`` rows were not yet
sent when their customer stopped being affected (a finding retracted or detached).
The Message-ID is fixed when the row is created, so every resend of a row carries
the same one.

``lease_gen`` is the fencing token: every claim increments it, and an outcome is
written only ``WHERE lease_gen`` still equals the value the sender claimed, so a
sender whose lease was taken over can no longer record anything for the row.
``attempts`` counts SMTP transactions (a claim is not an attempt).

``context`` is the per-customer notice context (fields, dates, counts, shaping);
it holds no name or address: those are read from ``customers`` at send time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from breachdesk.store.models.base import Base, UTCDateTime, utcnow

STATES = ("pending", "sending", "sent", "failed", "bounced", "held", "withdrawn")


class OutboxRow(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("incident_id", "customer_pk", "channel", name="uq_outbox_incident_id"),
        Index("ix_outbox_claim", "incident_id", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    customer_pk: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    channel: Mapped[str] = mapped_column(String(16), default="email")
    entity: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), default="pending")
    reason: Mapped[str] = mapped_column(Text, default="")
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    verification: Mapped[str] = mapped_column(String(32), index=True)
    context: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_gen: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    worker: Mapped[str | None] = mapped_column(String(64), nullable=True)
    queue_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    last_reply: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    bounced_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
