"""Generate, number, store and write a regulator report (Markdown, JSON, PDF).

A report is for one obligation: a recipient and the entity that owes it (see
:mod:`breachdesk.reports.obligations`). Report 1 for an incident, recipient and
entity is the initial report; every later one is an update that lists what changed
since the last report to that recipient. Each is stored with its SHA-256 and audited.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from breachdesk.errors import RulesError, UsageError
from breachdesk.incident.affected import affected_customers
from breachdesk.incident.lifecycle import get_incident, subject
from breachdesk.law.engine import default_rulebook
from breachdesk.registry.entities import load_entities
from breachdesk.reports.catalogue import Catalogue, default_catalogue, environment
from breachdesk.reports.charts import population_charts
from breachdesk.reports.context import Previous, build_context
from breachdesk.reports.facts import Clock
from breachdesk.reports.obligations import Reportable, choose, current_rows, population, reportable
from breachdesk.reports.pdf import write_pdf
from breachdesk.settings import Settings
from breachdesk.store import Store
from breachdesk.store.audit import record
from breachdesk.store.models.base import utcnow
from breachdesk.store.models.incidents import Report

FORMATS = ("md", "json", "pdf")
PHASES = ("initial", "update")


@dataclass(frozen=True)
class GeneratedReport:
    recipient: str
    entity: str
    number: int
    phase: str
    sha256: str
    files: list[Path]
    markdown: str
    content: dict[str, Any]


def _check_headings(markdown: str, headings: Sequence[str], template: str) -> None:
    found = {m.group(1).strip() for m in re.finditer(r"^#{1,3} (.+)$", markdown, re.MULTILINE)}
    missing = [h for h in headings if h not in found]
    if missing:
        raise RulesError(f"{template}: rendered report lacks headings: {', '.join(missing)}")


def list_reports(store: Store, incident_id: int) -> list[Report]:
    with store.session() as s:
        stmt = (
            select(Report)
            .where(Report.incident_id == incident_id)
            .order_by(Report.recipient, Report.entity, Report.number)
        )
        return list(s.scalars(stmt))


def list_obligations(
    store: Store, incident_id: int, catalogue: Catalogue | None = None
) -> list[Reportable]:
    """Every obligation of the incident that can be reported (``report ID --list``)."""
    get_incident(store, incident_id)
    return reportable(current_rows(store, incident_id), catalogue or default_catalogue())


def generate_report(
    store: Store,
    cfg: Settings,
    incident_id: int,
    recipient: str,
    *,
    phase: str,
    formats: Sequence[str],
    out_dir: Path,
    actor: str,
    entity: str | None = None,
    risk: Mapping[str, Any] | None = None,
    catalogue: Catalogue | None = None,
) -> GeneratedReport:
    if phase not in PHASES:
        raise UsageError(f"--phase {phase!r}: use initial or update")
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise UsageError(f"--format {','.join(bad) or '(none)'}: use md, json or pdf")
    cat = catalogue or default_catalogue()
    spec = cat.get(recipient)
    get_incident(store, incident_id)
    entities = load_entities(cfg.entities_path)
    rows = current_rows(store, incident_id)
    ob = choose(incident_id, spec, reportable(rows, cat), entity, entities)
    who = entities.get(ob.entity)
    if who is None:
        raise UsageError(f"entities.yaml: no entity {ob.entity!r}, which owes {spec.id} a report")
    earlier = [
        r for r in list_reports(store, incident_id) if r.recipient == spec.id and r.entity == who.id
    ]
    if phase == "initial" and earlier:
        raise UsageError(
            f"incident {incident_id}: initial report to {spec.id} from {who.id} exists "
            f"({spec.id}-01); use --phase update"
        )
    if phase == "update" and not earlier:
        raise UsageError(
            f"incident {incident_id}: no initial report to {spec.id} from {who.id} yet; "
            "use --phase initial"
        )
    number = len(earlier) + 1
    previous = (
        Previous(
            earlier[-1].number, earlier[-1].content["report"]["generated_at"], earlier[-1].content
        )
        if earlier
        else None
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    pop = population(ob, affected_customers(store, incident_id), entities, default_rulebook())
    stem = out_dir / f"incident-{incident_id}-{spec.id}-{who.id}-{number:02d}-{phase}"
    clock = Clock(ob.row.timezone if ob.row else who.timezone)
    charts = population_charts(store, incident_id, pop, stem, out_dir)
    if risk is None:
        from breachdesk.incident.risk import risk_summary

        risk = risk_summary(store, incident_id)
    now = utcnow()
    ctx = build_context(
        store,
        incident_id,
        ob,
        who,
        pop,
        rows,
        phase=phase,
        number=number,
        generated_at=now,
        previous=previous,
        risk=risk,
        charts=charts,
        clock=clock,
    )
    markdown = environment().get_template(spec.template).render(**ctx)
    markdown = re.sub(r"\n{3,}", "\n\n", markdown).strip() + "\n"
    _check_headings(markdown, spec.required_headings, spec.template)
    digest = hashlib.sha256(markdown.encode("utf-8")).hexdigest()
    files: list[Path] = []
    if "md" in formats:
        files.append(stem.with_suffix(".md"))
        files[-1].write_text(markdown, encoding="utf-8")
    if "json" in formats:
        files.append(stem.with_suffix(".json"))
        body = {**ctx, "markdown_sha256": digest}
        files[-1].write_text(json.dumps(body, ensure_ascii=False, indent=2), encoding="utf-8")
    if "pdf" in formats:
        title = f"{spec.id}-{number:02d} incident {incident_id}"
        files.append(write_pdf(markdown, title, stem.with_suffix(".pdf"), out_dir))
    with store.session() as s:
        s.add(
            Report(
                incident_id=incident_id,
                recipient=spec.id,
                entity=who.id,
                number=number,
                phase=phase,
                template=spec.template,
                content=ctx,
                markdown=markdown,
                sha256=digest,
                actor=actor,
                created_at=now,
            )
        )
        record(
            s,
            actor,
            "report.generate",
            subject(incident_id),
            {
                "recipient": spec.id,
                "entity": who.id,
                "obligation": ob.row.key if ob.row else None,
                "number": number,
                "phase": phase,
                "sha256": digest,
                "formats": sorted(formats),
                "subjects": ctx["subjects"],
            },
        )
    return GeneratedReport(spec.id, who.id, number, phase, digest, files, markdown, ctx)
