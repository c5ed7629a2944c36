"""Regulator reports: templates validated at load, numbering, and the PDF's sections."""

from __future__ import annotations

import json
import shutil
from datetime import timedelta
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from breachdesk.errors import RulesError, UsageError
from breachdesk.incident.attach import attach_scan
from breachdesk.incident.lifecycle import NewIncident, open_incident, update_text
from breachdesk.incident.obligations import refresh_obligations
from breachdesk.incident.risk import add_overrides
from breachdesk.reports.catalogue import TEMPLATES, load_catalogue
from breachdesk.reports.generate import GeneratedReport, generate_report, list_reports
from breachdesk.store.audit import entries, verify
from breachdesk.store.models import Customer
from breachdesk.store.models.incidents import ObligationRow
from tests.incident.conftest import AWARE, World, case_2018


def _gen(
    world: World,
    recipient: str,
    phase: str = "initial",
    fmt: tuple[str, ...] = ("md", "json"),
    entity: str | None = None,
):  # type: ignore[no-untyped-def]
    return generate_report(
        world.store,
        world.settings,
        1,
        recipient,
        phase=phase,
        formats=fmt,
        out_dir=world.tmp / "reports",
        actor="tester",
        entity=entity,
    )


def _assess(world: World, iid: int, level: str = "high") -> list[ObligationRow]:
    add_overrides(world.store, iid, [("level", level)], "names shown to strangers", "tester")
    return refresh_obligations(world.store, world.settings, iid, "tester").rows


def test_ico_report_sections_numbers_and_phases(world: World) -> None:
    iid = case_2018(world)
    assert iid == 1
    update_text(
        world.store,
        iid,
        "tester",
        description="Cached account pages were served to other shoppers.",
        measures="Cache disabled for account pages.",
    )
    add_overrides(world.store, iid, [("level", "risk")], "names shown to strangers", "tester")
    refresh_obligations(world.store, world.settings, iid, "tester")
    first = _gen(world, "ICO")
    assert (first.number, first.phase) == (1, "initial")
    md = first.markdown
    for heading in (
        "Nature of the breach",
        "Categories and approximate numbers",
        "Data protection officer / contact point",
        "Likely consequences",
        "Measures taken or proposed",
    ):
        assert f"## {heading}" in md
    assert "Approximate number of data subjects: 1" in md  # shop-uk holds gb1 only
    assert "dpo@shop.example.co.uk" in md and "Example Shop UK Ltd" in md
    data = json.loads(
        (world.tmp / "reports" / "incident-1-ICO-shop-uk-01-initial.json").read_text()
    )
    assert data["subjects"] == 1 and data["markdown_sha256"] == first.sha256
    with pytest.raises(UsageError, match="use --phase update"):
        _gen(world, "ICO")
    update_text(world.store, iid, "tester", measures="Cache disabled; pages purged.")
    add_overrides(world.store, iid, [("level", "high")], "names next to orders", "tester")
    second = _gen(world, "ICO", "update")
    assert "risk level: risk → high" in second.markdown
    assert "Severity (ENISA 2013 method)" in first.markdown
    assert second.number == 2 and "## Changes since the previous report" in second.markdown
    assert "measures updated: Cache disabled; pages purged." in second.markdown
    assert [(r.recipient, r.number) for r in list_reports(world.store, iid)] == [
        ("ICO", 1),
        ("ICO", 2),
    ]
    gen = [e for e in entries(world.store, "incident:1") if e.action == "report.generate"]
    assert [e.details["number"] for e in gen] == [2, 1]
    assert verify(world.store).ok


def test_update_needs_initial_and_unknown_recipient(world: World) -> None:
    _assess(world, case_2018(world))
    with pytest.raises(UsageError, match="no initial report"):
        _gen(world, "OPC", "update")
    with pytest.raises(RulesError, match="no report template"):
        _gen(world, "NOBODY")
    with pytest.raises(UsageError, match="--format"):
        _gen(world, "OPC", fmt=("docx",))


def test_voluntary_reports_name_their_entity(world: World) -> None:
    """Without a recorded obligation a report needs --entity and says it is voluntary."""
    case_2018(world)
    with pytest.raises(UsageError, match="no obligation to report to TX-AG is due"):
        _gen(world, "TX-AG")
    tx = _gen(world, "TX-AG", entity="shop-us")
    assert tx.content["subjects"] == 1 and "## Law enforcement" in tx.markdown
    assert "this report is made voluntarily" in tx.markdown
    opc = _gen(world, "OPC", entity="shop-ca")
    assert opc.content["subjects"] == 1 and "CA-ON: 1" in opc.markdown


def test_pdf_renders_with_sections_and_charts(world: World) -> None:
    _assess(world, case_2018(world))
    r = _gen(world, "ICO", fmt=("pdf",))
    pdf = r.files[0]
    doc = pdfium.PdfDocument(pdf)
    try:
        text = "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
        images = sum(
            1
            for i in range(len(doc))
            for obj in doc[i].get_objects()
            if obj.type == pdfium.raw.FPDF_PAGEOBJ_IMAGE
        )
        bitmap = doc[0].render(scale=1).to_pil()
    finally:
        doc.close()
    for heading in (
        "Personal data breach notification",
        "Nature of the breach",
        "Categories and approximate numbers",
        "Data protection officer",
        "Likely consequences",
        "Measures taken or proposed",
        "Charts",
    ):
        assert heading in text, heading
    assert images == 2
    png = pdf.with_suffix(".png")
    bitmap.save(png)
    gray = bitmap.convert("L")
    lo, hi = gray.getextrema()
    assert hi - lo > 100  # not blank: dark text on a light page
    assert sum(gray.histogram()[:128]) > 1000


