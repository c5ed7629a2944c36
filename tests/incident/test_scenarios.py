"""Scenario tests through the store: public cases become incidents (findings or
affected-customer lists), and the stored obligations, deadlines and non-obligations
are asserted exactly. Each runs on SQLite and, when configured, PostgreSQL."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from breachdesk.incident.attach import attach_list
from breachdesk.incident.lifecycle import NewIncident, open_incident
from breachdesk.incident.obligations import ObligationsResult, refresh_obligations
from breachdesk.incident.risk import add_overrides, current_risk, set_answers
from breachdesk.registry.entities import load_entities
from breachdesk.registry.importer import import_registry
from breachdesk.registry.index import build_index
from breachdesk.workspace import hasher
from tests.incident.conftest import AWARE, World, case_2018

REGISTERS_2018 = {
    "*/register/shop-jp",
    "*/register/shop-us",
    "CA/register/shop-ca",
    "EU/register/shop-de",
    "EU/register/shop-fr",
    "GB/register/shop-uk",
}


def _add_customers(world: World, rows: list[tuple[str, str, str, str]], reindex: bool) -> None:
    """Import (customer_id, country, subdivision, entity) rows into the registry."""
    path = world.tmp / f"more-{len(rows)}-{rows[0][0]}.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["customer_id", "email", "full_name", "country", "subdivision", "entity"])
        for cid, country, sub, entity in rows:
            w.writerow([cid, f"{cid}@example.org", f"Person {cid}", country, sub, entity])
    s = import_registry(
        world.store, path, load_entities(world.settings.entities_path), world.settings.rejects_dir
    )
    assert s.rejected == 0, s.rejects[:3]
    if reindex:
        build_index(world.store, hasher(world.settings), world.settings.index_dir)


def _list(world: World, name: str, header: str, values: list[str]) -> Path:
    path = world.tmp / name
    path.write_text(header + "\n" + "\n".join(values) + "\n", encoding="utf-8")
    return path


def _incident(world: World, cause: str, aware: datetime = AWARE, **kw: object) -> int:
    return open_incident(world.store, NewIncident("case", cause, aware, **kw), "t").id  # type: ignore[arg-type]


def _obligations(world: World, iid: int) -> ObligationsResult:
    return refresh_obligations(world.store, world.settings, iid, "t")


def _due(result: ObligationsResult) -> dict[str, datetime | None]:
    return {r.key: r.due_at for r in result.rows}


def _not_due(result: ObligationsResult) -> set[tuple[str, str | None]]:
    return {(n.jurisdiction, n.rule_id) for n in result.assessment.non_obligations}


def test_2018_technical_error_names_and_emails_shown_to_shoppers(world: World) -> None:
    """GB, DE, FR, US-CA, US-TX, CA-ON, JP (+ one US customer without a state)."""
    iid = case_2018(world)
    r = _obligations(world, iid)
    assert r.assessment.situation.risk == "unlikely"  # SE 1.5: contact data, no malice
    assert set(_due(r)) == REGISTERS_2018  # only the internal records
    assert _not_due(r) == {
        ("CA", "ca-opc"),
        ("CA", "ca-individuals"),
        ("CA", "ca-other-orgs"),
        ("DE", "eu-sa"),
        ("DE", "eu-individuals"),
        ("FR", "eu-sa"),
        ("FR", "eu-individuals"),
        ("GB", "gb-ico"),
        ("GB", "gb-individuals"),
        ("JP", "jp-ppc-preliminary"),
        ("JP", "jp-ppc-final"),
        ("JP", "jp-ppc-final-wrongful"),
        ("JP", "jp-individuals"),
        ("US-CA", "us-ca-individuals"),
        ("US-CA", "us-ca-ag"),
        ("US-TX", "us-tx-individuals"),
        ("US-TX", "us-tx-ag"),
        ("US-TX", "us-tx-cra"),
    }
    why_ca = next(n for n in r.assessment.non_obligations if n.rule_id == "us-ca-individuals")
    assert "name + email alone" in why_ca.reason and "1798.82(h)" in why_ca.reason
    assert [(u.jurisdiction, u.residents) for u in r.assessment.unknown] == [("US", 1)]
    # The operator judges a risk (EDPB 01/2021: contact data invites phishing): each
    # EU/UK entity tells its own SA within 72 hours; the Canadian branch tells nobody in GB.
    add_overrides(world.store, iid, [("level", "risk")], "shoppers could phish", "t")
    r = _obligations(world, iid)
    due = _due(r)
    deadline = AWARE + timedelta(hours=72)
    assert {k: v for k, v in due.items() if v} == {
        "GB/ICO/shop-uk": deadline,
        "FR/CNIL/shop-fr": deadline,
        "DE/DE-SA/shop-de": deadline,
    }
    assert set(due) == REGISTERS_2018 | {"GB/ICO/shop-uk", "FR/CNIL/shop-fr", "DE/DE-SA/shop-de"}
    assert {r.entity for r in r.rows if r.jurisdiction == "GB"} == {"shop-uk"}


def test_2020_insider_emails_given_to_a_third_party(world: World) -> None:
    """An employee passed 1,200 customers' emails to a third party: a list attached
    by email (keyed hash) makes it large-scale, so the ICO is due in 72 hours."""
    rows = [(f"uk{i:04d}", "GB", "", "shop-uk") for i in range(1200)]
    _add_customers(world, rows, reindex=True)
    iid = _incident(world, "insider")
    given = _list(
        world,
        "given.csv",
        "email",
        [f"{c[0]}@example.org" for c in rows] + ["stranger@example.net"],
    )
    res = attach_list(world.store, world.settings, iid, given, "t")
    assert (res.added, res.unmatched) == (1200, [(1202, "email not in the registry")])
    risk = current_risk(world.store, iid)
    # DPC 1 x EI 0.75 (email alone) + CB 0.25 (known recipient) + 0.5 (malicious) = 1.5
    assert (risk.se, risk.band, risk.level) == (1.5, "low", "risk")  # raised: >= 1,000 people
    r = _obligations(world, iid)
    assert _due(r) == {"GB/ICO/shop-uk": AWARE + timedelta(hours=72), "GB/register/shop-uk": None}
    assert _not_due(r) == {("GB", "gb-individuals")}
    ico = next(x for x in r.rows if x.key == "GB/ICO/shop-uk")
    assert ico.residents == 1200 and ico.citation.startswith("UK GDPR Art. 33")


def _gb_case(world: World, cause: str, fields: str, n: int = 3, **kw: object) -> int:
    iid = _incident(world, cause, **kw)
    lst = _list(
        world,
        f"case-{iid}.csv",
        "customer_id,fields",
        [f"{c},{fields!r}".replace("'", '"') for c in ("gb1", "gb2")[:n]],
    )
    attach_list(world.store, world.settings, iid, lst, "t")
    return iid


def test_edpb_01_2021_case_01_ransomware_with_backup_no_exfiltration(world: World) -> None:
    iid = _gb_case(world, "attack", "name,address")
    set_answers(world.store, iid, {"recipients": "none", "availability": "temporary"}, "t")
    r = _obligations(world, iid)  # SE 1x1 + 0.25 + 0.5 = 1.75: low
    assert set(_due(r)) == {"GB/register/shop-uk"}  # document only (EDPB: SA not required)
    assert _not_due(r) == {("GB", "gb-ico"), ("GB", "gb-individuals")}


def test_edpb_01_2021_case_06_exfiltration_of_hashed_passwords(world: World) -> None:
    iid = _gb_case(world, "attack", "email,password", encrypted=True)
    r = _obligations(world, iid)
    assert "credentials" in r.assessment.situation.elements
    assert r.assessment.situation.risk == "unlikely"  # state-of-the-art salted hashes
    assert set(_due(r)) == {"GB/register/shop-uk"}


def test_edpb_01_2021_case_07_credential_stuffing_at_a_bank(world: World) -> None:
    iid = _gb_case(world, "attack", "email,password,financial")
    r = _obligations(world, iid)  # DPC 3 x EI 1 + 0.5 + 0.5 = 4.0: very high
    assert r.assessment.situation.risk == "high"
    assert _due(r) == {
        "GB/ICO/shop-uk": AWARE + timedelta(hours=72),
        "GB/individuals/shop-uk": None,
        "GB/register/shop-uk": None,
    }
    assert not _not_due(r)


def test_edpb_01_2021_case_09_accidental_transmission_to_trusted_third_party(
    world: World,
) -> None:
    iid = _gb_case(world, "technical-error", "name,email,phone")
    set_answers(world.store, iid, {"recipients": "known"}, "t")
    r = _obligations(world, iid)  # 1 x 1 + 0.25 = 1.25: low
    assert set(_due(r)) == {"GB/register/shop-uk"}
    assert _not_due(r) == {("GB", "gb-ico"), ("GB", "gb-individuals")}


def test_edpb_01_2021_case_11_stolen_device_with_encrypted_data(world: World) -> None:
    iid = _gb_case(world, "attack", "name,email,dob,health", encrypted=True)
    r = _obligations(world, iid)
    assert r.assessment.situation.risk == "unlikely"  # unintelligible to the thief
    assert set(_due(r)) == {"GB/register/shop-uk"}


def _us_state(world: World, state: str, n: int, tag: str) -> int:
    rows = [(f"{tag}{i:04d}", "US", state, "shop-us") for i in range(n)]
    _add_customers(world, rows, reindex=False)
    iid = _incident(world, "attack")
    lst = _list(world, f"{tag}.csv", "customer_id", [c[0] for c in rows])
    assert attach_list(world.store, world.settings, iid, lst, "t", fields="name,ssn").added == n
    return iid


def test_thresholds_texas_250_or_more(world: World) -> None:
    at = _obligations(world, _us_state(world, "US-TX", 250, "txa"))
    below = _obligations(world, _us_state(world, "US-TX", 249, "txb"))
    assert _due(at)["US-TX/AG/shop-us"] == AWARE + timedelta(days=30)
    assert "US-TX/AG/shop-us" not in _due(below)
    assert ("US-TX", "us-tx-ag") in _not_due(below)


def test_thresholds_california_more_than_500(world: World) -> None:
    at = _obligations(world, _us_state(world, "US-CA", 500, "caa"))
    over = _obligations(world, _us_state(world, "US-CA", 501, "cab"))
    assert ("US-CA", "us-ca-ag") in _not_due(at)
    ag = next(r for r in over.rows if r.rule_id == "us-ca-ag")
    assert ag.residents == 501 and ag.recipient_kind == "attorney_general"


def test_thresholds_florida_500_or_more(world: World) -> None:
    at = _obligations(world, _us_state(world, "US-FL", 500, "fla"))
    below = _obligations(world, _us_state(world, "US-FL", 499, "flb"))
    assert next(r for r in at.rows if r.rule_id == "us-fl-ag").due_at == AWARE + timedelta(days=30)
    assert ("US-FL", "us-fl-ag") in _not_due(below)


def test_business_days_brazil(world: World) -> None:
    """ANPD: 3 business days. Aware Thu 2026-04-16: Fri 17, (weekend), Mon 20,
    Tue 21 is Tiradentes (a national holiday), so the deadline is Wed 22 April."""
    _add_customers(world, [("br1", "BR", "", "shop-es")], reindex=False)
    aware = datetime(2026, 4, 16, 12, 0, tzinfo=UTC)
    iid = _incident(world, "attack", aware)
    lst = _list(world, "br.csv", "customer_id,fields", ['br1,"name,email,financial"'])
    attach_list(world.store, world.settings, iid, lst, "t")
    r = _obligations(world, iid)
    anpd = next(x for x in r.rows if x.rule_id == "br-anpd")
    local = anpd.due_at.astimezone(ZoneInfo(anpd.timezone)) if anpd.due_at else None
    assert local is not None and local.date().isoformat() == "2026-04-22"


def test_dst_72_hours_across_the_uk_clock_change(world: World) -> None:
    """Aware Sat 28 March 2026 10:00 UTC; clocks go forward on Sun 29 March: the ICO
    deadline is 31 March 10:00 UTC, shown as 11:00 BST in London."""
    aware = datetime(2026, 3, 28, 10, 0, tzinfo=UTC)
    iid = _gb_case(world, "attack", "email,password,financial", aware=aware)
    r = _obligations(world, iid)
    ico = next(x for x in r.rows if x.key == "GB/ICO/shop-uk")
    assert ico.due_at == datetime(2026, 3, 31, 10, 0, tzinfo=UTC)
    local = ico.due_at.astimezone(ZoneInfo(ico.timezone))
    assert (local.hour, local.tzname()) == (11, "BST")
