"""The customer generator: deterministic, realistic, and bad rows are rejected as planted."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import numpy as np
import phonenumbers
import pytest
from sqlalchemy import func, select

from breachdesk.registry.entities import load_entities
from breachdesk.registry.importer import import_registry
from breachdesk.registry.normalize import normalise_email, normalise_phone
from breachdesk.samples.countries import CountriesFile, load_countries
from breachdesk.samples.customers import BAD_ROWS, COLUMNS, derive, write_registry
from breachdesk.settings import Settings
from breachdesk.store import Store
from breachdesk.store.models import Customer


@pytest.fixture(scope="module")
def sample() -> object:
    return derive(7, np.arange(6000, dtype=np.int64))


def test_same_seed_same_bytes_and_other_seed_differs(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    write_registry(a, 3000, seed=3, chunk=700)
    write_registry(b, 3000, seed=3, chunk=1000)
    write_registry(c, 3000, seed=4)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()


def test_any_customer_can_be_derived_alone(sample: object) -> None:
    whole = derive(7, np.arange(50, dtype=np.int64))
    some = derive(7, np.array([3, 41, 17], dtype=np.int64))
    assert [some.row(i) for i in range(3)] == [whole.row(j) for j in (3, 41, 17)]
    assert some.phone_e164 == [whole.phone_e164[j] for j in (3, 41, 17)]


def test_countries_entities_and_subdivisions_are_realistic(sample: object) -> None:
    c = sample
    spec = load_countries()
    entities = load_entities_seed()
    countries = Counter(c.country)
    assert len(countries) >= 10
    entity_of = {s.code: s.entity for s in spec.countries}
    assert all(entity_of[k] == e for k, e in zip(c.country, c.entity, strict=True))
    assert set(c.entity) <= set(entities)
    subs = {s for s in c.subdivision if s}
    assert {"CA-QC", "CA-ON", "US-CA", "US-NY"} <= subs
    assert any(s and "-" not in s for s in c.subdivision), "some written without the country"
    quebec = [loc for s, loc in zip(c.subdivision, c.locale, strict=True) if s == "CA-QC"]
    assert any(loc.startswith("fr") for loc in quebec)
    assert any(n.split()[0] in ("山田", "佐藤", "鈴木") or not n.isascii() for n in c.full_name)


def load_entities_seed() -> set[str]:
    import yaml

    from breachdesk.registry.entities import SEED

    return {e["id"] for e in yaml.safe_load(SEED)["entities"]}


def test_emails_are_unique_and_varied(sample: object) -> None:
    c = sample
    norm = [normalise_email(e) for e in c.email]
    assert len(set(norm)) == len(norm)
    assert any(not e.split("@")[1].isascii() for e in c.email), "some IDN domains"
    assert any(e != e.lower() for e in c.email), "some mixed case"


def test_phones_are_valid_unique_and_written_in_mixed_formats(sample: object) -> None:
    c = sample
    with_phone = [(w, e, k) for w, e, k in zip(c.phone, c.phone_e164, c.country, strict=True) if w]
    assert 0.4 < len(with_phone) / len(c) < 0.8
    for written, e164, country in with_phone:
        number = phonenumbers.parse(e164)
        assert phonenumbers.is_valid_number(number), e164
        assert phonenumbers.region_code_for_number(number) == country
        assert normalise_phone(written, country) == e164
    assert len({e for _, e, _ in with_phone}) == len(with_phone)
    starts = Counter("+" if w.startswith("+") else "national" for w, _, _ in with_phone)
    assert starts["+"] and starts["national"]


def test_countries_file_rejects_an_unknown_name_list() -> None:
    raw = load_countries().model_dump()
    raw["countries"][0]["names"] = "klingon"
    with pytest.raises(ValueError, match="unknown name list"):
        CountriesFile.model_validate(raw)


def test_rows_import_and_bad_rows_land_in_rejects(
    tmp_path: Path, store: Store, settings: Settings
) -> None:
    path = tmp_path / "customers.csv"
    n = 4000
    planted = write_registry(path, n, seed=5)
    assert len(planted) == len(BAD_ROWS) + 1
    with path.open(newline="", encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    assert tuple(header) == COLUMNS
    summary = import_registry(
        store, path, load_entities(settings.entities_path), settings.rejects_dir, workers=1
    )
    got = {(r.row, r.severity, r.field) for r in summary.rejects}
    assert got == {(p.row, p.severity, p.field) for p in planted}
    rejected = sum(1 for p in planted if p.severity == "rejected")
    warned = [p for p in planted if p.severity == "warning"]
    assert summary.rows_read == n + len(planted)
    assert summary.rejected == rejected
    assert summary.warnings == len(warned)
    # warning rows are imported; the repeated id replaces its original, so it adds nothing
    with store.sessions() as session:
        count = session.scalar(select(func.count()).select_from(Customer))
    assert count == n + len(warned) - 1
    assert summary.rejects_file is not None and Path(summary.rejects_file).exists()
