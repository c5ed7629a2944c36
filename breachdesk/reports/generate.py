"""Generate, number, store and write a regulator report (Markdown, JSON, PDF).

Report 1 for an incident and recipient is the initial report; every later one is
an update that lists what changed. Each is stored with its SHA-256 and audited.
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
from breachdesk.incident.charts import write_charts
from breachdesk.incident.lifecycle import get_incident, subject
from breachdesk.incident.scope import compute_scope
from breachdesk.registry.entities import load_entities
from breachdesk.reports.catalogue import Catalogue, default_catalogue, environment
from breachdesk.reports.context import Previous, build_context
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
            .order_by(Report.recipient, Report.number)
        )
        return list(s.scalars(stmt))


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
    earlier = [r for r in list_reports(store, incident_id) if r.recipient == spec.id]
    if phase == "initial" and earlier:
        raise UsageError(
            f"incident {incident_id}: initial report to {spec.id} exists "
            f"({spec.id}-01); use --phase update"
        )
    if phase == "update" and not earlier:
        raise UsageError(
            f"incident {incident_id}: no initial report to {spec.id} yet; use --phase initial"
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
    sc = compute_scope(store, incident_id)
    chart_files = write_charts(sc, out_dir)
    charts = [
        {"title": "Affected customers by country", "path": chart_files.by_country_png.name},
        {"title": "Exposure over time", "path": chart_files.over_time_png.name},
    ]
    if risk is None:
        from breachdesk.incident.risk import risk_summary

        risk = risk_summary(store, incident_id)
    now = utcnow()
    ctx = build_context(
        store,
        incident_id,
        spec,
        load_entities(cfg.entities_path),
        phase=phase,
        number=number,
        generated_at=now,
        previous=previous,
        risk=risk,
        charts=charts,
        scope_recipients=(sc.recipients, sc.public),
    )
    markdown = environment().get_template(spec.template).render(**ctx)
    markdown = re.sub(r"\n{3,}", "\n\n", markdown).strip() + "\n"
    _check_headings(markdown, spec.required_headings, spec.template)
    digest = hashlib.sha256(markdown.encode("utf-8")).hexdigest()
    stem = out_dir / f"incident-{incident_id}-{spec.id}-{number:02d}-{phase}"
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
                "number": number,
                "phase": phase,
                "sha256": digest,
                "formats": sorted(formats),
                "subjects": ctx["subjects"],
            },
        )
    return GeneratedReport(spec.id, number, phase, digest, files, markdown, ctx)
