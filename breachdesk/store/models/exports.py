"""The exports register, its canaries, tripwire alerts and attribution runs.

An export row says who sent what to whom, when and why. It keeps the keyed hashes
of its member customers (sorted 64-bit keyed email hashes, packed little-endian in
one binary column) so that a leaked list can be compared with it later; no
plaintext copy of any member is stored. Canaries are synthetic customers blended
into the extract; only their keyed address hashes and where they went are kept.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column

from breachdesk.store.models.base import Base, UTCDateTime, utcnow


class Export(Base):
    __tablename__ = "exports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True)
    recipient: Mapped[str] = mapped_column(String(256))
    exporter: Mapped[str] = mapped_column(String(128), index=True)
    purpose: Mapped[str] = mapped_column(Text)
    filters: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    columns: Mapped[list[str]] = mapped_column(JSON, default=list)
    format: Mapped[str] = mapped_column(String(16))
    out_path: Mapped[str] = mapped_column(Text)
    members: Mapped[int] = mapped_column(Integer, default=0)
    canaries: Mapped[int] = mapped_column(Integer, default=0)
    countries: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    member_hashes: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))


class ExportCanary(Base):
    __tablename__ = "export_canaries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    export_id: Mapped[int] = mapped_column(ForeignKey("exports.id"), index=True)
    email_hash: Mapped[str] = mapped_column(String(16), unique=True)
    domain: Mapped[str] = mapped_column(String(253), index=True)
    country: Mapped[str] = mapped_column(String(2))
    position: Mapped[int] = mapped_column(Integer)


class TripwireAlert(Base):
    __tablename__ = "tripwire_alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    canary: Mapped[str] = mapped_column(String(320))
    export_id: Mapped[int | None] = mapped_column(
        ForeignKey("exports.id"), nullable=True, index=True
    )
    exporter: Mapped[str | None] = mapped_column(String(128), nullable=True)
    mail_from: Mapped[str] = mapped_column(Text)
    helo: Mapped[str | None] = mapped_column(Text, nullable=True)
    client_ip: Mapped[str | None] = mapped_column(String(64), nullable=True)
    subject: Mapped[str | None] = mapped_column(Text, nullable=True)
    headers: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    size: Mapped[int] = mapped_column(Integer, default=0)
    problems: Mapped[list[str]] = mapped_column(JSON, default=list)
    delivery: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Attribution(Base):
    __tablename__ = "attributions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    paths: Mapped[list[str]] = mapped_column(JSON, default=list)
    matched: Mapped[int] = mapped_column(Integer, default=0)
    cause: Mapped[str] = mapped_column(String(16))
    incident_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
