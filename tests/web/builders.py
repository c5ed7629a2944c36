"""A small world for the web tests: customers in several countries (non-ASCII names,
an internationalised domain), an incident with findings seen by others, the
obligations the law engine decides, and the outbox rows notify plans."""

from __future__ import annotations

import csv
import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update

from breachdesk.incident.attach import attach_scan
from breachdesk.incident.lifecycle import NewIncident, open_incident
from breachdesk.incident.obligations import refresh_obligations, set_obligation_status
from breachdesk.notify.plan import plan
from breachdesk.registry.entities import load_entities
from breachdesk.registry.importer import import_registry
from breachdesk.settings import Settings
from breachdesk.store import Store
from breachdesk.store.models import Customer, Finding, ScanRun
from breachdesk.store.models.base import utcnow
from breachdesk.store.models.incidents import ObligationRow
from breachdesk.store.models.outbox import OutboxRow

# (customer_id, email, name, country, subdivision, entity, locale)
CUSTOMERS = [
    ("de1", "jurgen@example.de", "Jürgen Müller", "DE", "DE-BY", "shop-de", "de-DE"),
    ("de2", "anna@bücher.example", "Anna Weiß", "DE", "DE-BE", "shop-de", "de-DE"),
    ("fr1", "dave@example.fr", "Dave Martin", "FR", "", "shop-fr", "fr-FR"),
    ("fr2", "zoe@example.fr", "Zoé Lefèvre", "FR", "", "shop-fr", "fr-FR"),
    ("gb1", "alice@example.co.uk", "Alice Smith", "GB", "", "shop-uk", "en-GB"),
    ("gb2", "adam@example.co.uk", "Adam Brown", "GB", "", "shop-uk", "en-GB"),
    ("gb3", "quiet@example.co.uk", "Quinn Ayre", "GB", "", "shop-uk", "en-GB"),  # not affected
]
AFFECTED = ["de1", "de2", "fr1", "fr2", "gb1"]
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)


@dataclass
class World:
    store: Store
    settings: Settings
    incident_id: int

    def email(self, customer_id: str) -> str:
        return next(c[1] for c in CUSTOMERS if c[0] == customer_id)

    def pk(self, customer_id: str) -> int:
        with self.store.session() as s:
            pk = s.scalar(select(Customer.id).where(Customer.customer_id == customer_id))
        assert pk is not None
        return pk

    def notice_code(self, customer_id: str) -> str:
        with self.store.session() as s:
            code = s.scalar(
                select(OutboxRow.verification).where(OutboxRow.customer_pk == self.pk(customer_id))
            )
        assert code is not None
        return code

    def mark_sent(self, customer_ids: list[str]) -> None:
        pks = [self.pk(c) for c in customer_ids]
        with self.store.session() as s:
            s.execute(
                update(OutboxRow)
                .where(OutboxRow.customer_pk.in_(pks))
                .values(state="sent", sent_at=utcnow(), queue_id="TEST")
            )


def build_world(store: Store, settings: Settings, tmp: Path) -> World:
    src = tmp / "customers.csv"
    with src.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(
            ["customer_id", "email", "full_name", "country", "subdivision", "entity", "locale"]
        )
        w.writerows(CUSTOMERS)
    summary = import_registry(
        store, src, load_entities(settings.entities_path), settings.rejects_dir
    )
    assert summary.rejected == 0, summary.rejects
    return World(store, settings, add_incident(store, settings, T0))


def add_incident(store: Store, settings: Settings, t0: datetime, title: str = "") -> int:
    """One incident over the customers above, aware 30 h after ``t0``; returns its id."""
    pks = {c[0]: 0 for c in CUSTOMERS}
    with store.session() as s:
        for cid, pk in s.execute(select(Customer.customer_id, Customer.id)):
            pks[cid] = pk
    exposures = [  # (customer, fields, viewer, offset)
        ("de1", "email,name,password", "gb2", 1 * H),
        ("de1", "email,name,password", "fr2", 3 * H),
        ("de2", "email,name", "public", 2 * H),
        ("fr1", "email,phone", "gb2", 4 * H),
        ("fr2", "email,name", "de1", 5 * H),
        ("gb1", "email,name", "fr1", 26 * H),
    ]
    n = itertools.count(1)
    with store.session() as s:
        run = ScanRun(started_at=t0, finished_at=t0, paths=["pages.jsonl"], status="done")
        s.add(run)
        s.flush()
        for cid, fields, viewer, offset in exposures:
            i = next(n)
            s.add(
                Finding(
                    scan_id=run.id,
                    customer_pk=pks[cid],
                    fields=fields,
                    source="pages.jsonl",
                    locator=f"line {i}",
                    url="/account",
                    seen_at=t0 + offset,
                    viewer=viewer,
                    snippet="[redacted]",
                    fingerprint=f"{int(t0.timestamp()):016x}{i:016x}",
                )
            )
        scan_id = run.id
    inc = open_incident(
        store,
        NewIncident(
            title or "Account pages served from cache to other shoppers",
            "technical-error",
            t0 + 30 * H,
            window_start=t0,
            window_end=t0 + 27 * H,
            measures="Turned off caching of account pages.",
        ),
        "tester",
    )
    attach_scan(store, inc.id, scan_id, "tester")
    refresh_obligations(store, settings, inc.id, "tester")
    with store.session() as s:
        bfdi = s.scalars(
            select(ObligationRow).where(
                ObligationRow.incident_id == inc.id,
                ObligationRow.recipient_kind == "regulator",
                ObligationRow.entity == "shop-de",
            )
        ).first()
    if bfdi is not None:
        set_obligation_status(store, inc.id, str(bfdi.id), "done", "tester")
    plan(store, settings, inc.id)
    return inc.id
