""" "Was I affected?": the same answer for everyone, the real one through the mailbox.

The request handler only seals the typed address and queues it
(``queue_lookup``): the same work whether or not the address is a customer's.
``process_requests`` (a worker, outside any response) opens each request; when the
address belongs to an affected customer it issues a one-time code and mails it
from the entity holding the account, DKIM-signed. Codes are stored as keyed hashes
of (address, code), expire, and ``redeem`` uses each one at most once.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import timedelta

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import delete, exists, select, update

from breachdesk.registry.normalize import NormaliseError, normalise_email
from breachdesk.store import Store
from breachdesk.store.audit import record
from breachdesk.store.models import Customer, Finding
from breachdesk.store.models.base import utcnow
from breachdesk.store.models.incidents import IncidentCustomer, IncidentFinding
from breachdesk.store.models.web import PortalCode, PortalRequest
from breachdesk.web.keys import fernet_key, keyed

log = logging.getLogger("breachdesk.web.portal")
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
ACTOR = "portal"


class BadAddress(ValueError):
    """The typed text is not an email address (said the same way for everyone)."""


def clean_address(text: str) -> str:
    if len(text) > 320:
        raise BadAddress("too long")
    try:
        return normalise_email(text)
    except NormaliseError as exc:
        raise BadAddress(str(exc)) from None


def queue_lookup(store: Store, key: bytes, address: str, locale: str) -> None:
    """Seal the normalised address and queue it; identical work for every address."""
    sealed = Fernet(fernet_key(key, "portal-request")).encrypt(address.encode("utf-8"))
    with store.session() as s:
        s.add(PortalRequest(sealed=sealed, locale=locale[:8], created_at=utcnow()))


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def normalise_code(text: str) -> str:
    raw = "".join(ch for ch in text.upper() if ch.isalnum())
    return f"{raw[:4]}-{raw[4:]}" if len(raw) == 8 else raw


def code_hash(key: bytes, address: str, code: str) -> str:
    return keyed(key, "portal-code", f"{address}\x00{normalise_code(code)}")


def affected_customer(store: Store, address: str) -> tuple[int, str] | None:
    """(customer pk, customer id) of an affected customer with this address, else None."""
    in_finding = exists().where(
        Finding.customer_pk == Customer.id, IncidentFinding.finding_id == Finding.id
    )
    on_list = exists().where(IncidentCustomer.customer_pk == Customer.id)
    with store.session() as s:
        row = s.execute(
            select(Customer.id, Customer.customer_id)
            .where(Customer.email_norm == address, in_finding | on_list)
            .order_by(Customer.id)
            .limit(1)
        ).first()
    return (int(row[0]), str(row[1])) if row else None


@dataclass(frozen=True)
class CodeMail:
    customer_pk: int
    address: str
    code: str
    locale: str
    minutes: int


def issue_code(store: Store, key: bytes, customer_pk: int, address: str, minutes: int) -> str:
    code = new_code()
    now = utcnow()
    with store.session() as s:
        s.add(
            PortalCode(
                customer_pk=customer_pk,
                code_hash=code_hash(key, address, code),
                created_at=now,
                expires_at=now + timedelta(minutes=minutes),
            )
        )
        record(s, ACTOR, "portal.code.issue", f"customer:{customer_pk}", {"minutes": minutes})
    return code


def process_requests(
    store: Store,
    key: bytes,
    send: Callable[[CodeMail], None],
    minutes: int = 15,
    limit: int = 200,
    writes: AbstractContextManager[object] | None = None,
) -> int:
    """Open queued requests; mail a code to each affected address. Returns codes sent.

    ``writes`` (a lock, on SQLite) is held around each write, never during SMTP."""
    writes = writes or nullcontext()
    with writes, store.session() as s:
        rows = list(s.scalars(select(PortalRequest).order_by(PortalRequest.id).limit(limit)))
        if rows:
            s.execute(delete(PortalRequest).where(PortalRequest.id.in_([r.id for r in rows])))
    box = Fernet(fernet_key(key, "portal-request"))
    sent = 0
    for row in rows:
        try:
            address = box.decrypt(row.sealed).decode("utf-8")
        except InvalidToken:
            log.warning("portal request %d could not be opened (key changed?); dropped", row.id)
            continue
        who = affected_customer(store, address)
        if who is None:
            continue
        with writes:
            code = issue_code(store, key, who[0], address, minutes)
        try:
            send(CodeMail(who[0], address, code, row.locale, minutes))
            sent += 1
        except Exception as exc:  # one failed mail must not stop the others
            log.warning("portal code mail for customer %d failed: %s", who[0], type(exc).__name__)
    return sent


def redeem(store: Store, key: bytes, address: str, code: str) -> int | None:
    """The customer pk when (address, code) is a live, unused code; it is used up now."""
    now = utcnow()
    digest = code_hash(key, address, code)
    with store.session() as s:
        pk = s.scalar(
            update(PortalCode)
            .where(
                PortalCode.code_hash == digest,
                PortalCode.used_at.is_(None),
                PortalCode.expires_at > now,
            )
            .values(used_at=now)
            .returning(PortalCode.customer_pk)
        )
        if pk is not None:
            record(s, ACTOR, "portal.code.redeem", f"customer:{pk}", {})
    return int(pk) if pk is not None else None