def test_invalid_template_fails_at_load(tmp_path: Path) -> None:
    bad = tmp_path / "t"
    shutil.copytree(TEMPLATES, bad)
    src = (bad / "tx_ag.md.j2").read_text().replace("## Law enforcement", "## Police")
    (bad / "tx_ag.md.j2").write_text(src)
    with pytest.raises(
        RulesError, match=r"tx_ag.md.j2: missing required headings: Law enforcement"
    ):
        load_catalogue(bad)
    shutil.copytree(TEMPLATES, bad, dirs_exist_ok=True)
    (bad / "ndb_26wk.md.j2").write_text("{{ secret_key }}\n## x\n")
    with pytest.raises(RulesError, match="unknown variables secret_key"):
        load_catalogue(bad)
    shutil.copytree(TEMPLATES, bad, dirs_exist_ok=True)
    (bad / "ndb_26wk.md.j2").write_text("{% if %}\n")
    with pytest.raises(RulesError, match=r"ndb_26wk.md.j2: line 1"):
        load_catalogue(bad)
    shutil.copytree(TEMPLATES, bad, dirs_exist_ok=True)
    cat = (
        (bad / "catalogue.yaml")
        .read_text()
        .replace("    population: entity\n", "    population: all\n", 1)
    )
    (bad / "catalogue.yaml").write_text(cat)
    with pytest.raises(RulesError, match=r"catalogue.yaml: field reports.0.population"):
        load_catalogue(bad)


def _public_case(
    world: World, extra: list[tuple[str, str, str | None, str]], exposed: list[str], level: str
) -> tuple[int, list[ObligationRow]]:
    """Add customers (id, country, subdivision, entity), show ``exposed`` to the public,
    and assess with the operator's risk ``level``."""
    with world.store.session() as s:
        for cid, country, sub, entity in extra:
            s.add(
                Customer(
                    customer_id=cid,
                    email=f"{cid}@example.net",
                    email_norm=f"{cid}@example.net",
                    full_name="A Person",
                    country=country,
                    subdivision=sub,
                    entity=entity,
                )
            )
    sid = world.scan([(c, "email,name", "public", timedelta(hours=1)) for c in exposed])
    iid = open_incident(world.store, NewIncident("x", "attack", AWARE), "t").id
    attach_scan(world.store, iid, sid, "t")
    add_overrides(world.store, iid, [("level", level)], "public pages", "t")
    return iid, refresh_obligations(world.store, world.settings, iid, "t").rows


def _md(world: World, iid: int, recipient: str) -> GeneratedReport:
    return generate_report(
        world.store,
        world.settings,
        iid,
        recipient,
        phase="initial",
        formats=("md",),
        out_dir=world.tmp / "r",
        actor="t",
    )


def test_gdpr_population_lead_authority_and_non_established(world: World) -> None:
    """shop-uk (GB) holds GB and IE customers: the ICO report covers both; the Irish
    DPC hears from shop-uk about its Irish residents only."""
    iid, rows = _public_case(world, [("ie1", "IE", None, "shop-uk")], ["gb1", "ie1"], "risk")
    assert {"GB/ICO/shop-uk", "IE/DPC/shop-uk"} <= {r.key for r in rows}
    ico, dpc = _md(world, iid, "ICO"), _md(world, iid, "DPC")
    by_key = {r.key: r for r in rows}
    assert ico.content["subjects"] == by_key["GB/ICO/shop-uk"].residents == 1
    assert ico.content["entity"]["id"] == "shop-uk"
    assert dpc.content["subjects"] == 1 and dpc.content["scope"]["by_country"] == {"IE": 1}
    assert dpc.content["entity"]["id"] == "shop-uk"
    assert dpc.content["obligation"]["due_utc"].startswith("2018-11-25T08:30")
    assert dpc.content["obligation"]["due"] == "25 November 2018, 08:30"  # Europe/Dublin


def test_generic_regulator_report_lists_the_rule_content(world: World) -> None:
    """A Quebec resident's data leaks: the CAI report (generic template) carries the
    content elements the rule requires."""
    iid, rows = _public_case(world, [("qc1", "CA", "CA-QC", "shop-ca")], ["qc1"], "high")
    cai = next(r for r in rows if r.key.startswith("CA-QC/CAI/"))
    rep = _md(world, iid, "CAI")
    assert rep.content["subjects"] == 1 and rep.content["entity"]["id"] == "shop-ca"
    for item in cai.data["content_elements"]:
        assert f"- {item}" in rep.markdown
    assert "## Content the rule requires" in rep.markdown


def test_report_for_incident_without_findings(world: World) -> None:
    iid = open_incident(world.store, NewIncident("Suspected", "unknown", AWARE), "t").id
    rep = generate_report(
        world.store,
        world.settings,
        iid,
        "ICO",
        phase="initial",
        formats=("md", "pdf"),
        out_dir=world.tmp / "r",
        actor="t",
        entity="shop-uk",
    )
    assert rep.content["subjects"] == 0 and rep.content["entity"]["id"] == "shop-uk"
    assert "Period of the breach: not yet known" in rep.markdown
    assert all(f.stat().st_size > 0 for f in rep.files)
