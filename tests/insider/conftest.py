"""A small multi-country registry imported through the real importer, with its index."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest

from breachdesk.registry.entities import Entity, load_entities
from breachdesk.registry.importer import import_registry
from breachdesk.registry.index import MatchIndex, build_index
from breachdesk.registry.keyed import KeyedHasher
from breachdesk.settings import Settings
from breachdesk.store import Store
from breachdesk.workspace import hasher

GIVEN = ["Anna", "Ben", "Clara", "David", "Elena", "Felix", "Grace", "Hugo", "Ines", "Jonas"]
FAMILY = ["Archer", "Baker", "Castillo", "Dupont", "Eriksen", "Fischer", "Greco", "Hale"]
COUNTRIES = [("GB", "shop-uk"), ("DE", "shop-de"), ("FR", "shop-fr"), ("US", "shop-us")]
REGISTRY_SIZE = 3000


def registry_rows(n: int = REGISTRY_SIZE, seed: int = 7) -> list[dict[str, str]]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        country, entity = COUNTRIES[i % len(COUNTRIES)]
        given, family = rng.choice(GIVEN), rng.choice(FAMILY)
        rows.append(
            {
                "customer_id": f"C{100000 + i}",
                "email": f"{given.lower()}.{family.lower()}{i}@mail{i % 7}.example.com",
                "full_name": f"{given} {family}",
                "country": country,
                "entity": entity,
                "phone": f"+44 7700 900{i:03d}" if country == "GB" and i < 1000 else "",
            }
        )
    return rows


class Registry:
    def __init__(self, cfg: Settings, store: Store) -> None:
        self.cfg = cfg
        self.store = store
        self.hasher: KeyedHasher = hasher(cfg)
        self.entities: dict[str, Entity] = load_entities(cfg.entities_path)
        self.index = MatchIndex(cfg.index_dir, self.hasher.fingerprint_of_key)


@pytest.fixture
def registry(settings: Settings, store: Store, tmp_path: Path) -> Registry:
    src = tmp_path / "customers.csv"
    rows = registry_rows()
    with src.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    entities = load_entities(settings.entities_path)
    import_registry(store, src, entities, settings.rejects_dir, {}, None)
    build_index(store, hasher(settings), settings.index_dir)
    return Registry(settings, store)
