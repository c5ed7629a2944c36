"""The one place that reads the incident and law areas: incident -> per-customer notice contexts.

A context carries no name or address (those are read at send time) but
everything else a notice states: the customer's exposed fields, when, to how
many recipients, the jurisdiction shaping and the regulators for their entity
and jurisdiction (from the obligations the law engine persisted).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pycountry
from sqlalchemy import select

from breachdesk.incident.affected import AffectedCustomer, affected_customers, affected_pks
from breachdesk.notify.facts import IncidentFacts
from breachdesk.notify.facts import incident_facts as incident_facts
from breachdesk.notify.spec import Shaping, shaping_for
from breachdesk.store import Store
from breachdesk.store.models import Finding
from breachdesk.store.models.incidents import IncidentFinding, ObligationRow

REGULATOR_KINDS = frozenset({"regulator", "attorney_general"})
DONE = frozenset({"done", "sent", "notified", "submitted", "complete", "completed"})


@dataclass(frozen=True)
class CustomerNotice:
    customer_pk: int
    customer_id: str
    entity: str
    locale: str | None
    context: dict[str, Any]


@dataclass(frozen=True)
class _Regulator:
    name: str
    jurisdiction: str
    entity: str | None
    done: bool
    notice: dict[str, Any]


def _regulators(store: Store, incident_id: int) -> list[_Regulator]:
    with store.session() as s:
        rows = s.scalars(
            select(ObligationRow).where(
                ObligationRow.incident_id == incident_id, ObligationRow.current.is_(True)
            )
        ).all()
    out = []
    for r in rows:
        notice = dict((r.data or {}).get("notice", {}))
        if r.recipient_kind in REGULATOR_KINDS or notice:
            out.append(
                _Regulator(
                    r.recipient if r.recipient_kind in REGULATOR_KINDS else "",
                    r.jurisdiction,
                    r.entity,
                    r.status in DONE,
                    notice,
                )
            )
    return out


def _applies(reg: _Regulator, c: AffectedCustomer) -> bool:
    """A place rule (``GB``, ``US-CA``) applies to its residents; a group rule (``EU``)
    applies to the customers of the entity that must notify under it."""
    if reg.jurisdiction in {c.country, c.subdivision}:
        return reg.entity is None or reg.entity == c.entity
    return not _is_place(reg.jurisdiction) and reg.entity == c.entity


def _is_place(code: str) -> bool:
    """An ISO 3166 country or subdivision (``EU`` and ``*`` are groups)."""
    if "-" in code:
        return True
    return pycountry.countries.get(alpha_2=code) is not None


def _public(store: Store, incident_id: int) -> set[int]:
    """Customers with a finding seen by 'public' (the affected set counts that audience
    as one recipient; the notice says it was visible to anyone instead)."""
    with store.session() as s:
        return set(
            s.scalars(
                select(Finding.customer_pk)
                .join(IncidentFinding, IncidentFinding.finding_id == Finding.id)
                .where(IncidentFinding.incident_id == incident_id, Finding.viewer == "public")
                .distinct()
            )
        )


def _context(
    c: AffectedCustomer,
    regs: Iterable[_Regulator],
    rules: dict[str, Shaping],
    public: set[int],
) -> dict[str, Any]:
    shaping = shaping_for(rules, c.country, c.subdivision).model_dump(exclude={"citation"})
    done: list[str] = []
    pending: list[str] = []
    for reg in regs:
        if not _applies(reg, c):
            continue
        if reg.notice and reg.jurisdiction in {c.country, c.subdivision}:
            shaping.update({k: v for k, v in reg.notice.items() if k in ("headings", "omit")})
        if reg.name:
            bucket = done if reg.done else pending
            if reg.name not in done and reg.name not in pending:
                bucket.append(reg.name)
    return {
        "fields": sorted(c.fields),
        "first_seen": c.first_seen.isoformat() if c.first_seen else None,
        "last_seen": c.last_seen.isoformat() if c.last_seen else None,
        "recipients": c.recipients,
        "public": c.customer_pk in public,
        "country": c.country,
        "subdivision": c.subdivision,
        "shaping": shaping,
        "regulators_done": done,
        "regulators_pending": pending,
    }


def _notice(
    c: AffectedCustomer, regs: list[_Regulator], rules: dict[str, Shaping], public: set[int]
) -> CustomerNotice:
    return CustomerNotice(
        c.customer_pk, c.customer_id, c.entity, c.locale, _context(c, regs, rules, public)
    )


def iter_customer_notices(
    store: Store, incident_id: int, rules: dict[str, Shaping], chunk: int = 5000
) -> Iterator[list[CustomerNotice]]:
    """The notice contexts of ``incident_id`` in chunks of at most ``chunk`` customers
    (by ``customer_pk``), so that planning a million notices never holds them all."""
    pks = affected_pks(store, incident_id)
    regs = _regulators(store, incident_id)
    for start in range(0, len(pks), chunk):
        lo, hi = pks[start], pks[min(start + chunk, len(pks)) - 1]
        people = affected_customers(store, incident_id, lo, hi)
        public = {c.customer_pk for c in people if c.public}
        yield [_notice(c, regs, rules, public) for c in people]


def customer_notices(
    store: Store, incident_id: int, rules: dict[str, Shaping]
) -> tuple[IncidentFacts, list[CustomerNotice]]:
    """The incident's shared facts and one notice context per affected customer."""
    people = affected_customers(store, incident_id)
    facts = incident_facts(store, incident_id, len(people))
    regs = _regulators(store, incident_id)
    public = _public(store, incident_id)
    return facts, [_notice(c, regs, rules, public) for c in people]
