from __future__ import annotations

import random
from pathlib import Path

import pytest

from breachdesk.insider.attribute import attribute_dump
from breachdesk.registry.exports import ExportRequest, ExportResult, create_export
from tests.insider.conftest import Registry, registry_rows
from tests.insider.leaks import leak_csv, read_rows, sample


def make_export(reg: Registry, tmp: Path, name: str, where: dict[str, list[str]]) -> ExportResult:
    req = ExportRequest(
        recipient=f"{name} Ltd",
        exporter="j.doe",
        purpose="campaign",
        out=tmp / f"{name}.csv",
        filters=where,
    )
    return create_export(reg.store, reg.hasher, reg.entities, req)


def attribute(reg: Registry, *paths: Path):  # type: ignore[no-untyped-def]
    return attribute_dump(reg.store, reg.hasher, reg.index, list(paths))


CANARY = ".shop-canary.example"


@pytest.mark.parametrize("canaries", ["kept", "stripped"])
def test_five_percent_leak_reordered_with_noise_names_the_export(
    registry: Registry, tmp_path: Path, canaries: str
) -> None:
    gb = make_export(registry, tmp_path, "gb", {"country": ["GB"]})
    make_export(registry, tmp_path, "de", {"country": ["DE"]})
    wide = make_export(registry, tmp_path, "gbfr", {"country": ["GB", "FR"]})
    rng = random.Random(11)
    rows = sample(read_rows(Path(gb.out)), 0.05, rng)
    if canaries == "stripped":  # the leaker removed anything on our canary domains
        rows = [r for r in rows if not r["email"].endswith(CANARY)]
    dump = leak_csv(rows, tmp_path / "leak.txt", ["email", "country", "full_name"], rng)

    result = attribute(registry, dump)

    assert [e.uid for e in result.named] == [gb.uid]
    assert wide.uid not in [e.uid for e in result.named]
    named = result.named[0]
    assert named.exporter == "j.doe" and named.recipient == "gb Ltd"
    assert named.confidence > 0.999
    assert result.cause == "insider"
    real = [r for r in rows if not r["email"].endswith(CANARY)]
    assert named.canaries_found == len(rows) - len(real)
    assert named.evidence == ("canary" if named.canaries_found else "overlap")
    assert result.matched == len(real)
    assert result.elements["name"] == len(real)
    assert set(result.by_country) == {"GB"}


def test_two_overlapping_exports_both_leaked_are_both_named(
    registry: Registry, tmp_path: Path
) -> None:
    a = make_export(registry, tmp_path, "a", {"country": ["GB", "DE"]})
    b = make_export(registry, tmp_path, "b", {"country": ["DE", "FR"]})
    c = make_export(registry, tmp_path, "c", {"country": ["US"]})
    rng = random.Random(5)
    rows = sample(read_rows(Path(a.out)), 0.3, rng) + sample(read_rows(Path(b.out)), 0.3, rng)
    dump = leak_csv(rows, tmp_path / "both.csv", ["full_name", "email"], rng)

    result = attribute(registry, dump)

    assert {e.uid for e in result.named} == {a.uid, b.uid}
    assert c.uid not in {e.uid for e in result.exports}


def test_forked_workers_give_the_same_result(registry: Registry, tmp_path: Path) -> None:
    a = make_export(registry, tmp_path, "a", {"country": ["GB", "DE"]})
    rng = random.Random(8)
    rows = sample(read_rows(Path(a.out)), 0.2, rng)
    dump = leak_csv(rows, tmp_path / "leak.csv", ["email", "full_name"], rng)
    one = attribute_dump(registry.store, registry.hasher, registry.index, [dump, dump], workers=1)
    two = attribute_dump(registry.store, registry.hasher, registry.index, [dump, dump], workers=2)
    assert one.to_json() == two.to_json()
    assert one.scope() == two.scope() and one.matched > 0


@pytest.mark.parametrize(
    "shape",
    [
        "（{e}）",
        "«\u00a0{e}\u00a0»",
        "contact—{e}—today",
        "\u3000{e}\u3000",
        "mail: {e}。",
        "{e}&#12290;",
        "name,{e_upper}",
        "{e_entity}",
        "{e_json}",
        "{e_pct}",
    ],
)
def test_addresses_next_to_unicode_punctuation_and_after_a_bom(
    registry: Registry, tmp_path: Path, shape: str
) -> None:
    rows = registry_rows()[:20]
    lines = []
    for r in rows:
        e = r["email"]
        lines.append(
            shape.format(
                e=e,
                e_upper=e.upper(),
                e_entity=e.replace("@", "&#64;"),
                e_json=e.replace("@", "\\u0040"),
                e_pct=e.replace("@", "%40"),
            )
        )
    dump = tmp_path / "dump.txt"
    dump.write_bytes("\ufeff".encode() + "\n".join(lines).encode() + b"\n")
    result = attribute(registry, dump)
    assert result.matched == len(rows)
    assert result.stats.unknown_emails == 0
