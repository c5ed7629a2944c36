"""Build the MIME message of one notice (text + HTML, no attachments) and DKIM-sign it."""

from __future__ import annotations

from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

import dkim

from breachdesk.notify.dkim_keys import DkimKey
from breachdesk.notify.render import Rendered
from breachdesk.registry.entities import Entity
from breachdesk.store.models.base import utcnow

SIGNED_HEADERS = [
    b"from",
    b"to",
    b"subject",
    b"date",
    b"message-id",
    b"mime-version",
    b"content-type",
]


def build(
    rendered: Rendered,
    entity: Entity,
    to_email: str,
    to_name: str,
    message_id: str,
    locale: str,
) -> EmailMessage:
    msg = EmailMessage(policy=SMTP)
    local, _, domain = entity.sender.partition("@")
    msg["From"] = Address(entity.legal_name, local, domain)
    msg["To"] = Address(to_name, addr_spec=to_email)
    msg["Subject"] = rendered.subject
    msg["Date"] = format_datetime(utcnow())
    msg["Message-ID"] = message_id
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(rendered.text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(rendered.html, subtype="html", charset="utf-8", cte="quoted-printable")
    msg["Content-Language"] = locale  # after add_alternative, which moves Content-* headers
    return msg


def sign(raw: bytes, key: DkimKey) -> bytes:
    """Prepend a DKIM-Signature (rsa-sha256, relaxed/simple) made with the entity's key."""
    header = dkim.sign(
        raw,
        key.selector.encode(),
        key.domain.encode(),
        key.private_pem,
        include_headers=SIGNED_HEADERS,
        canonicalize=(b"relaxed", b"simple"),
    )
    return bytes(header) + raw


def verify(raw: bytes, txt_records: dict[str, str]) -> bool:
    """Check the DKIM signature offline against ``{"sel._domainkey.domain.": "v=DKIM1; ..."}``."""

    def dnsfunc(name: bytes | str, timeout: int = 5) -> bytes | None:
        text = name.decode() if isinstance(name, bytes) else name
        if not text.endswith("."):
            text += "."
        rec = txt_records.get(text)
        return rec.encode() if rec else None

    try:
        return bool(dkim.verify(raw, dnsfunc=dnsfunc))
    except dkim.DKIMException:
        return False
