"""Attach evidence to an incident: findings (by scan, all unattached, by time window)
and affected-customer lists (CSV of customer ids or emails).

Emails in a list are normalised and matched by their keyed hash through the
registry's matching index, so the list is never compared in plaintext. Rows that
match nobody are reported with their row numbers; the matched rows still attach.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import ColumnElement, exists, func, insert, literal, select
from sqlalchemy.orm import Session

from breachdesk.errors import InputError, UsageError
from breachdesk.incident.fields import KNOWN_FIELDS
from breachdesk.incident.lifecycle import subject
from breachdesk.registry.index import MatchIndex
from breachdesk.registry.normalize import NormaliseError, normalise_email
from breachdesk.settings import Settings
from breachdesk.store import Store
from breachdesk.store.audit import record
from breachdesk.store.models import Customer, Finding, UTCDateTime
from breachdesk.store.models.base import utcnow
from breachdesk.store.models.incidents import Incident, IncidentCustomer, IncidentFinding
from breachdesk.workspace import hasher


@dataclass
class AttachResult:
    added: int = 0
    already: int = 0
    unmatched: list[tuple[int, str]] = field(default_factory=list)  # (row number, reason)


def _incident(s: Session, incident_id: int) -> Incident:
    inc = s.get(Incident, incident_id)
    if inc is None:
        raise UsageError(f"incident {incident_id}: no such incident")
    if inc.status == "closed":
        raise UsageError(f"incident {incident_id}: closed; reopen it before attaching")
    return inc


def _attach_findings(
    store: Store,
    incident_id: int,
    actor: str,
    how: dict[str, object],
    where: list[ColumnElement[bool]],
) -> AttachResult:
    result = AttachResult()
    where = [*where, Finding.retracted_at.is_(None)]  # a retracted finding is never evidence
    taken = exists().where(
        IncidentFinding.incident_id == incident_id, IncidentFinding.finding_id == Finding.id
    )
    matched = select(func.count()).select_from(Finding).where(*where)
    new = select(literal(incident_id), Finding.id, literal(utcnow(), UTCDateTime())).where(
        *where, ~taken
    )
    with store.session() as s:
        _incident(s, incident_id)
        total = s.scalar(matched) or 0
        ins = insert(IncidentFinding).from_select(["incident_id", "finding_id", "attached_at"], new)
        held = select(func.count()).where(IncidentFinding.incident_id == incident_id)
        before = s.scalar(held) or 0
        s.execute(ins)  # rowcount is unreliable for INSERT..SELECT on psycopg 3: count instead
        added = (s.scalar(held) or 0) - before
        result.added, result.already = added, total - added
        record(
            s,
            actor,
            "incident.attach",
            subject(incident_id),
            {**how, "added": result.added, "already": result.already},
        )
    return result


def attach_scan(store: Store, incident_id: int, scan_id: int, actor: str) -> AttachResult:
    """Attach every finding of one scan."""
    with store.session() as s:
        from breachdesk.store.models import ScanRun

        if s.get(ScanRun, scan_id) is None:
            raise UsageError(f"scan {scan_id}: no such scan (see `breachdesk findings`)")
    return _attach_findings(
        store, incident_id, actor, {"scan": scan_id}, [Finding.scan_id == scan_id]
    )


def attach_unattached(store: Store, incident_id: int, actor: str) -> AttachResult:
    """Attach every finding that no incident holds yet."""
    taken = exists().where(IncidentFinding.finding_id == Finding.id)
    return _attach_findings(store, incident_id, actor, {"unattached": True}, [~taken])


def attach_window(
    store: Store, incident_id: int, start: datetime, end: datetime, actor: str
) -> AttachResult:
    """Attach every finding seen within [start, end]."""
    if start > end:
        raise UsageError(f"window: start {start.isoformat()} is after end {end.isoformat()}")
    return _attach_findings(
        store,
        incident_id,
        actor,
        {"window": [start.isoformat(), end.isoformat()]},
        [Finding.seen_at >= start, Finding.seen_at <= end],
    )


def parse_fields(text: str, where: str) -> str:
    names = sorted({f.strip().lower() for f in text.split(",") if f.strip()})
    bad = [n for n in names if n not in KNOWN_FIELDS]
    if bad or not names:
        raise UsageError(
            f"{where}: fields {', '.join(bad) or '(none)'} not known; use {', '.join(KNOWN_FIELDS)}"
        )
    return ",".join(names)


def _read_list(path: Path) -> tuple[str, list[tuple[int, str, str | None]]]:
    """Return the key column (customer_id or email) and (row number, value, fields) rows."""
    try:
        fh = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(str(path), f"cannot read: {exc.strerror}") from None
    with fh:
        reader = csv.reader(fh)
        try:
            header = [h.strip().lower() for h in next(reader)]
        except StopIteration:
            raise InputError(str(path), "empty file; expected a header row") from None
        except UnicodeDecodeError:
            raise InputError(str(path), "not UTF-8 text; re-save as UTF-8") from None
        keys = [k for k in ("customer_id", "email") if k in header]
        if not keys:
            raise InputError(str(path), "row 1", "header needs a customer_id or an email column")
        key = keys[0]
        col = header.index(key)
        fcol = header.index("fields") if "fields" in header else None
        rows: list[tuple[int, str, str | None]] = []
        try:
            for n, row in enumerate(reader, start=2):
                if not any(c.strip() for c in row):
                    continue
                value = row[col].strip() if col < len(row) else ""
                fields = row[fcol].strip() if fcol is not None and fcol < len(row) else None
                rows.append((n, value, fields or None))
        except UnicodeDecodeError:
            raise InputError(str(path), "not UTF-8 text; re-save as UTF-8") from None
        except csv.Error as exc:
            raise InputError(str(path), f"CSV error: {exc}") from None
    return key, rows


def attach_list(
    store: Store,
    cfg: Settings,
    incident_id: int,
    path: Path,
    actor: str,
    fields: str = "email",
) -> AttachResult:
    """Attach the customers a CSV names (by ``customer_id`` or ``email`` column).

    An optional ``fields`` column gives the exposed fields per row (``email,name``);
    otherwise ``fields`` applies. Unmatched and invalid rows are reported, not fatal.
    """
    default_fields = parse_fields(fields, "--fields")
    key, rows = _read_list(path)
    result = AttachResult()
    wanted: dict[int, str] = {}  # customer pk -> fields
    if key == "email":
        h = hasher(cfg)
        index = MatchIndex(cfg.index_dir, h.fingerprint_of_key)
        hashed: list[tuple[int, int, str | None]] = []
        for n, value, f in rows:
            try:
                hashed.append((n, h.email(normalise_email(value)), f))
            except NormaliseError as exc:
                result.unmatched.append((n, f"email not valid: {exc}"))
        found = index.lookup(x[1] for x in hashed)
        for n, digest, f in hashed:
            pks = found.get(digest)
            if not pks:
                result.unmatched.append((n, "email not in the registry"))
                continue
            for pk in pks:
                wanted[pk] = _row_fields(f, default_fields, path, n, result)
    with store.session() as s:
        _incident(s, incident_id)
        if key == "customer_id":
            ids = {v for _, v, _ in rows if v}
            stmt = select(Customer.customer_id, Customer.id).where(Customer.customer_id.in_(ids))
            pk_of: dict[str, int] = {cid: pk for cid, pk in s.execute(stmt)} if ids else {}
            for n, value, f in rows:
                if not value:
                    result.unmatched.append((n, "customer_id is empty"))
                elif value not in pk_of:
                    result.unmatched.append((n, "customer_id not in the registry"))
                else:
                    wanted[pk_of[value]] = _row_fields(f, default_fields, path, n, result)
        existing = {
            c.customer_pk: c
            for c in s.scalars(
                select(IncidentCustomer).where(IncidentCustomer.incident_id == incident_id)
            )
        }
        now = utcnow()
        for pk, fl in sorted(wanted.items()):
            if pk in existing:
                merged = sorted(set(existing[pk].fields.split(",")) | set(fl.split(",")))
                existing[pk].fields = ",".join(merged)
                result.already += 1
            else:
                s.add(
                    IncidentCustomer(
                        incident_id=incident_id,
                        customer_pk=pk,
                        fields=fl,
                        source=path.name,
                        attached_at=now,
                    )
                )
                result.added += 1
        result.unmatched.sort()
        record(
            s,
            actor,
            "incident.attach_list",
            subject(incident_id),
            {
                "file": path.name,
                "key": key,
                "rows": len(rows),
                "added": result.added,
                "already": result.already,
                "unmatched_rows": [n for n, _ in result.unmatched],
            },
        )
    return result


def _row_fields(text: str | None, default: str, path: Path, n: int, result: AttachResult) -> str:
    if text is None:
        return default
    try:
        return parse_fields(text, f"{path.name} row {n}")
    except UsageError as exc:
        result.unmatched.append((n, f"{exc}; used {default}"))
        return default
