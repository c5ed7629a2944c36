"""The per-customer affected set of an incident: the one list that scope, the law
situation and notification all read.

A customer is affected when an attached finding exposed them or an attached list
names them. ``recipients`` counts distinct viewers other than the customer
themselves ('public' counts as one unknown audience). No emails or names here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from breachdesk.store import Store
from breachdesk.store.models import Customer, Finding
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


@dataclass
class _Acc:
    fields: set[str]
    first: datetime | None = None
    last: datetime | None = None
    viewers: set[str] | None = None
    findings: int = 0
    listed: bool = False

    def see(self, at: datetime | None) -> None:
        if at is None:
            return
        self.first = at if self.first is None or at < self.first else self.first
        self.last = at if self.last is None or at > self.last else self.last


def _split(fields: str) -> set[str]:
    return {f.strip() for f in fields.split(",") if f.strip()}


def affected_customers(store: Store, incident_id: int) -> list[AffectedCustomer]:
    """One record per distinct affected customer of ``incident_id``, by ``customer_pk``."""
    acc: dict[int, _Acc] = {}
    with store.session() as s:
        fq = (
            select(
                Finding.customer_pk,
                Finding.fields,
                Finding.seen_at,
                Finding.viewer,
                Customer.customer_id,
            )
            .join(IncidentFinding, IncidentFinding.finding_id == Finding.id)
            .join(Customer, Customer.id == Finding.customer_pk)
            .where(IncidentFinding.incident_id == incident_id)
        )
        rows = s.execute(fq.execution_options(yield_per=20_000))
        for pk, fields, seen_at, viewer, own_id in rows:
            a = acc.get(pk)
            if a is None:
                a = acc[pk] = _Acc(set(), viewers=set())
            a.fields |= _split(fields)
            a.see(seen_at)
            a.findings += 1
            if viewer and viewer != own_id and a.viewers is not None:
                a.viewers.add(viewer)
        lq = select(IncidentCustomer.customer_pk, IncidentCustomer.fields).where(
            IncidentCustomer.incident_id == incident_id
        )
        for pk, fields in s.execute(lq):
            a = acc.get(pk)
            if a is None:
                a = acc[pk] = _Acc(set(), viewers=set())
            a.fields |= _split(fields)
            a.listed = True
        out: list[AffectedCustomer] = []
        pks = sorted(acc)
        for chunk in range(0, len(pks), 5000):
            part = pks[chunk : chunk + 5000]
            cq = (
                select(
                    Customer.id,
                    Customer.customer_id,
                    Customer.country,
                    Customer.subdivision,
                    Customer.entity,
                    Customer.locale,
                )
                .where(Customer.id.in_(part))
                .order_by(Customer.id)
            )
            for pk, cid, country, sub, entity, locale in s.execute(cq):
                a = acc[pk]
                out.append(
                    AffectedCustomer(
                        customer_pk=pk,
                        customer_id=cid,
                        country=country,
                        subdivision=sub,
                        entity=entity,
                        locale=locale,
                        fields=frozenset(a.fields),
                        first_seen=a.first,
                        last_seen=a.last,
                        recipients=len(a.viewers or ()),
                        findings=a.findings,
                        listed=a.listed,
                    )
                )
    return out
