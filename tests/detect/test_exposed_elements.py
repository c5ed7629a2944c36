"""Issue 8: a name counts only apart from the address; escaped names are decoded and masked."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from breachdesk.detect.findings import iter_findings
from breachdesk.detect.scanner import scan_paths
from breachdesk.registry.entities import load_entities
from breachdesk.registry.importer import import_registry
from breachdesk.registry.index import build_index
from breachdesk.settings import Settings
from breachdesk.store import Store
from breachdesk.workspace import hasher

PEOPLE = [
    ("p1", "oliver.bennett@example.co.uk", "Oliver Bennett", "GB", "", "shop-uk", ""),
    ("p2", "f.lefevre@example.fr", "François Lefèvre", "FR", "", "shop-fr", ""),
]


@pytest.fixture
def people(store: Store, settings: Settings, tmp_path: Path) -> Store:
    src = tmp_path / "people.csv"
    with src.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(
            ["customer_id", "email", "full_name", "country", "subdivision", "entity", "phone"]
        )
        w.writerows(PEOPLE)
    summary = import_registry(
        store, src, load_entities(settings.entities_path), settings.rejects_dir
    )
    assert summary.rejected == 0
    build_index(store, hasher(settings), settings.index_dir)
    return store


def _scan(
    store: Store, settings: Settings, tmp_path: Path, bodies: list[str]
) -> dict[str, tuple[str, str]]:
    log = tmp_path / "responses.jsonl"
    lines = [
        json.dumps({"ts": "2026-11-21T13:05:00Z", "viewer": None, "url": "/x", "body": b})
        for b in bodies
    ]
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    scan_paths(store, settings, [log], workers=1)
    return {f.customer_id: (",".join(f.fields), f.snippet) for f in iter_findings(store)}


def test_a_name_inside_the_address_is_not_an_exposed_name(
    people: Store, settings: Settings, tmp_path: Path
) -> None:
    got = _scan(
        people, settings, tmp_path, ["<p>contact oliver.bennett@example.co.uk for returns</p>"]
    )
    assert got["p1"][0] == "email"


def test_a_name_apart_from_the_address_counts(
    people: Store, settings: Settings, tmp_path: Path
) -> None:
    got = _scan(
        people, settings, tmp_path, ["<td>Oliver Bennett</td><td>oliver.bennett@example.co.uk</td>"]
    )
    assert got["p1"][0] == "email,name"
    assert "Oliver" not in got["p1"][1] and "Bennett" not in got["p1"][1]


@pytest.mark.parametrize(
    "body",
    [
        '{"first":"Fran\\u00e7ois","last":"Lef\\u00e8vre","email":"f.lefevre@example.fr"}',
        "<td>Fran&ccedil;ois</td><td>Lef&egrave;vre</td><td>f.lefevre&#64;example.fr</td>",
        "<td>Fran&#231;ois Lef&#xe8;vre</td> f.lefevre%40example.fr",
    ],
)
def test_escaped_names_are_decoded_matched_and_masked(
    people: Store, settings: Settings, tmp_path: Path, body: str
) -> None:
    fields, snip = _scan(people, settings, tmp_path, [body])["p2"]
    assert fields == "email,name"
    low = snip.lower()
    for leaked in (
        "fran\\u00e7ois",
        "françois",
        "fran&ccedil;ois",
        "lef\\u00e8vre",
        "lefèvre",
        "lefevre@",
    ):
        assert leaked not in low, snip
    assert "F***" in snip and "L***" in snip
