"""The scope of an incident: who, where, what, when and seen by how many.

Every affected customer is counted somewhere: a country that is not an ISO 3166
code, or a customer in a country whose law works per subdivision (US, CA)
without a known subdivision, is reported under ``unknown`` with its count.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pycountry
from sqlalchemy import distinct, func, select

from breachdesk.incident.affected import AffectedCustomer, affected_customers
from breachdesk.incident.lifecycle import get_incident
from breachdesk.store import Store
from breachdesk.store.models import Customer, Finding
from breachdesk.store.models.incidents import IncidentFinding

# Countries whose breach laws differ per state/province (US states; Quebec and
# Alberta beside PIPEDA). Australia's NDB scheme is federal, so AU is not here.
SUBDIVIDED = frozenset({"US", "CA"})
UNKNOWN = "unknown"


@dataclass
class Unknown:
    kind: str  # country | subdivision | locale
    value: str
    customers: int
    reason: str


@dataclass
class Scope:
    incident_id: int
    registry_size: int
    affected: int
    by_country: dict[str, int]
    by_subdivision: dict[str, int]
    by_entity: dict[str, int]
    by_locale: dict[str, int]
    elements: dict[str, int]
    combinations: dict[str, int]
    window: tuple[datetime, datetime] | None
    recipients: int
    public: bool
    timeline: list[tuple[datetime, int]]
    bucket: str
    unknown: list[Unknown] = field(default_factory=list)
    customers: list[AffectedCustomer] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.affected / self.registry_size if self.registry_size else 0.0

    def to_json(self, with_customers: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "incident": self.incident_id,
            "affected_customers": self.affected,
            "registry_size": self.registry_size,
            "share_of_registry": round(self.share, 6),
            "by_country": self.by_country,
            "by_subdivision": self.by_subdivision,
            "by_entity": self.by_entity,
            "by_locale": self.by_locale,
            "data_elements": self.elements,
            "element_combinations": self.combinations,
            "exposure_window": [d.isoformat() for d in self.window] if self.window else None,
            "distinct_recipients": self.recipients,
            "publicly_visible": self.public,
            "timeline": {
                "bucket": self.bucket,
                "points": [[t.isoformat(), n] for t, n in self.timeline],
            },
            "unknown": [u.__dict__ for u in self.unknown],
        }
        if with_customers:
            out["customers"] = [_customer_json(c) for c in self.customers]
        return out


def _customer_json(c: AffectedCustomer) -> dict[str, Any]:
    return {
        "customer_pk": c.customer_pk,
        "customer_id": c.customer_id,
        "country": c.country,
        "subdivision": c.subdivision,
        "entity": c.entity,
        "fields": sorted(c.fields),
        "first_seen": c.first_seen.isoformat() if c.first_seen else None,
        "last_seen": c.last_seen.isoformat() if c.last_seen else None,
        "recipients": c.recipients,
        "findings": c.findings,
        "listed": c.listed,
        "public": c.public,
    }


def _sorted(c: Counter[str]) -> dict[str, int]:
    return dict(sorted(c.items(), key=lambda kv: (-kv[1], kv[0])))


def _is_subdivision(code: str) -> bool:
    found = pycountry.subdivisions.get(code=code)  # type: ignore[no-untyped-call]
    return found is not None


def _unknowns(people: list[AffectedCustomer]) -> list[Unknown]:
    bad_country: Counter[str] = Counter()
    no_sub: Counter[str] = Counter()
    for c in people:
        if pycountry.countries.get(alpha_2=c.country) is None:
            bad_country[c.country] += 1
        elif c.country in SUBDIVIDED and not c.subdivision:
            no_sub[c.country] += 1
        elif c.subdivision and not _is_subdivision(c.subdivision):
            no_sub[c.subdivision] += 1
    out = [
        Unknown("country", k, n, "not an ISO 3166-1 country code")
        for k, n in sorted(bad_country.items())
    ]
    out += [
        Unknown(
            "subdivision",
            k,
            n,
            "state/province unknown: these residents' state law cannot be applied"
            if "-" not in k
            else "not an ISO 3166-2 subdivision code",
        )
        for k, n in sorted(no_sub.items())
    ]
    return out


def _timeline(
    store: Store, incident_id: int, window: tuple[datetime, datetime] | None
) -> tuple[list[tuple[datetime, int]], str]:
    """Distinct customers exposed per hour (short windows) or per day."""
    if window is None:
        return [], "day"
    span = window[1] - window[0]
    bucket = "hour" if span <= timedelta(days=3) else "day"
    with store.session() as s:
        rows = s.execute(
            select(Finding.seen_at, Finding.customer_pk)
            .join(IncidentFinding, IncidentFinding.finding_id == Finding.id)
            .where(IncidentFinding.incident_id == incident_id, Finding.seen_at.is_not(None))
        )
        seen: dict[datetime, set[int]] = {}
        for at, pk in rows:
            if at is None:
                continue
            if bucket == "hour":
                key = at.replace(minute=0, second=0, microsecond=0)
            else:
                key = at.replace(hour=0, minute=0, second=0, microsecond=0)
            seen.setdefault(key, set()).add(pk)
    return sorted((k, len(v)) for k, v in seen.items()), bucket


def _recipients(store: Store, incident_id: int) -> tuple[int, bool]:
    """Distinct viewers that are not the exposed customer; whether any view was public."""
    with store.session() as s:
        q = (
            select(func.count(distinct(Finding.viewer)))
            .join(IncidentFinding, IncidentFinding.finding_id == Finding.id)
            .join(Customer, Customer.id == Finding.customer_pk)
            .where(
                IncidentFinding.incident_id == incident_id, Finding.viewer != Customer.customer_id
            )
        )
        n = s.scalar(q) or 0
        public = s.scalar(
            select(func.count())
            .select_from(Finding)
            .join(IncidentFinding, IncidentFinding.finding_id == Finding.id)
            .where(IncidentFinding.incident_id == incident_id, Finding.viewer == "public")
        )
    return n, bool(public)


def compute_scope(store: Store, incident_id: int) -> Scope:
    inc = get_incident(store, incident_id)
    people = affected_customers(store, incident_id)
    with store.session() as s:
        registry_size = s.scalar(select(func.count()).select_from(Customer)) or 0
    elements: Counter[str] = Counter()
    combos: Counter[str] = Counter()
    for c in people:
        elements.update(c.fields)
        combos["+".join(sorted(c.fields))] += 1
    firsts = [c.first_seen for c in people if c.first_seen]
    lasts = [c.last_seen for c in people if c.last_seen]
    window: tuple[datetime, datetime] | None = None
    if firsts and lasts:
        window = (min(firsts), max(lasts))
    elif inc.window_start and inc.window_end:
        window = (inc.window_start, inc.window_end)
    timeline, bucket = _timeline(store, incident_id, window)
    recipients, public = _recipients(store, incident_id)
    by_sub: Counter[str] = Counter()
    for c in people:
        if c.subdivision:
            by_sub[c.subdivision] += 1
        elif c.country in SUBDIVIDED:
            by_sub[f"{c.country}-?"] += 1
    return Scope(
        incident_id=incident_id,
        registry_size=registry_size,
        affected=len(people),
        by_country=_sorted(Counter(c.country for c in people)),
        by_subdivision=_sorted(by_sub),
        by_entity=_sorted(Counter(c.entity for c in people)),
        by_locale=_sorted(Counter(c.locale or UNKNOWN for c in people)),
        elements=_sorted(elements),
        combinations=_sorted(combos),
        window=window,
        recipients=recipients,
        public=public,
        timeline=timeline,
        bucket=bucket,
        unknown=_unknowns(people),
        customers=people,
    )
