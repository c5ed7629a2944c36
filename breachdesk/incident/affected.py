"""The per-customer affected set of an incident: the one list that scope, the law
situation and notification all read.

A customer is affected when an attached finding exposed them or an attached list
names them. ``recipients`` counts distinct viewers other than the customer
themselves ('public' counts as one unknown audience). No emails or names here.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, distinct, func, select, true, union

from breachdesk.store import Store
from breachdesk.store.models import Customer, Finding, UTCDateTime
from breachdesk.store.models.incidents import IncidentCustomer, IncidentFinding


@dataclass(frozen=True)
class AffectedCustomer:
    customer_pk: int
    customer_id: str
    country: str
    subdivision: str | None
    entity: str
    locale: str | None
    fields: frozenset[str]
    first_seen: datetime | None
    last_seen: datetime | None
    recipients: int
    findings: int
    listed: bool
    public: bool = False  # some exposure was to an anonymous ('public') viewer


def _split(fields: str) -> set[str]:
    return {f.strip() for f in fields.split(",") if f.strip()}


def _in_range(col: Any, pk_from: int | None, pk_to: int | None) -> Any:
    if pk_from is None or pk_to is None:
        return true()
    return col.between(pk_from, pk_to)


def _pks(on_findings: Any, on_lists: Any) -> Any:
    """Distinct affected ``customer_pk`` (column ``pk``) from findings and lists."""
    return union(
        select(Finding.customer_pk.label("pk"))
        .join(IncidentFinding, IncidentFinding.finding_id == Finding.id)
        .where(on_findings),
        select(IncidentCustomer.customer_pk.label("pk")).where(on_lists),
    ).subquery()


def affected_pks(store: Store, incident_id: int) -> array[int]:
    """The sorted ``customer_pk`` of every affected customer (8 bytes each), so that a
    caller can walk a large incident in chunks with ``affected_customers(pk_from, pk_to)``."""
    pks = _pks(
        IncidentFinding.incident_id == incident_id, IncidentCustomer.incident_id == incident_id
    )
    with store.session() as s:
        out = array("q", s.scalars(select(pks.c.pk).order_by(pks.c.pk)))
    return out


def affected_customers(
    store: Store, incident_id: int, pk_from: int | None = None, pk_to: int | None = None
) -> list[AffectedCustomer]:
    """One record per distinct affected customer of ``incident_id``, by ``customer_pk``
    (only those with ``pk_from <= customer_pk <= pk_to`` when both are given).

    The aggregation runs in the database (one GROUP BY per source), so a large
    incident costs a few queries, not a Python loop over every finding."""
    mine = and_(
        IncidentFinding.incident_id == incident_id,
        _in_range(Finding.customer_pk, pk_from, pk_to),
    )
    seen = (
        select(
            Finding.customer_pk,
            func.min(Finding.seen_at, type_=UTCDateTime()),
            func.max(Finding.seen_at, type_=UTCDateTime()),
            func.count(),
            func.count(distinct(case((Finding.viewer != Customer.customer_id, Finding.viewer)))),
            func.max(case((Finding.viewer == "public", 1), else_=0)),
        )
        .join(IncidentFinding, IncidentFinding.finding_id == Finding.id)
        .join(Customer, Customer.id == Finding.customer_pk)
        .where(mine)
        .group_by(Finding.customer_pk)
    )
    combos = (
        select(Finding.customer_pk, Finding.fields)
        .join(IncidentFinding, IncidentFinding.finding_id == Finding.id)
        .where(mine)
        .group_by(Finding.customer_pk, Finding.fields)
    )
    on_lists = and_(
        IncidentCustomer.incident_id == incident_id,
        _in_range(IncidentCustomer.customer_pk, pk_from, pk_to),
    )
    listed = select(IncidentCustomer.customer_pk, IncidentCustomer.fields).where(on_lists)
    pks = _pks(mine, on_lists)
    people = (
        select(
            Customer.id,
            Customer.customer_id,
            Customer.country,
            Customer.subdivision,
            Customer.entity,
            Customer.locale,
        )
        .join(pks, pks.c.pk == Customer.id)
        .order_by(Customer.id)
    )
    with store.session() as s:
        stats = {pk: (first, last, n, r, pub) for pk, first, last, n, r, pub in s.execute(seen)}
        fields: dict[int, set[str]] = {}
        for pk, f in s.execute(combos):
            fields.setdefault(pk, set()).update(_split(f))
        on_list: set[int] = set()
        for pk, f in s.execute(listed):
            fields.setdefault(pk, set()).update(_split(f))
            on_list.add(pk)
        out: list[AffectedCustomer] = []
        for pk, cid, country, sub, entity, locale in s.execute(people):
            first, last, n, recipients, public = stats.get(pk, (None, None, 0, 0, 0))
            out.append(
                AffectedCustomer(
                    customer_pk=pk,
                    customer_id=cid,
                    country=country,
                    subdivision=sub,
                    entity=entity,
                    locale=locale,
                    fields=frozenset(fields.get(pk, ())),
                    first_seen=first,
                    last_seen=last,
                    recipients=recipients,
                    findings=n,
                    listed=pk in on_list,
                    public=bool(public),
                )
            )
    return out
