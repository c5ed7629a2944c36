"""A small registry, imported and indexed, for the scanner tests."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import pytest

from breachdesk.registry.entities import load_entities
from breachdesk.registry.importer import import_registry
from breachdesk.registry.index import build_index
from breachdesk.settings import Settings
from breachdesk.store import Store
from breachdesk.workspace import hasher

CUSTOMERS = [
    ("c1", "alice@example.com", "Alice Smith", "GB", "", "shop-uk", "+44 20 7946 0018"),
    ("c2", "bob@bücher.de", "Bob Müller", "DE", "DE-BY", "shop-de", ""),
    ("c3", "carol@example.com", "Carol Jones", "US", "US-CA", "shop-us", "(201) 555-0123"),
    ("c4", "dave@example.fr", "Dave Martin", "FR", "", "shop-fr", ""),
    ("c5", "José.García@correo.es", "José García", "ES", "", "shop-es", ""),
]


@dataclass
class Registry:
    store: Store
    settings: Settings


@pytest.fixture
def registry(store: Store, settings: Settings, tmp_path: Path) -> Registry:
    src = tmp_path / "customers.csv"
    with src.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(
            ["customer_id", "email", "full_name", "country", "subdivision", "entity", "phone"]
        )
        w.writerows(CUSTOMERS)
    summary = import_registry(
        store, src, load_entities(settings.entities_path), settings.rejects_dir
    )
    assert summary.rejected == 0
    build_index(store, hasher(settings), settings.index_dir)
    return Registry(store, settings)
