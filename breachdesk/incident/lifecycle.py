"""Open an incident, move it through its statuses, list and show it.

Status runs ``open -> contained -> notifying -> closed``. Moving forward (also
skipping a step) needs nothing more; moving backwards (reopening) needs a
reason. Every change is a row in ``incident_status_changes`` and an audit entry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from babel import Locale, UnknownLocaleError
from sqlalchemy import select

from breachdesk.errors import UsageError
from breachdesk.incident.fields import KNOWN_FIELDS
from breachdesk.store import Store
from breachdesk.store.audit import record
from breachdesk.store.models.base import utcnow
from breachdesk.store.models.incidents import Incident, IncidentStatusChange

CAUSES = ("technical-error", "insider", "attack", "unknown")
LOCALE_TEXTS = ("description", "measures")
"""Operator texts that customers read, given per language (``incident edit --locale``)."""
SOURCE_LANGUAGE = "en"
STATUSES = ("open", "contained", "notifying", "closed")
FUTURE_SLACK = timedelta(minutes=5)


def parse_time(value: str, field: str) -> datetime:
    """Parse an ISO 8601 time that names its offset (``Z`` or ``+02:00``) into UTC."""
    text = value.strip()
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise UsageError(f"{field}: {value!r} is not an ISO 8601 time") from None
    if dt.tzinfo is None:
        raise UsageError(f"{field}: {value!r} has no time zone; add Z or an offset such as +01:00")
    return dt.astimezone(UTC)


@dataclass(frozen=True)
class NewIncident:
    title: str
    cause: str
    became_aware_at: datetime
    window_start: datetime | None = None
    window_end: datetime | None = None
    description: str = ""
    measures: str = ""
    consequences: str = ""
    encrypted: bool = False

    def check(self, now: datetime) -> None:
        if not self.title.strip():
            raise UsageError("title: must not be empty")
        if self.cause not in CAUSES:
            raise UsageError(f"cause: {self.cause!r} is not one of {', '.join(CAUSES)}")
        for name in ("became_aware_at", "window_start", "window_end"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                raise UsageError(f"{name}: needs a time zone")
        if self.became_aware_at > now + FUTURE_SLACK:
            raise UsageError(
                f"became_aware_at: {self.became_aware_at.isoformat()} is in the future"
            )
        ws, we = self.window_start, self.window_end
        if ws is not None and we is not None and ws > we:
            raise UsageError(f"window: start {ws.isoformat()} is after end {we.isoformat()}")


def subject(incident_id: int) -> str:
    return f"incident:{incident_id}"


def open_incident(store: Store, new: NewIncident, actor: str) -> Incident:
    """Record a new incident (status ``open``) and audit it."""
    now = utcnow()
    new.check(now)
    inc = Incident(
        title=new.title.strip(),
        cause=new.cause,
        status="open",
        became_aware_at=new.became_aware_at,
        window_start=new.window_start,
        window_end=new.window_end,
        description=new.description,
        measures=new.measures,
        consequences=new.consequences,
        encrypted=new.encrypted,
        risk_answers={},
        created_at=now,
        updated_at=now,
    )
    with store.session() as s:
        s.add(inc)
        s.flush()
        s.add(
            IncidentStatusChange(
                incident_id=inc.id,
                from_status=None,
                to_status="open",
                reason="opened",
                actor=actor,
                at=now,
            )
        )
        record(
            s,
            actor,
            "incident.open",
            subject(inc.id),
            {
                "cause": new.cause,
                "became_aware_at": new.became_aware_at.isoformat(),
                "window": [_iso(new.window_start), _iso(new.window_end)],
            },
        )
    return inc


def _iso(dt: datetime | None) -> str | None:
    return dt.isoformat() if dt else None


def get_incident(store: Store, incident_id: int) -> Incident:
    with store.session() as s:
        inc = s.get(Incident, incident_id)
    if inc is None:
        raise UsageError(
            f"incident {incident_id}: no such incident (see `breachdesk incident list`)"
        )
    return inc


def list_incidents(store: Store) -> list[Incident]:
    with store.session() as s:
        return list(s.scalars(select(Incident).order_by(Incident.id)))


def history(store: Store, incident_id: int) -> list[IncidentStatusChange]:
    with store.session() as s:
        stmt = (
            select(IncidentStatusChange)
            .where(IncidentStatusChange.incident_id == incident_id)
            .order_by(IncidentStatusChange.id)
        )
        return list(s.scalars(stmt))


def set_status(
    store: Store, incident_id: int, status: str, actor: str, reason: str = ""
) -> IncidentStatusChange:
    """Move an incident to ``status``; going backwards needs a ``reason``."""
    if status not in STATUSES:
        raise UsageError(f"status: {status!r} is not one of {', '.join(STATUSES)}")
    with store.session() as s:
        inc = s.get(Incident, incident_id)
        if inc is None:
            raise UsageError(f"incident {incident_id}: no such incident")
        old = inc.status
        if status == old:
            raise UsageError(f"incident {incident_id}: already {old}")
        backwards = STATUSES.index(status) < STATUSES.index(old)
        if backwards and not reason.strip():
            raise UsageError(
                f"incident {incident_id}: moving back from {old} to {status} needs --reason"
            )
        now = utcnow()
        inc.status, inc.updated_at = status, now
        change = IncidentStatusChange(
            incident_id=incident_id,
            from_status=old,
            to_status=status,
            reason=reason.strip(),
            actor=actor,
            at=now,
        )
        s.add(change)
        details: dict[str, Any] = {"from": old, "to": status, "backwards": backwards}
        if reason.strip():
            details["reason"] = reason.strip()
        record(s, actor, "incident.status", subject(incident_id), details)
    return change


def update_text(store: Store, incident_id: int, actor: str, **fields: str) -> Incident:
    """Change description, measures, consequences or law_enforcement (audited by field name).

    ``law_enforcement`` (whether police are involved, and any delay they asked for) is
    kept with the operator's answers and appears in US attorney-general reports."""
    allowed = {"description", "measures", "consequences", "law_enforcement"}
    bad = sorted(set(fields) - allowed)
    if bad:
        raise UsageError(f"cannot edit {', '.join(bad)}; editable: {', '.join(sorted(allowed))}")
    with store.session() as s:
        inc = s.get(Incident, incident_id)
        if inc is None:
            raise UsageError(f"incident {incident_id}: no such incident")
        for k, v in fields.items():
            if k == "law_enforcement":
                inc.risk_answers = {**(inc.risk_answers or {}), k: v}
            else:
                setattr(inc, k, v)
        inc.updated_at = utcnow()
        record(s, actor, "incident.edit", subject(incident_id), {"fields": sorted(fields)})
    return inc


