"""The hash-chained audit log: who did what, when, to which subject.

``record(session, actor, action, subject, details)`` appends one entry inside the
caller's transaction, so the entry lands exactly when the change it describes
does. Each entry's hash is sha256 over the canonical JSON of
``[seq, ts, actor, action, subject, details, prev_hash]``; the first entry's
``prev_hash`` is 64 zeros. ``verify(store)`` walks the chain and reports every
edited, deleted or reordered entry; the head row catches deletion of the newest
entries. This is tamper-evidence, not tamper-proofing: anyone who can rewrite
the whole table can recompute the chain, so copy ``head`` somewhere else (a
ticket, an email) when it matters.

Details must never carry raw personal data: ids, counts and field names only.
An email address in ``details`` is refused.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from breachdesk.store.db import Store
from breachdesk.store.models.audit import AuditEntry, AuditHead
from breachdesk.store.models.base import utcnow

if TYPE_CHECKING:
    from breachdesk.settings import Settings

GENESIS = "0" * 64
_EMAIL = re.compile(r"[^\s@\"'<>]+@[^\s@\"'<>]+\.[A-Za-z]{2,}")

__all__ = [
    "GENESIS",
    "AuditEntry",
    "AuditProblem",
    "AuditReport",
    "append",
    "default_actor",
    "entries",
    "record",
    "verify",
]


def default_actor(cfg: Settings | None = None) -> str:
    """The actor to record: ``BREACHDESK_ACTOR`` if set, else the OS user name."""
    actor = cfg.actor if cfg is not None else None
    if actor:
        return actor
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        return "unknown"


def canonical(value: Any) -> str:
    """The one JSON spelling that is hashed: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _ts(ts: datetime) -> str:
    return ts.isoformat(timespec="microseconds")


def entry_hash(
    seq: int,
    ts: datetime,
    actor: str,
    action: str,
    subject: str,
    details: dict[str, Any],
    prev_hash: str,
) -> str:
    payload = canonical([seq, _ts(ts), actor, action, subject, details, prev_hash])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _check_details(details: dict[str, Any]) -> dict[str, Any]:
    try:
        text_form = canonical(details)
    except TypeError as exc:
        raise ValueError(f"audit details must be JSON: {exc}") from None
    if _EMAIL.search(text_form):
        raise ValueError("audit details must not contain an email address (raw PII)")
    # Store exactly what was hashed (tuples become lists, etc.).
    loaded: dict[str, Any] = json.loads(text_form)
    return loaded


def _lock(session: Session) -> None:
    """Serialise appenders so two writers never take the same seq.

    PostgreSQL: an exclusive table lock until commit. SQLite: a no-op write takes the
    database write lock before the chain is read, so a second writer waits (busy
    timeout) instead of reading the same head."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE audit_head IN EXCLUSIVE MODE"))
    else:
        session.execute(text("UPDATE audit_head SET seq = seq WHERE id = 1"))


def record(
    session: Session, actor: str, action: str, subject: str, details: dict[str, Any]
) -> AuditEntry:
    """Append one entry to the chain in the caller's transaction and return it."""
    clean = _check_details(details)
    _lock(session)
    head = session.get(AuditHead, 1)
    last = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).first()
    seq = (last.seq if last else 0) + 1
    prev = last.hash if last else GENESIS
    ts = utcnow()
    digest = entry_hash(seq, ts, actor, action, subject, clean, prev)
    entry = AuditEntry(
        seq=seq,
        ts=ts,
        actor=actor,
        action=action,
        subject=subject,
        details=clean,
        prev_hash=prev,
        hash=digest,
    )
    session.add(entry)
    if head is None:
        session.add(AuditHead(id=1, seq=seq, hash=digest))
    else:
        head.seq, head.hash = seq, digest
    session.flush()
    return entry


def append(store: Store, actor: str, action: str, subject: str, details: dict[str, Any]) -> None:
    """Append one entry in its own transaction (for a change made outside a session)."""
    with store.session() as session:
        record(session, actor, action, subject, details)


@dataclass(frozen=True)
class AuditProblem:
    seq: int
    kind: str  # edited | missing | reordered | head
    reason: str

    def line(self) -> str:
        return f"audit entry {self.seq}: {self.kind}: {self.reason}"


@dataclass
class AuditReport:
    entries: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    problems: list[AuditProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def entries(store: Store, subject: str | None = None, limit: int | None = None) -> list[AuditEntry]:
    """Entries newest first, optionally for one subject (e.g. ``incident:3``)."""
    stmt = select(AuditEntry).order_by(AuditEntry.seq.desc())
    if subject:
        stmt = stmt.where(AuditEntry.subject == subject)
    if limit:
        stmt = stmt.limit(limit)
    with store.session() as session:
        return list(session.scalars(stmt))


def _walk(session: Session) -> Iterator[AuditEntry]:
    yield from session.scalars(
        select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=2000)
    )


def verify(store: Store) -> AuditReport:
    """Recompute every hash and link; report each entry that was edited, deleted or moved."""
    report = AuditReport()
    with store.session() as session:
        expected_seq, prev = 1, GENESIS
        for e in _walk(session):
            report.entries += 1
            if e.seq != expected_seq:
                report.problems.append(
                    AuditProblem(
                        expected_seq,
                        "missing",
                        f"entries {expected_seq}..{e.seq - 1} are gone (deleted)",
                    )
                )
            elif e.prev_hash != prev:
                report.problems.append(
                    AuditProblem(e.seq, "reordered", "prev_hash does not match the entry before it")
                )
            digest = entry_hash(e.seq, e.ts, e.actor, e.action, e.subject, e.details, e.prev_hash)
            if digest != e.hash:
                report.problems.append(
                    AuditProblem(e.seq, "edited", "content does not match its hash")
                )
            expected_seq, prev = e.seq + 1, e.hash
        head = session.get(AuditHead, 1)
        if head is not None:
            report.head_seq, report.head_hash = head.seq, head.hash
            if head.seq != expected_seq - 1 or head.hash != prev:
                report.problems.append(
                    AuditProblem(
                        head.seq,
                        "head",
                        f"the head names entry {head.seq} but the chain ends at "
                        f"{expected_seq - 1}: newest entries deleted or replaced",
                    )
                )
        elif report.entries:
            report.problems.append(AuditProblem(0, "head", "head row is missing"))
    return report
