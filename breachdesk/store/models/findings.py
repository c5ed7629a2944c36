"""Scan runs and the findings they produce.

A finding is one exposure of one customer in one record: which fields, where,
when, to whom, and a redacted snippet. ``fingerprint`` (a keyed hash of the
customer and the record's bytes) is unique, so re-scanning the same inputs adds
nothing.

A finding found wrong in review is *retracted*, never deleted: it keeps its row,
with who retracted it, when and why, and it leaves every incident that held it
(``breachdesk.detect.review``). The viewer is a customer id, ``public`` (an
anonymous request) or ``unknown`` (a capture scanned without a way to tell who
was signed in).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from breachdesk.store.models.base import Base, UTCDateTime, utcnow


class ScanRun(Base):
    __tablename__ = "scan_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    paths: Mapped[list[str]] = mapped_column(JSON, default=list)
    bytes_read: Mapped[int] = mapped_column(BigInteger, default=0)
    records: Mapped[int] = mapped_column(BigInteger, default=0)
    findings_new: Mapped[int] = mapped_column(Integer, default=0)
    findings_seen: Mapped[int] = mapped_column(Integer, default=0)
    self_views: Mapped[int] = mapped_column(BigInteger, default=0)
    unknown_emails: Mapped[int] = mapped_column(BigInteger, default=0)
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="running")


class Finding(Base):
    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scan_id: Mapped[int] = mapped_column(ForeignKey("scan_runs.id"), index=True)
    customer_pk: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    fields: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(Text)
    locator: Mapped[str] = mapped_column(String(128))
    url: Mapped[str | None] = mapped_column(Text, nullable=True)
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True, index=True)
    viewer: Mapped[str] = mapped_column(String(128), index=True)
    viewer_ip: Mapped[str | None] = mapped_column(String(64), nullable=True)
    snippet: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    retracted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True, index=True)
    retracted_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    retracted_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
