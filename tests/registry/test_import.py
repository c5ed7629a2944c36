from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import func, select

from breachdesk.cli.main import run
from breachdesk.errors import ConfigError, InputError
from breachdesk.registry.entities import load_entities
from breachdesk.registry.importer import import_registry
from breachdesk.registry.index import MatchIndex, build_index
from breachdesk.registry.normalize import normalise_email
from breachdesk.settings import Settings
from breachdesk.store import Store
from breachdesk.store.models import Customer
from breachdesk.workspace import hasher

ROWS = [
    {
        "customer_id": "c1",
        "email": "Alice@Example.com",
        "full_name": "Alice Smith",
        "country": "GB",
        "subdivision": "",
        "entity": "shop-uk",
        "locale": "en_GB",
        "phone": "020 7946 0018",
    },
    {
        "customer_id": "c2",
        "email": "bob@bücher.de",
        "full_name": "Bob Müller",
        "country": "DE",
        "subdivision": "DE-BY",
        "entity": "shop-de",
        "locale": "de",
        "phone": "",
    },
    {
        "customer_id": "c3",
        "email": "carol@example.com",
        "full_name": "Carol Jones",
        "country": "US",
        "subdivision": "CA",
        "entity": "shop-us",
        "locale": "en_US",
        "phone": "(201) 555-0123",
    },
    {
        "customer_id": "c4",
        "email": "not-an-email",
        "full_name": "Dan",
        "country": "GB",
        "subdivision": "",
        "entity": "shop-uk",
        "locale": "",
        "phone": "",
    },
    {
        "customer_id": "c5",
        "email": "erin@example.com",
        "full_name": "Erin",
        "country": "UK",
        "subdivision": "",
        "entity": "shop-uk",
        "locale": "",
        "phone": "",
    },
    {
        "customer_id": "c6",
        "email": "f@example.com",
        "full_name": "",
        "country": "GB",
        "subdivision": "",
        "entity": "shop-uk",
        "locale": "",
        "phone": "",
    },
    {
        "customer_id": "c7",
        "email": "g@example.com",
        "full_name": "Gus",
        "country": "FR",
        "subdivision": "",
        "entity": "shop-nowhere",
        "locale": "fr",
        "phone": "",
    },
]


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


def count(store: Store) -> int:
    with store.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(Customer)) or 0)


def test_csv_import_upserts_and_rejects(store: Store, settings: Settings, tmp_path: Path) -> None:
    ents = load_entities(settings.entities_path)
    src = write_csv(tmp_path / "customers.csv", ROWS)
    s1 = import_registry(store, src, ents, settings.rejects_dir)
    assert (s1.rows_read, s1.inserted, s1.updated, s1.rejected) == (7, 3, 0, 4)
    assert count(store) == 3
    text = Path(s1.rejects_file or "").read_text(encoding="utf-8")
    rejects = list(csv.DictReader(text.splitlines()))
    reasons = {(r["row"], r["field"]) for r in rejects if r["severity"] == "rejected"}
    assert reasons == {("4", "email"), ("5", "country"), ("6", "full_name"), ("7", "entity")}
    # no raw PII in the rejects file
    assert "not-an-email" not in text and "erin@" not in text
    # idempotent: the same file again updates, inserts nothing
    s2 = import_registry(store, src, ents, settings.rejects_dir)
    assert (s2.inserted, s2.updated) == (0, 3)
    assert count(store) == 3
    with store.sessions() as s:
        c3 = s.scalars(select(Customer).where(Customer.customer_id == "c3")).one()
        c2 = s.scalars(select(Customer).where(Customer.customer_id == "c2")).one()
    assert c3.subdivision == "US-CA" and c3.phone == "+12015550123"
    assert c2.email_norm == "bob@xn--bcher-kva.de"


def test_upsert_changes_a_customer(store: Store, settings: Settings, tmp_path: Path) -> None:
    ents = load_entities(settings.entities_path)
    import_registry(store, write_csv(tmp_path / "a.csv", ROWS[:1]), ents, settings.rejects_dir)
    moved = dict(ROWS[0], email="alice.new@example.com", country="IE", entity="shop-uk")
    s = import_registry(store, write_csv(tmp_path / "b.csv", [moved]), ents, settings.rejects_dir)
    assert (s.inserted, s.updated) == (0, 1)
    with store.sessions() as ses:
        c = ses.scalars(select(Customer)).one()
    assert (c.email_norm, c.country) == ("alice.new@example.com", "IE")


