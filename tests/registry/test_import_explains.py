"""Registry import explains itself: delimiter and encoding sniffed, the header checked
once, encoding errors per row, an empty file a warning (exit 3), and customers whose
locale has no notice catalog reported with the fallback."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from breachdesk.cli.main import run
from breachdesk.registry.entities import load_entities
from breachdesk.registry.importer import import_registry, notice_locales
from breachdesk.registry.normalize import NormaliseError, normalise_phone
from breachdesk.settings import Settings
from breachdesk.store import Store

HEADER = "customer_id;email;full_name;country;entity;locale;phone\n"


def _import(store: Store, settings: Settings, path: Path) -> object:
    ents = load_entities(settings.entities_path)
    return import_registry(store, path, ents, settings.rejects_dir)


def test_semicolon_csv_is_sniffed(store: Store, settings: Settings, tmp_path: Path) -> None:
    src = tmp_path / "c.csv"
    src.write_text(
        HEADER
        + "c1;alice@example.com;Alice Smith;GB;shop-uk;en_GB;020 7946 0018\n"
        + "c2;bob@example.de;Bob Müller;DE;shop-de;de;\n",
        "utf-8",
    )
    s = _import(store, settings, src)
    assert (s.rows_read, s.inserted, s.rejected) == (2, 2, 0)  # type: ignore[attr-defined]


def test_header_missing_columns_named_once(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "c.csv"
    src.write_text("id,mail,country\n1,a@example.com,GB\n2,b@example.com,GB\n", "utf-8")
    assert run(["registry", "import", str(src)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "lacks required column(s) full_name, entity" in err
    assert "'id', 'mail', 'country'" in err and "--map" in err


def test_one_latin1_row_is_one_reject_with_its_row_number(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    good = "c{n};p{n}@example.com;Zoë {n};FR;shop-fr;fr;\n"
    body = HEADER.encode() + b"".join(good.format(n=i).encode("utf-8") for i in range(1, 4))
    body += "c9;x@example.com;Ren\xe9e;FR;shop-fr;fr;\n".encode("latin-1")
    src = tmp_path / "mixed.csv"
    src.write_bytes(body)
    s = _import(store, settings, src)
    assert s.rows_read == 4 and s.inserted == 3 and s.rejected == 1  # type: ignore[attr-defined]
    bad = [r for r in s.rejects if r.severity == "rejected"]  # type: ignore[attr-defined]
    assert bad[0].row == 4 and "not UTF-8" in bad[0].reason and "0xE9" in bad[0].reason


def test_a_windows_1252_file_is_read_as_such(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    src = tmp_path / "cp.csv"
    src.write_bytes((HEADER + "c1;r@example.com;Renée Noël;FR;shop-fr;fr;\n").encode("cp1252"))
    s = _import(store, settings, src)
    assert s.inserted == 1 and s.rejected == 0  # type: ignore[attr-defined]
    from breachdesk.store.models import Customer

    with store.sessions() as session:
        assert session.query(Customer.full_name).scalar() == "Renée Noël"


def test_empty_file_is_a_warning_with_exit_3(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "empty.csv"
    src.write_bytes(b"")
    assert run(["registry", "import", str(src)]) == 3
    assert "no customer rows" in capsys.readouterr().err


def test_locale_without_catalog_reports_the_fallback(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "pt" not in notice_locales() and {"en", "de", "fr"} <= notice_locales()
    src = tmp_path / "l.csv"
    src.write_text(
        HEADER
        + "c1;a@example.com;Ana;DE;shop-de;pt_BR;\n"
        + "c2;b@example.com;Bo;FR;shop-fr;fr_CA;\n",
        "utf-8",
    )
    assert run(["registry", "import", str(src)]) == 0  # warnings only: all rows imported
    out = capsys.readouterr().out.replace("\n", "")
    assert "1 customers with locale 'pt_BR': no notice catalog" in out
    assert "notices fall back to 'de'" in out  # shop-de's language has a catalog
    assert "fr_CA" not in out


@pytest.mark.parametrize("phone", ["0", "0" * 5000, "+", "00"])
def test_hostile_phones_are_a_normalise_error(phone: str) -> None:
    with pytest.raises(NormaliseError):
        normalise_phone(phone, "GB")


def test_hostile_phones_do_not_stop_the_import(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    src = tmp_path / "p.csv"
    src.write_text(
        HEADER
        + "c1;a@example.com;A;GB;shop-uk;en_GB;0\n"
        + f"c2;b@example.com;B;GB;shop-uk;en_GB;{'9' * 5000}\n",
        "utf-8",
    )
    s = _import(store, settings, src)
    assert s.inserted == 2 and s.warnings == 2  # type: ignore[attr-defined]


def test_jsonl_huge_number_and_bad_bytes_are_row_rejects(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    src = tmp_path / "r.jsonl"
    ok = (
        '{"customer_id":"c1","email":"a@example.com","full_name":"Zoë","country":"GB",'
        '"entity":"shop-uk"}\n'
    ).encode()
    src.write_bytes(ok + b'{"customer_id":' + b"9" * 5000 + b"}\n" + b'{"full_name":"\xe9"}\n')
    s = _import(store, settings, src)
    reasons = [(r.row, r.reason) for r in s.rejects]  # type: ignore[attr-defined]
    assert s.inserted == 1 and [n for n, _ in reasons] == [2, 3]  # type: ignore[attr-defined]
    assert "not UTF-8" in reasons[1][1]


def test_damaged_parquet_page_keeps_rows_before_it(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    rows = [
        {
            "customer_id": f"c{i}",
            "email": f"p{i}@example.com",
            "full_name": f"P {i}",
            "country": "GB",
            "entity": "shop-uk",
        }
        for i in range(40)
    ]
    src = tmp_path / "r.parquet"
    pq.write_table(pa.Table.from_pylist(rows), src, row_group_size=10, compression="NONE")
    data = bytearray(src.read_bytes())
    mid = len(data) // 2
    data[mid : mid + 64] = b"\xff" * 64  # a damaged page in a middle row group
    src.write_bytes(bytes(data))
    s = _import(store, settings, src)
    bad = [r for r in s.rejects if r.severity == "rejected"]  # type: ignore[attr-defined]
    assert len(bad) == 1 and "is damaged" in bad[0].reason and "rows 31-40" in bad[0].reason
    assert s.inserted == 30  # type: ignore[attr-defined]
