"""An incident whose affected customers span every shipped locale, plus bad rows,
and a running SMTP sink that verifies DKIM against the workspace keys."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from breachdesk.incident.lifecycle import NewIncident, open_incident, set_locale_texts
from breachdesk.notify.dkim_keys import public_keys
from breachdesk.notify.sender import SendOptions
from breachdesk.notify.smtp_sink import SmtpSink
from breachdesk.registry.entities import load_entities
from breachdesk.settings import Settings
from breachdesk.store import Store
from breachdesk.store.models import Customer
from breachdesk.store.models.incidents import IncidentCustomer

# (customer_id, email, name, country, subdivision, entity, locale, fields)
GOOD = [
    ("gb1", "alice@example.co.uk", "Alice Smith", "GB", None, "shop-uk", "en-GB", "email,name"),
    ("de1", "bob@example.de", "Bob Müller", "DE", "DE-BY", "shop-de", "de-DE", "email,password"),
    ("fr1", "dave@example.fr", "Dave Martin", "FR", None, "shop-fr", "fr-FR", "email,phone"),
    ("es1", "jose@example.es", "José García", "ES", None, "shop-es", "es-ES", "email,name"),
    ("it1", "gia@example.it", "Gia Rossi", "IT", None, "shop-it", "it_IT", "email,name"),
    ("jp1", "kenji@example.jp", "佐藤 健二", "JP", None, "shop-jp", "ja-JP", "email,name"),
    ("ca1", "carol@example.com", "Carol Jones", "US", "US-CA", "shop-us", "en-US", "email,name"),
    ("ma1", "mary@example.com", "Mary Lee", "US", "US-MA", "shop-us", "en-US", "email,name"),
]
BAD = [
    ("bad-mail", "not-an-address", "No Mail", "GB", None, "shop-uk", "en-GB", "email"),
    ("bad-loc", "zed@example.com", "Zed Kowalski", "PL", None, "shop-de", "pl-PL", "email"),
    ("bad-ent", "ann@example.nl", "Ann de Vries", "NL", None, "shop-nl", "nl-NL", "email"),
]
AWARE = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
# The operator's measures in every language notices go out in (one language per notice).
LOCALE_MEASURES = {
    "de": {"measures": "Den Zwischenspeicher der Bestellseite abgeschaltet."},
    "fr": {"measures": "Cache de la page de commande désactivé."},
    "es": {"measures": "Desactivada la caché de la página de pedidos."},
    "it": {"measures": "Disattivata la cache della pagina degli ordini."},
    "ja": {"measures": "注文ページのキャッシュを停止しました。"},
}


@dataclass
class World:
    store: Store
    settings: Settings
    tmp: Path
    incident_id: int
    sink: SmtpSink

    def options(self, **kw: object) -> SendOptions:
        base: dict[str, object] = {
            "port": self.sink.port,
            "concurrency": 2,
            "batch": 50,
            "backoff_seconds": 0.0,
            "lease_seconds": 30.0,
            "timeout": 10.0,
        }
        base.update(kw)
        return SendOptions(**base)  # type: ignore[arg-type]


def make_incident(store: Store, rows: list[tuple[str, ...]], offset: int = 0) -> int:
    inc = open_incident(
        store,
        NewIncident(
            title="Order page showed other customers' details",
            cause="technical-error",
            became_aware_at=AWARE,
            window_start=datetime(2026, 3, 1, 8, 0, tzinfo=UTC),
            window_end=AWARE,
            measures="Disabled the order page cache.",
        ),
        "tester",
    )
    set_locale_texts(store, inc.id, "tester", LOCALE_MEASURES)
    with store.session() as s:
        for i, (cid, email, name, country, sub, entity, locale, fields) in enumerate(rows):
            c = Customer(
                customer_id=cid,
                email=email,
                email_norm=email.lower(),
                full_name=name,
                country=country,
                subdivision=sub,
                entity=entity,
                locale=locale,
            )
            s.add(c)
            s.flush()
            s.add(
                IncidentCustomer(
                    incident_id=inc.id, customer_pk=c.id, fields=fields, source=f"list:{i}"
                )
            )
    return inc.id


@pytest.fixture(scope="session")
def dkim_keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generate the entity DKIM keys once per session (RSA generation is the slow part)."""
    from breachdesk.workspace import init_workspace

    ws = tmp_path_factory.mktemp("dkim-ws")
    cfg = Settings(workspace=ws / "ws")
    init_workspace(cfg)
    public_keys(cfg, load_entities(cfg.entities_path))
    return cfg.dkim_dir


@pytest.fixture
def world(store: Store, settings: Settings, tmp_path: Path, dkim_keys: Path) -> Iterator[World]:
    shutil.copytree(dkim_keys, settings.dkim_dir)
    incident_id = make_incident(store, GOOD + BAD)
    keys = public_keys(settings, load_entities(settings.entities_path))
    with SmtpSink(tmp_path / "sink", keys) as sink:
        yield World(store, settings, tmp_path, incident_id, sink)
