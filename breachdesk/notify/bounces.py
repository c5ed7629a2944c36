"""Ingest bounces: DSN messages (RFC 3464) from an mbox file or a Maildir folder.

A DSN whose ``Action`` is ``failed`` (or whose status is 5.x.x) marks the outbox
row it refers to as ``bounced``, found by the original Message-ID (from the
returned message or its headers). Delayed (4.x.x) reports are counted, not
applied. Reports that match no row are counted as unmatched, never dropped
silently.
"""

from __future__ import annotations

import mailbox
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path

from sqlalchemy import update

from breachdesk.errors import InputError
from breachdesk.store import Store
from breachdesk.store.models.base import utcnow
from breachdesk.store.models.outbox import OutboxRow

_MID = re.compile(r"^Message-ID:\s*(<[^>\s]+>)", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class Bounce:
    message_id: str
    status: str
    action: str
    diagnostic: str

    @property
    def permanent(self) -> bool:
        return self.action == "failed" or self.status.startswith("5")


@dataclass
class BounceResult:
    messages: int = 0
    not_dsn: int = 0
    bounced: int = 0
    delayed: int = 0
    unmatched: int = 0
    unmatched_ids: list[str] = field(default_factory=list)


def _open(path: Path) -> mailbox.Mailbox:
    if path.is_dir():
        if not (path / "cur").is_dir() and not (path / "new").is_dir():
            raise InputError(str(path), "a folder that is not a Maildir (no cur/ or new/)")
        return mailbox.Maildir(str(path), create=False)
    if path.is_file():
        return mailbox.mbox(str(path), create=False)
    raise InputError(str(path), "not found")


def parse_dsn(msg: Message) -> Bounce | None:
    """The bounce a DSN reports, or None when the message is not a delivery report."""
    if msg.get_content_type() != "multipart/report":
        return None
    if str(msg.get_param("report-type") or "").lower() != "delivery-status":
        return None
    status = action = diagnostic = mid = ""
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype == "message/delivery-status":
            payload = part.get_payload()
            blocks = payload if isinstance(payload, list) else []
            for block in blocks:
                if not isinstance(block, Message):
                    continue
                action = action or str(block.get("Action", "")).strip().lower()
                status = status or str(block.get("Status", "")).strip()
                diagnostic = diagnostic or str(block.get("Diagnostic-Code", "")).strip()
        elif ctype in ("message/rfc822", "text/rfc822-headers") and not mid:
            mid = _message_id(part)
    if not mid:
        return None
    return Bounce(mid, status, action, diagnostic)


def _message_id(part: Message) -> str:
    payload = part.get_payload()
    if isinstance(payload, list) and payload:
        inner = payload[0]
        if isinstance(inner, Message):
            return str(inner.get("Message-ID", "")).strip()
    text = part.get_payload(decode=True) or b""
    found = _MID.search(text.decode("utf-8", "replace") if isinstance(text, bytes) else "")
    return found.group(1) if found else ""


def _messages(box: mailbox.Mailbox) -> Iterator[Message]:
    for key in box.iterkeys():
        yield box.get_message(key)


def ingest(store: Store, path: Path) -> BounceResult:
    """Mark the outbox rows that DSNs in ``path`` report as permanently undeliverable."""
    result = BounceResult()
    box = _open(path)
    try:
        for msg in _messages(box):
            result.messages += 1
            bounce = parse_dsn(msg)
            if bounce is None:
                result.not_dsn += 1
                continue
            if not bounce.permanent:
                result.delayed += 1
                continue
            with store.session() as s:
                res = s.execute(
                    update(OutboxRow)
                    .where(OutboxRow.message_id == bounce.message_id)
                    .values(
                        state="bounced",
                        bounced_at=utcnow(),
                        last_reply=f"DSN {bounce.status} {bounce.diagnostic}"[:500],
                        updated_at=utcnow(),
                    )
                )
                hit = int(getattr(res, "rowcount", 0) or 0)
            if hit:
                result.bounced += 1
            else:
                result.unmatched += 1
                result.unmatched_ids.append(bounce.message_id)
    finally:
        box.close()
    return result
