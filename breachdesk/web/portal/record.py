"""One customer's own breach record: what of theirs was exposed, when, to how many,
which entity holds the account, which regulator was informed, and the notices sent.

Read for one customer only (a few small queries), after they proved control of
the mailbox. Regulators come from the notice context of the customer's outbox row,
with their status refreshed from the obligations as they stand now.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from breachdesk.notify.adapter import DONE, REGULATOR_KINDS
from breachdesk.registry.entities import Entity
from breachdesk.store import Store
from breachdesk.store.models import Customer, Finding
from breachdesk.store.models.incidents import (
    Incident,
    IncidentCustomer,
    IncidentFinding,
    ObligationRow,
)
from breachdesk.store.models.outbox import OutboxRow
from breachdesk.web.portal.localise import authority, cause_line, field_labels, operator_text

ADVICE = ("password", "email", "phone", "name", "address", "payment", "birthdate")


@dataclass(frozen=True)
class NoticeSent:
    state: str
    sent_at: datetime | None
    verification: str


@dataclass
class Exposure:
    incident_id: int
    title: str
    became_aware_at: datetime
    measures: str
    fields: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)  # the fields in the reader's language
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    recipients: int = 0
    public: bool = False
    regulators_done: list[str] = field(default_factory=list)
    regulators_pending: list[str] = field(default_factory=list)
    notices: list[NoticeSent] = field(default_factory=list)

    @property
    def advice(self) -> list[str]:
        return [f for f in ADVICE if f in self.fields]


@dataclass
class CustomerRecord:
    customer_pk: int
    name: str
    country: str
    subdivision: str | None
    entity: Entity | None
    entity_id: str
    exposures: list[Exposure]


def regulators_for(
    rows: list[ObligationRow], country: str, sub: str | None, entity: str, lang: str = "en"
) -> tuple[list[str], list[str]]:
    """Authorities informed (done) and to be informed, named in ``lang``."""
    done: list[str] = []
    pending: list[str] = []
    for r in rows:
        if r.recipient_kind not in REGULATOR_KINDS:
            continue
        place = r.jurisdiction in {country, sub}
        if (place and r.entity in (None, entity)) or (not place and r.entity == entity):
            bucket = done if r.status in DONE else pending
            name = authority(r.key, r.jurisdiction, lang)
            if name not in done + pending:
                bucket.append(name)
    return done, pending


def customer_record(
    store: Store, customer_pk: int, entities: dict[str, Entity], lang: str = "en"
) -> CustomerRecord:
    """The record in ``lang``: labels, authorities, texts and the heading in that language."""
    with store.session() as s:
        c = s.get(Customer, customer_pk)
        if c is None:
            raise LookupError(f"customer {customer_pk} is gone")
        found = s.execute(
            select(IncidentFinding.incident_id, Finding.fields, Finding.seen_at, Finding.viewer)
            .join(Finding, Finding.id == IncidentFinding.finding_id)
            .where(Finding.customer_pk == customer_pk)
        ).all()
        listed = s.execute(
            select(IncidentCustomer.incident_id, IncidentCustomer.fields).where(
                IncidentCustomer.customer_pk == customer_pk
            )
        ).all()
        ids = sorted({r[0] for r in found} | {r[0] for r in listed})
        incidents = {i.id: i for i in s.scalars(select(Incident).where(Incident.id.in_(ids)))}
        outbox = list(s.scalars(select(OutboxRow).where(OutboxRow.customer_pk == customer_pk)))
        obligations = list(
            s.scalars(
                select(ObligationRow).where(
                    ObligationRow.incident_id.in_(ids), ObligationRow.current.is_(True)
                )
            )
        )
    out: list[Exposure] = []
    for iid in ids:
        inc = incidents[iid]
        heading = inc.title if lang == "en" else cause_line(inc.cause, lang)
        measures = operator_text(inc.texts, inc.measures or "", lang, "measures")
        e = Exposure(iid, heading, inc.became_aware_at, measures)
        fields: set[str] = set()
        seen = [r for r in found if r[0] == iid]
        times = [r[2] for r in seen if r[2] is not None]
        viewers = {r[3] for r in seen if r[3] != c.customer_id}
        for r in seen + [r for r in listed if r[0] == iid]:
            fields.update(f.strip() for f in r[1].split(",") if f.strip())
        e.fields = sorted(fields)
        e.labels = field_labels(e.fields, lang)
        e.first_seen, e.last_seen = (min(times), max(times)) if times else (None, None)
        e.recipients, e.public = len(viewers), "public" in viewers
        mine = [o for o in obligations if o.incident_id == iid]
        e.regulators_done, e.regulators_pending = regulators_for(
            mine, c.country, c.subdivision, c.entity, lang
        )
        e.notices = [
            NoticeSent(o.state, o.sent_at, o.verification) for o in outbox if o.incident_id == iid
        ]
        out.append(e)
    return CustomerRecord(
        customer_pk, c.full_name, c.country, c.subdivision, entities.get(c.entity), c.entity, out
    )
