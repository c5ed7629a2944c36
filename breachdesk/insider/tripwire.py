"""The tripwire: an SMTP server that hears the moment someone mails a canary.

It accepts mail only for canary addresses in the exports register (by their
keyed hash); every other recipient is refused with 550. Each message to a canary
raises an ``Alert``: the canary, its export and exporter, the envelope sender,
HELO name, client IP, subject, headers and time. The alert is stored, handed to
``on_alert`` (the CLI prints it), POSTed to the configured webhook and mailed to
the configured address.

Nothing a sender does stops the server or suppresses an alert: messages over the
size cap get 552 (and still raise an alert, without headers); a canary recipient
of a message whose declared ``SIZE`` is over the cap raises its alert at RCPT,
before the 552; a message whose headers cannot be parsed is stored with its raw
header lines and a problem note; a failing webhook or relay is recorded on the alert.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import Message
from email.policy import compat32
from typing import Any

import aiosmtplib
import httpx
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy import select

from breachdesk.registry.canary import email_hash_hex
from breachdesk.registry.keyed import KeyedHasher
from breachdesk.registry.normalize import NormaliseError, normalise_email
from breachdesk.store import Store
from breachdesk.store.models.base import utcnow
from breachdesk.store.models.exports import Export, ExportCanary, TripwireAlert

MAX_HEADERS = 100
MAX_HEADER_CHARS = 998
RELOAD_AFTER = 5.0
_SIZE_PARAM = re.compile(r"(?i)\s+SIZE=(\d{1,30})\b")


@dataclass
class TripwireConfig:
    host: str = "127.0.0.1"
    port: int = 2525
    max_bytes: int = 1024 * 1024
    webhook_url: str | None = None
    alert_to: str | None = None
    relay: str = "127.0.0.1:25"
    alert_from: str = "tripwire@localhost"


@dataclass
class Alert:
    canary: str
    export_id: int | None
    export_uid: str | None
    exporter: str | None
    recipient: str | None
    mail_from: str
    helo: str | None
    client_ip: str | None
    subject: str | None
    headers: list[list[str]]
    size: int
    received_at: str
    problems: list[str] = field(default_factory=list)
    delivery: dict[str, Any] = field(default_factory=dict)
    id: int | None = None


@dataclass(frozen=True)
class CanaryInfo:
    export_id: int
    uid: str
    exporter: str
    recipient: str


class CanaryBook:
    """Canary hash -> its export, reloaded when an unknown address at a canary domain arrives."""

    def __init__(self, store: Store, hasher: KeyedHasher) -> None:
        self.store, self.hasher = store, hasher
        self.by_hash: dict[str, CanaryInfo] = {}
        self.domains: frozenset[str] = frozenset()
        self._loaded = 0.0
        self.reload()

    def reload(self) -> None:
        stmt = select(
            ExportCanary.email_hash,
            ExportCanary.domain,
            Export.id,
            Export.uid,
            Export.exporter,
            Export.recipient,
        ).join(Export, Export.id == ExportCanary.export_id)
        with self.store.sessions() as session:
            rows = session.execute(stmt).all()
        self.by_hash = {h: CanaryInfo(i, u, e, r) for h, _, i, u, e, r in rows}
        self.domains = frozenset(d for _, d, *_ in rows)
        self._loaded = time.monotonic()

    def find(self, address: str) -> tuple[str, CanaryInfo] | None:
        try:
            norm = normalise_email(address)
        except NormaliseError:
            return None
        key = email_hash_hex(self.hasher, norm)
        info = self.by_hash.get(key)
        if info is None and time.monotonic() - self._loaded > RELOAD_AFTER:
            self.reload()
            info = self.by_hash.get(key)
        return (norm, info) if info is not None else None


def _header_text(value: Any) -> str:
    try:
        text = str(make_header(decode_header(str(value))))
    except Exception:  # HeaderParseError on =?utf-8?b?a?=, bad charsets, anything hostile
        text = str(value)
    return text.replace("\r", " ").replace("\n", " ")[:MAX_HEADER_CHARS]


def raw_headers(content: bytes) -> list[list[str]]:
    """The first header lines as sent (Latin-1, unfolded), for a message that will not parse."""
    head = re.split(rb"\r?\n\r?\n", content[: 256 * 1024], maxsplit=1)[0]
    out: list[list[str]] = []
    for line in re.split(rb"\r?\n(?![ \t])", head):
        name, sep, value = line.decode("latin-1").partition(":")
        if sep:
            flat = " ".join(value.split())
            out.append([name.strip()[:MAX_HEADER_CHARS], flat[:MAX_HEADER_CHARS]])
        if len(out) >= MAX_HEADERS:
            break
    return out


def _parse(content: bytes) -> tuple[str | None, list[list[str]], list[str]]:
    problems: list[str] = []
    try:
        msg: Message = message_from_bytes(content, policy=compat32)
        headers = [[k, _header_text(v)] for k, v in msg.items()[:MAX_HEADERS]]
        subject = msg.get("Subject")
        defects = [type(d).__name__ for d in msg.defects]
        subject_text = _header_text(subject) if subject is not None else None
    except Exception as exc:  # a hostile message must never stop the tripwire
        return None, raw_headers(content), [f"message could not be parsed: {type(exc).__name__}"]
    if defects:
        problems.append("malformed message: " + ", ".join(sorted(set(defects))))
    if not headers:
        problems.append("message has no headers")
    return subject_text, headers, problems


class TripwireHandler:
    def __init__(
        self,
        store: Store,
        book: CanaryBook,
        cfg: TripwireConfig,
        on_alert: Callable[[Alert], None] | None = None,
    ) -> None:
        self.store, self.book, self.cfg = store, book, cfg
        self.on_alert = on_alert
        self.alerts = 0

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.book.find(address) is None:
            return "550 5.1.1 Recipient address rejected: user unknown"
        declared = getattr(session, "breachdesk_declared_size", None)
        if declared is not None:  # refused for its size: the alert is raised now
            one = Envelope()
            one.mail_from = envelope.mail_from
            one.rcpt_tos = [address]
            reason = f"message refused at RCPT: declared SIZE {declared:,} over the cap"
            await self._raise(session, one, None, [], min(declared, 2**31 - 1), [reason])
            return "552 5.3.4 Message size exceeds fixed maximum message size"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        envelope.breachdesk_handled = True  # type: ignore[attr-defined]
        content = envelope.original_content or b""
        try:
            subject, headers, problems = _parse(content)
        except Exception as exc:  # never lose the alert to the parser
            subject, headers = None, raw_headers(content)
            problems = [f"message could not be parsed: {type(exc).__name__}"]
        await self._raise(session, envelope, subject, headers, len(content), problems)
        return "250 Message accepted for delivery"

    async def unfinished(self, session: Session, envelope: Envelope, reason: str) -> None:
        """DATA ended without the handler (over the size cap, line too long)."""
        await self._raise(session, envelope, None, [], 0, [reason])

    async def _raise(
        self,
        session: Session,
        envelope: Envelope,
        subject: str | None,
        headers: list[list[str]],
        size: int,
        problems: list[str],
    ) -> None:
        peer = session.peer
        client_ip = peer[0] if isinstance(peer, tuple) and peer else None
        for rcpt in envelope.rcpt_tos:
            found = self.book.find(rcpt)
            norm, info = found if found is not None else (rcpt, None)
            alert = Alert(
                canary=norm,
                export_id=info.export_id if info else None,
                export_uid=info.uid if info else None,
                exporter=info.exporter if info else None,
                recipient=info.recipient if info else None,
                mail_from=str(envelope.mail_from or ""),
                helo=session.host_name if isinstance(session.host_name, str) else None,
                client_ip=client_ip,
                subject=subject,
                headers=headers,
                size=size,
                received_at=utcnow().isoformat(timespec="seconds"),
                problems=list(problems),
            )
            alert.delivery = await self._deliver(alert)
            alert.id = await asyncio.to_thread(self._store, alert)
            self.alerts += 1
            if self.on_alert is not None:
                self.on_alert(alert)

    def _store(self, alert: Alert) -> int:
        with self.store.session() as session:
            row = TripwireAlert(
                received_at=datetime.fromisoformat(alert.received_at),
                canary=alert.canary,
                export_id=alert.export_id,
                exporter=alert.exporter,
                mail_from=alert.mail_from,
                helo=alert.helo,
                client_ip=alert.client_ip,
                subject=alert.subject,
                headers=alert.headers,
                size=alert.size,
                problems=alert.problems,
                delivery=alert.delivery,
            )
            session.add(row)
            session.flush()
            return row.id

    async def _deliver(self, alert: Alert) -> dict[str, Any]:
        out: dict[str, Any] = {}
        payload = {k: v for k, v in asdict(alert).items() if k not in ("delivery", "id")}
        if self.cfg.webhook_url:
            try:
                async with httpx.AsyncClient(timeout=5.0) as client:
                    resp = await client.post(self.cfg.webhook_url, json=payload)
                out["webhook"] = f"HTTP {resp.status_code}"
            except (httpx.HTTPError, httpx.InvalidURL, ValueError) as exc:
                out["webhook"] = f"failed: {type(exc).__name__}"
        if self.cfg.alert_to:
            host, _, port = self.cfg.relay.rpartition(":")
            try:
                await aiosmtplib.send(
                    _alert_mail(alert, self.cfg),
                    hostname=host or "127.0.0.1",
                    port=int(port or 25),
                    timeout=10,
                )
                out["email"] = "sent"
            except (aiosmtplib.SMTPException, OSError, ValueError) as exc:
                out["email"] = f"failed: {type(exc).__name__}"
        return out


def _alert_mail(alert: Alert, cfg: TripwireConfig) -> Message:
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["From"] = cfg.alert_from
    msg["To"] = cfg.alert_to or ""
    msg["Subject"] = f"breachdesk tripwire: canary of export {alert.export_uid} was mailed"
    lines = [f"{k}: {v}" for k, v in asdict(alert).items() if k not in ("headers", "delivery")]
    lines += ["", "headers:"] + [f"  {k}: {v}" for k, v in alert.headers]
    msg.set_content("\n".join(lines))
    return msg


class _TripwireSMTP(SMTP):
    async def smtp_MAIL(self, arg: str) -> None:
        """Accept MAIL with an oversized SIZE, remembering it, so RCPT can alert first."""
        if self.session is not None:
            self.session.breachdesk_declared_size = None  # type: ignore[attr-defined]
            m = _SIZE_PARAM.search(arg or "")
            if m is not None and self.data_size_limit and int(m.group(1)) > self.data_size_limit:
                self.session.breachdesk_declared_size = int(m.group(1))  # type: ignore[attr-defined]
                arg = arg[: m.start()] + arg[m.end() :]
        await super().smtp_MAIL(arg)

    async def smtp_DATA(self, arg: str) -> None:
        envelope = self.envelope
        await super().smtp_DATA(arg)
        handler = self.event_handler
        if (
            envelope is not None
            and self.envelope is not envelope  # DATA ran to its end (post-data state)
            and envelope.rcpt_tos
            and envelope.mail_from is not None
            and not getattr(envelope, "breachdesk_handled", False)
            and isinstance(handler, TripwireHandler)
            and self.session is not None
        ):
            envelope.breachdesk_handled = True  # type: ignore[attr-defined]
            await handler.unfinished(
                self.session, envelope, "message refused: over the size cap or a line too long"
            )


class TripwireController(Controller):
    def factory(self) -> SMTP:
        return _TripwireSMTP(self.handler, **self.SMTP_kwargs)


def start_tripwire(
    store: Store,
    hasher: KeyedHasher,
    cfg: TripwireConfig,
    on_alert: Callable[[Alert], None] | None = None,
) -> tuple[TripwireController, TripwireHandler]:
    """Start the server in its own thread; call ``controller.stop()`` to end it."""
    handler = TripwireHandler(store, CanaryBook(store, hasher), cfg, on_alert)
    controller = TripwireController(
        handler,
        hostname=cfg.host,
        port=cfg.port,
        data_size_limit=cfg.max_bytes,
        decode_data=False,
        enable_SMTPUTF8=True,  # canaries follow real addresses, non-ASCII ones included
        ident="breachdesk tripwire",
        ready_timeout=30.0,  # a busy machine can take seconds to start the loop
    )
    controller.start()
    return controller, handler
