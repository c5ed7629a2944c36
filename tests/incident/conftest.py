"""A registry with customers in GB, DE, FR, US-CA, US-TX, CA-ON, JP (+ one unknown
subdivision), and helpers that store scan findings the way the scanner does."""

from __future__ import annotations

import csv
import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from breachdesk.incident.attach import attach_scan
from breachdesk.incident.lifecycle import NewIncident, open_incident
from breachdesk.registry.entities import load_entities
from breachdesk.registry.importer import import_registry
from breachdesk.registry.index import build_index
from breachdesk.settings import Settings
from breachdesk.store import Store
from breachdesk.store.models import Customer, Finding, ScanRun
from breachdesk.workspace import hasher

# (customer_id, email, name, country, subdivision, entity, locale)
CUSTOMERS = [
    ("gb1", "alice@example.co.uk", "Alice Smith", "GB", "", "shop-uk", "en-GB"),
    ("gb2", "adam@example.co.uk", "Adam Brown", "GB", "", "shop-uk", "en-GB"),
    ("de1", "bob@example.de", "Bob Müller", "DE", "DE-BY", "shop-de", "de-DE"),
    ("fr1", "dave@example.fr", "Dave Martin", "FR", "", "shop-fr", "fr-FR"),
    ("ca1", "carol@example.com", "Carol Jones", "US", "US-CA", "shop-us", "en-US"),
    ("tx1", "tom@example.com", "Tom Hill", "US", "US-TX", "shop-us", "en-US"),
    ("on1", "olivia@example.ca", "Olivia Roy", "CA", "CA-ON", "shop-ca", "en-CA"),
    ("jp1", "kenji@example.jp", "Kenji Sato", "JP", "", "shop-jp", "ja-JP"),
    ("es1", "jose@example.es", "José García", "ES", "", "shop-es", "es-ES"),
    ("it1", "gia@example.it", "Gia Rossi", "IT", "", "shop-it", "it-IT"),
]
T0 = datetime(2018, 11, 20, 9, 0, tzinfo=UTC)


@dataclass
class World:
    store: Store
    settings: Settings
    tmp: Path
    _fp: itertools.count[int]

    def pk(self, customer_id: str) -> int:
        with self.store.session() as s:
            pk = s.scalar(select(Customer.id).where(Customer.customer_id == customer_id))
        assert pk is not None
        return pk

    def scan(self, exposures: list[tuple[str, str, str, timedelta]], started: datetime = T0) -> int:
        """Store one scan run with findings (customer_id, fields, viewer, offset from T0)."""
        with self.store.session() as s:
            run = ScanRun(
                started_at=started, finished_at=started, paths=["log.jsonl"], status="done"
            )
            s.add(run)
            s.flush()
            for cid, fields, viewer, offset in exposures:
                n = next(self._fp)
                s.add(
                    Finding(
                        scan_id=run.id,
                        customer_pk=self.pk(cid),
                        fields=fields,
                        source="log.jsonl",
                        locator=f"line {n}",
                        url="/account",
                        seen_at=T0 + offset,
                        viewer=viewer,
                        snippet="[redacted]",
                        fingerprint=f"{n:032x}",
                    )
                )
            return run.id


@pytest.fixture
def world(store: Store, settings: Settings, tmp_path: Path) -> World:
    src = tmp_path / "customers.csv"
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
    build_index(store, hasher(settings), settings.index_dir)
    return World(store, settings, tmp_path, itertools.count(1))


H = timedelta(hours=1)
AWARE = datetime(2018, 11, 22, 8, 30, tzinfo=UTC)


def case_2018(world: World) -> int:
    """The 2018 technical error: names and emails shown to other shoppers (+1 unknown state)."""
    with world.store.session() as s:  # a US customer whose state is not known
        s.add(
            Customer(
                customer_id="us9",
                email="x@example.net",
                email_norm="x@example.net",
                full_name="Pat Doe",
                country="US",
                subdivision=None,
                entity="shop-us",
                locale=None,
            )
        )
    sid = world.scan(
        [
            ("gb1", "email,name", "de1", 1 * H),
            ("de1", "email,name", "gb2", 2 * H),
            ("fr1", "email,name", "gb2", 2 * H),
            ("ca1", "email,name", "tx1", 5 * H),
            ("tx1", "email,name", "ca1", 5 * H),
            ("on1", "email,name", "jp1", 30 * H),
            ("jp1", "email,name", "on1", 40 * H),
            ("jp1", "email", "gb2", 41 * H),
            ("us9", "email", "gb2", 41 * H),
        ]
    )
    iid = open_incident(
        world.store, NewIncident("2018 account page mix-up", "technical-error", AWARE), "tester"
    ).id
    attach_scan(world.store, iid, sid, "tester")
    return iid
