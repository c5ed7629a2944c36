"""What every notice of one incident shares, read from the store when notices render.

Besides the incident's cause and dates: the operator's texts per language, the data
the operator states was NOT exposed, the regulator obligations the law engine
persisted (with their status), the inputs needed to explain a regulator that was not
told (data elements, risk level, encryption, residents per place and entity), and the
language fallbacks the operator approved. All values are hashable: renderings are
shared between customers with equal facts and context.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from breachdesk.incident.affected import affected_customers
from breachdesk.incident.lifecycle import get_incident
from breachdesk.incident.risk import current_risk
from breachdesk.incident.situation import build_situation, jurisdiction_of
from breachdesk.law.engine import default_rulebook
from breachdesk.store import Store
from breachdesk.store.models.audit import AuditEntry
from breachdesk.store.models.incidents import ObligationRow

REGULATOR_KINDS = ("regulator", "attorney_general")
DONE = frozenset({"done", "sent", "notified", "submitted", "complete", "completed"})
TEXT_FIELDS = ("description", "measures")
APPROVE_ACTION = "notify.approve"


@dataclass(frozen=True)
class RegulatorFact:
    """One persisted regulator or attorney-general obligation."""

    short: str
    name: str
    kind: str
    jurisdiction: str
    entity: str | None
    done: bool
    done_at: datetime | None
    oss_covers: tuple[str, ...] = ()  # GDPR one-stop-shop: the states the regime covers


@dataclass(frozen=True)
class IncidentFacts:
    """What every notice of one incident shares."""

    incident_id: int
    cause: str
    became_aware_at: datetime
    measures: str
    total_affected: int
    window_start: datetime | None = None
    window_end: datetime | None = None
    description: str = ""
    # (language or locale, field, text): the operator's texts per language
    texts: tuple[tuple[str, str, str], ...] = ()
    not_exposed: tuple[str, ...] = ()
    regulators: tuple[RegulatorFact, ...] = ()
    # inputs to explain a regulator not told: law elements, GDPR risk level, encryption
    elements: frozenset[str] = frozenset()
    risk: str = "unknown"
    encrypted: bool = False
    key_compromised: bool = False
    answers: tuple[tuple[str, bool], ...] = ()  # the DPO's yes/no to unmodelled criteria
    residents: tuple[tuple[str, str, int], ...] = field(default=())  # (place, entity, n)
    fallbacks: tuple[tuple[str, str], ...] = ()  # approved (language, used instead)

    def text(self, locale: str, name: str) -> str:
        """The operator's ``name`` text for ``locale`` (full locale, then its language);
        the base fields are the source language (English)."""
        lang = locale.split("-", 1)[0]
        by = {(loc, f): t for loc, f, t in self.texts}
        for key in (locale, lang):
            if by.get((key, name)):
                return by[(key, name)]
        if lang == "en":
            return self.description if name == "description" else self.measures
        return ""

    def has_text(self, locale: str, name: str) -> bool:
        return bool(self.text(locale, name).strip())

    def fallback(self, locale: str) -> str | None:
        lang = locale.split("-", 1)[0]
        return dict(self.fallbacks).get(lang)

    def count(self, place: str, entity: str) -> int:
        return sum(n for p, e, n in self.residents if e == entity and p.startswith(place))


def texts_of(inc_texts: dict[str, Any] | None) -> tuple[tuple[str, str, str], ...]:
    out = []
    for loc, fields in sorted((inc_texts or {}).items()):
        for name in TEXT_FIELDS:
            value = str((fields or {}).get(name) or "").strip()
            if value:
                out.append((loc, name, value))
    return tuple(out)


def approved_fallbacks(store: Store, incident_id: int) -> tuple[tuple[str, str], ...]:
    """The language fallbacks of the latest approval of the incident's notices."""
    with store.session() as s:
        details = s.scalars(
            select(AuditEntry.details)
            .where(
                AuditEntry.action == APPROVE_ACTION,
                AuditEntry.subject == f"incident:{incident_id}",
            )
            .order_by(AuditEntry.seq.desc())
            .limit(1)
        ).first()
    return tuple(sorted((details or {}).get("fallbacks", {}).items()))


def _regulators(store: Store, incident_id: int) -> tuple[RegulatorFact, ...]:
    with store.session() as s:
        rows = s.scalars(
            select(ObligationRow).where(
                ObligationRow.incident_id == incident_id,
                ObligationRow.current.is_(True),
                ObligationRow.recipient_kind.in_(REGULATOR_KINDS),
            )
        ).all()
    book = default_rulebook()
    out = []
    for r in rows:
        parts = r.key.split("#", 1)[0].split("/")
        short = parts[1] if len(parts) > 2 else ""
        jr = next((f for f in book.files.values() if any(x.id == r.rule_id for x in f.rules)), None)
        oss = tuple(jr.covers) if jr is not None and jr.routing == "one_stop_shop" else ()
        done = r.status in DONE
        out.append(
            RegulatorFact(
                short,
                r.recipient,
                r.recipient_kind,
                r.jurisdiction,
                r.entity,
                done,
                r.updated_at if done else None,
                oss,
            )
        )
    return tuple(sorted(out, key=lambda f: (f.jurisdiction, f.short, f.entity or "")))


def incident_facts(store: Store, incident_id: int, total_affected: int) -> IncidentFacts:
    """The shared facts of the incident's notices, as the store holds them now."""
    inc = get_incident(store, incident_id)
    people = affected_customers(store, incident_id)
    situation = build_situation(inc, people, {}, current_risk(store, incident_id, people).level)
    residents = Counter((jurisdiction_of(c), c.entity) for c in people)
    return IncidentFacts(
        incident_id=inc.id,
        cause=inc.cause,
        became_aware_at=inc.became_aware_at,
        measures=inc.measures or "",
        total_affected=total_affected,
        window_start=inc.window_start,
        window_end=inc.window_end,
        description=inc.description or "",
        texts=texts_of(inc.texts),
        not_exposed=tuple(inc.not_exposed or ()),
        regulators=_regulators(store, incident_id),
        elements=frozenset(situation.elements),
        risk=situation.risk,
        encrypted=situation.encrypted,
        key_compromised=situation.key_compromised,
        answers=tuple(sorted(situation.answers.items())),
        residents=tuple(sorted((p, e, n) for (p, e), n in residents.items())),
        fallbacks=approved_fallbacks(store, incident_id),
    )
