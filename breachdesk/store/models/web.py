"""Tables of the web app: operator accounts, the portal's request queue, one-time
codes, breach-record codes, rate-limit counters and the Pwned Passwords hashes.

Nothing here holds a plaintext address: a "was I affected?" request is sealed
(encrypted with a key derived from the workspace key) until the worker opens it,
and one-time codes are stored as keyed hashes of (address, code).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from breachdesk.store.models.base import Base, UTCDateTime, utcnow


class WebUser(Base):
    __tablename__ = "web_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16))
    disabled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PortalRequest(Base):
    """A queued "was I affected?" look-up: the sealed address and the page language."""

    __tablename__ = "portal_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    locale: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PortalCode(Base):
    """A one-time code mailed to an affected address; single-use, expires."""

    __tablename__ = "portal_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_pk: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    message_id: Mapped[str] = mapped_column(String(255), default="")


class RecordCode(Base):
    """The verification code printed on a customer's breach-record PDF."""

    __tablename__ = "record_codes"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    customer_pk: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    entity: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RateHit(Base):
    """Fixed-window counters of the store-backed rate limiter (key = keyed hash)."""

    __tablename__ = "rate_hits"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    window: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    hits: Mapped[int] = mapped_column(Integer, default=0)


class PasswordHash(Base):
    """One leaked password hash (SHA-1 or NTLM) split as the range API serves it."""

    __tablename__ = "password_hashes"
    __table_args__ = (Index("ix_password_hashes_range", "mode", "prefix"),)

    mode: Mapped[str] = mapped_column(String(5), primary_key=True)  # sha1 | ntlm
    prefix: Mapped[str] = mapped_column(String(5), primary_key=True)
    suffix: Mapped[str] = mapped_column(String(35), primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
