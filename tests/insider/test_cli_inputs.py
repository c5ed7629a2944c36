from __future__ import annotations

import gzip
import json
import zipfile
from pathlib import Path

from breachdesk.cli.main import run
from breachdesk.incident.affected import affected_customers
from breachdesk.insider.attribute import attribute_dump
from tests.insider.conftest import Registry
from tests.insider.leaks import read_rows

CANARY = ".shop-canary.example"


def export_via_cli(tmp: Path, capsys, fmt: str = "csv") -> Path:  # type: ignore[no-untyped-def]
    out = tmp / f"acme.{fmt}"
    code = run(
        [
            "export",
            "--to", "Acme Marketing", "--by", "j.doe", "--purpose", "newsletter",
            "--where", "country=GB,DE", "--format", fmt, "--out", str(out),
            "--columns", "customer_id,full_name,email,phone,country",
        ]
    )  # fmt: skip
    assert code == 0
    assert "canaries written" in capsys.readouterr().out
    return out


def test_cli_export_then_attribute_json_opens_an_insider_incident(
    registry: Registry, tmp_path: Path, capsys, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("breachdesk.incident.attribution.ATTACH_BATCH", 7)  # 6 lists
    out = export_via_cli(tmp_path, capsys)
    rows = read_rows(out)
    real = [r for r in rows if not r["email"].endswith(CANARY)][:40]
    combo = tmp_path / "combo.txt"
    combo.write_text("".join(f"{r['email']}:Hunter{i}!\n" for i, r in enumerate(real[:20])))
    doc = tmp_path / "dump.json"
    doc.write_text(
        json.dumps({"users": [{"n": r["full_name"], "mail": r["email"]} for r in real[20:]]})
    )
    assert run(["attribute", str(combo), str(doc), "--json", "--open-incident"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["matched"] == 40
    assert result["elements"]["password"] == 20
    assert result["elements"]["name"] == 20
    assert result["cause"] == "insider"
    assert result["exports"][0]["exporter"] == "j.doe" and result["exports"][0]["named"]
    people = affected_customers(registry.store, result["incident_id"])
    assert len(people) == 40
    assert sum("password" in p.fields for p in people) == 20
    assert sum("name" in p.fields for p in people) == 20


def test_export_formats_hold_canaries(registry: Registry, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    import pyarrow.parquet as pq

    pq_out = export_via_cli(tmp_path, capsys, "parquet")
    emails = pq.read_table(pq_out).column("email").to_pylist()
    jl_out = export_via_cli(tmp_path, capsys, "jsonl")
    jl = [json.loads(line)["email"] for line in jl_out.read_text().splitlines()]
    for col in (emails, jl):
        assert 1 <= sum(e.endswith(CANARY) for e in col) <= 44
        assert len(col) == len(set(col))


def test_bad_inputs_are_reported_and_the_rest_processed(registry: Registry, tmp_path: Path) -> None:
    rows = [r for r in read_rows_of_registry(registry)][:30]
    good = tmp_path / "good.csv.gz"
    good.write_bytes(gzip.compress("\n".join(rows[:10]).encode()))
    truncated = tmp_path / "cut.txt.gz"
    truncated.write_bytes(gzip.compress("\n".join(rows[10:30]).encode() * 50)[:-40])
    junk = tmp_path / "junk.bin"
    junk.write_bytes(bytes(range(256)) * 100)
    broken_zip = tmp_path / "broken.zip"
    with zipfile.ZipFile(broken_zip, "w") as zf:
        zf.writestr("a.txt", "\n".join(rows[:5]))
    broken_zip.write_bytes(broken_zip.read_bytes()[:-30])
    nothing = tmp_path / "prose.txt"
    nothing.write_text("nothing to see here, just words and @media queries\n")

    att = attribute_dump(
        registry.store, registry.hasher, registry.index, [good, truncated, junk, broken_zip]
    )
    reasons = {Path(p["source"].split("!")[0]).name: p["reason"] for p in att.problems}
    assert "binary" in reasons["junk.bin"]
    assert "truncated" in reasons["cut.txt.gz"]  # the compressed file is named
    assert "zip" in reasons["broken.zip"]
    assert att.matched >= 10  # good.csv.gz fully, plus what came before the cut

    empty = attribute_dump(registry.store, registry.hasher, registry.index, [nothing])
    assert empty.matched == 0 and empty.exports == [] and empty.cause == "unknown"


def test_cli_zero_matched_is_a_report_not_an_error(
    registry: Registry, tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    nothing = tmp_path / "prose.txt"
    nothing.write_text("no identifiers at all\n")
    assert run(["attribute", str(nothing)]) == 0
    assert "0 matched" in capsys.readouterr().out


def read_rows_of_registry(registry: Registry) -> list[str]:
    from sqlalchemy import select

    from breachdesk.store.models import Customer

    with registry.store.sessions() as s:
        return [f"{e},{n}" for e, n in s.execute(select(Customer.email, Customer.full_name))]


def test_insider_scene_runs_end_to_end(registry: Registry, tmp_path: Path) -> None:
    from rich.console import Console

    from breachdesk.samples.insider_scene import run_insider_scene

    console = Console(record=True, width=160)
    result = run_insider_scene(registry.store, registry.cfg, tmp_path / "demo", console)
    assert result.named == [result.export_uid]
    assert result.alerts == 1 and result.incident_id is not None
    assert 0 < result.matched <= result.leaked_rows
    text = console.export_text()
    assert "ALERT" in text and "named" in text


def test_attribute_adds_to_an_existing_incident(registry: Registry, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from breachdesk.incident.lifecycle import NewIncident, open_incident
    from breachdesk.store.models.base import utcnow

    inc = open_incident(
        registry.store, NewIncident("list on a forum", "unknown", utcnow()), "tester"
    )
    out = export_via_cli(tmp_path, capsys)
    real = [r for r in read_rows(out) if not r["email"].endswith(CANARY)]
    first = tmp_path / "part1.txt"
    first.write_text("\n".join(f"{r['full_name']} <{r['email']}>" for r in real[:10]))
    second = tmp_path / "part2.txt"
    second.write_text("\n".join(f"{r['email']};{r['phone']}" for r in real[5:15]))
    assert run(["attribute", str(first), "--incident", str(inc.id)]) == 0
    assert run(["attribute", str(second), "--incident", str(inc.id), "--json"]) == 0
    capsys.readouterr()
    people = {p.customer_pk: p.fields for p in affected_customers(registry.store, inc.id)}
    assert len(people) == 15  # 10 + 10 with 5 in both
    assert sum("name" in f for f in people.values()) == 10
    with_phone = [r for r in real[5:15] if r["phone"]]
    assert sum("phone" in f for f in people.values()) == len(with_phone)
    assert run(["attribute", str(first), "--incident", "999"]) == 2