def locale_key(value: str) -> str:
    """``de``, ``de_DE``, ``en-gb`` -> ``de``, ``de-DE``, ``en-GB`` (or a usage error)."""
    try:
        loc = Locale.parse(value.strip().replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        raise UsageError(f"--locale {value!r}: not a locale such as de, fr-CA or en-GB") from None
    return f"{loc.language}-{loc.territory}" if loc.territory else loc.language


def set_locale_texts(
    store: Store, incident_id: int, actor: str, texts: Mapping[str, Mapping[str, str]]
) -> Incident:
    """Set the operator's texts per locale: ``{"de": {"measures": "..."}}``.

    English (``en``) is the source language: its texts are the incident's description
    and measures, which reports quote. An empty text removes that locale's text."""
    clean: dict[str, dict[str, str]] = {}
    for loc, fields in texts.items():
        key = locale_key(loc)
        bad = sorted(set(fields) - set(LOCALE_TEXTS))
        if bad:
            raise UsageError(
                f"texts for {key}: cannot set {', '.join(bad)}; "
                f"per-language texts: {', '.join(LOCALE_TEXTS)}"
            )
        clean.setdefault(key, {}).update({k: str(v).strip() for k, v in fields.items()})
    with store.session() as s:
        inc = s.get(Incident, incident_id)
        if inc is None:
            raise UsageError(f"incident {incident_id}: no such incident")
        merged: dict[str, dict[str, str]] = {k: dict(v) for k, v in (inc.texts or {}).items()}
        for key, fields in clean.items():
            if key == SOURCE_LANGUAGE:
                for k, v in fields.items():
                    setattr(inc, k, v)
                continue
            merged.setdefault(key, {}).update(fields)
            merged[key] = {k: v for k, v in merged[key].items() if v}
        inc.texts = {k: v for k, v in sorted(merged.items()) if v}
        inc.updated_at = utcnow()
        record(
            s,
            actor,
            "incident.texts",
            subject(incident_id),
            {"locales": {k: sorted(v) for k, v in sorted(clean.items())}},
        )
    return inc


def set_not_exposed(store: Store, incident_id: int, actor: str, items: Sequence[str]) -> Incident:
    """Record the kinds of data the operator states were NOT exposed (told to customers)."""
    wanted = [i.strip() for i in items if i.strip()]
    bad = sorted(set(wanted) - set(KNOWN_FIELDS))
    if bad:
        raise UsageError(
            f"--not-exposed: unknown {', '.join(bad)}; known: {', '.join(KNOWN_FIELDS)}"
        )
    with store.session() as s:
        inc = s.get(Incident, incident_id)
        if inc is None:
            raise UsageError(f"incident {incident_id}: no such incident")
        inc.not_exposed = list(dict.fromkeys(wanted))
        inc.updated_at = utcnow()
        record(s, actor, "incident.not_exposed", subject(incident_id), {"items": inc.not_exposed})
    return inc