def test_jsonl_and_parquet_with_column_mapping(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    ents = load_entities(settings.entities_path)
    renamed = [
        {
            "CustID": r["customer_id"],
            "E-Mail Address": r["email"],
            "Name": r["full_name"],
            "Land": r["country"],
            "entity": r["entity"],
        }
        for r in ROWS[:3]
    ]
    mapping = {"CustID": "customer_id", "E-Mail Address": "email", "Land": "country"}
    jl = tmp_path / "c.jsonl"
    jl.write_text("\n".join(json.dumps(r) for r in renamed) + "\n{broken\n", encoding="utf-8")
    s = import_registry(store, jl, ents, settings.rejects_dir, mapping)
    assert (s.inserted, s.rejected) == (3, 1)
    assert any(r.row == 4 and "JSON" in r.reason for r in s.rejects)
    pqf = tmp_path / "c.parquet"
    pq.write_table(pa.Table.from_pylist(renamed), pqf)
    s = import_registry(store, pqf, ents, settings.rejects_dir, mapping)
    assert (s.inserted, s.updated, s.rejected) == (0, 3, 0)


def test_index_is_compact_and_finds_customers(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    ents = load_entities(settings.entities_path)
    import_registry(store, write_csv(tmp_path / "c.csv", ROWS), ents, settings.rejects_dir)
    keyed = hasher(settings)
    stats = build_index(store, keyed, settings.index_dir)
    assert stats.identifiers == 5  # 3 emails + 2 valid phones
    idx = MatchIndex(settings.index_dir, keyed.fingerprint_of_key)
    assert idx.ids is not None and idx.idrows is not None
    payload = (
        idx.keys.nbytes + idx.rows.nbytes + idx.names.nbytes + idx.ids.nbytes + idx.idrows.nbytes
    )
    # emails, phones and customer ids are the identifiers: 12 bytes each, plus 4 per name
    assert payload / (stats.identifiers + stats.customers) <= 16
    assert idx.row_of_customer(keyed.customer_id("c3")) is not None
    assert idx.row_of_customer(keyed.customer_id("nobody")) is None
    found = idx.lookup(
        [
            keyed.email(normalise_email("ALICE@example.com")),
            keyed.email("nobody@example.com"),
            keyed.phone("+12015550123"),
        ]
    )
    with store.sessions() as s:
        ids = {cid: pk for cid, pk in s.execute(select(Customer.customer_id, Customer.id))}
    assert sorted(found.values()) == sorted([[ids["c1"]], [ids["c3"]]])
    raw = b"".join(p.read_bytes() for p in settings.index_dir.iterdir())
    assert b"alice" not in raw.lower() and b"example.com" not in raw


def test_index_built_with_another_key_is_refused(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    from breachdesk.registry.keyed import KeyedHasher

    build_index(store, KeyedHasher(b"k" * 32), settings.index_dir)
    with pytest.raises(ConfigError, match="another secret key"):
        MatchIndex(settings.index_dir, hasher(settings).fingerprint_of_key)


def test_missing_file_is_an_input_error(store: Store, settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a readable file"):
        import_registry(store, tmp_path / "nope.csv", {}, settings.rejects_dir)


def test_cli_import_and_key_permissions(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert oct(settings.key_path.stat().st_mode & 0o777) == "0o600"
    src = write_csv(tmp_path / "c.csv", ROWS)
    assert run(["registry", "import", str(src)]) == 3  # ROWS holds rejected rows
    out = capsys.readouterr().out
    assert "rejected" in out and "index" in out
    assert run(["registry", "import", str(src), "--map", "bogus=col"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown field 'bogus'" in err
    settings.key_path.chmod(0o644)
    assert run(["registry", "import", str(src)]) == 1
    assert "chmod 600" in capsys.readouterr().err


def test_parallel_validation_gives_the_same_result(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    ents = load_entities(settings.entities_path)
    rows = [
        dict(ROWS[i % len(ROWS)], customer_id=f"p{i}", email=f"p{i}@example.com")
        for i in range(12_000)
    ]
    rows[7000]["country"] = "XX"
    src = write_csv(tmp_path / "many.csv", rows)
    s = import_registry(store, src, ents, settings.rejects_dir, workers=2)
    bad_entity = sum(1 for r in rows if r["entity"] == "shop-nowhere")
    no_name = sum(1 for r in rows if not r["full_name"])
    uk = sum(1 for r in rows if r["country"] == "UK")
    assert s.rows_read == 12_000
    assert s.rejected == bad_entity + no_name + uk + 1
    assert s.inserted == 12_000 - s.rejected == count(store)
    assert any(r.row == 7001 and r.field == "country" for r in s.rejects)
