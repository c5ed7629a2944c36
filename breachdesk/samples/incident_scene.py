"""The incident scene of ``make demo``: the latest scan's findings become an incident,
then scope, risk, obligations, regulator reports, charts and the breach register.

``run_incident_scene(store, cfg, out_dir, console)`` writes everything into
``out_dir/incident`` and returns what it wrote; the demo driver decides ``out_dir``.
When nobody would be notified although the pages were public, the scene records an
operator's risk override with its reason, as a person running it would.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from rich.console import Console
from sqlalchemy import func, select

from breachdesk.incident.attach import attach_scan
from breachdesk.incident.charts import write_charts
from breachdesk.incident.lifecycle import NewIncident, open_incident, set_status
from breachdesk.incident.obligations import refresh_obligations, statuses
from breachdesk.incident.register import export_register_file
from breachdesk.incident.risk import add_overrides, current_risk, risk_summary
from breachdesk.incident.scope import compute_scope
from breachdesk.incident.views import print_scope
from breachdesk.law.render import print_assessment
from breachdesk.reports.catalogue import default_catalogue
from breachdesk.reports.generate import generate_report
from breachdesk.settings import Settings
from breachdesk.store import Store
from breachdesk.store.audit import default_actor, verify
from breachdesk.store.models import Finding, ScanRun
from breachdesk.store.models.base import utcnow

DESCRIPTION = (
    "A caching change served account pages to the wrong signed-in shoppers, who saw "
    "other customers' names and email addresses."
)
MEASURES = (
    "Caching of account pages disabled; affected cache purged; the change rolled back and "
    "a test added that fails when a personalised page is cached."
)
CONSEQUENCES = (
    "Recipients could contact or impersonate affected customers (unsolicited mail, "
    "phishing); no passwords or payment data were exposed."
)


OVERRIDE_REASON = (
    "pages were visible to anonymous visitors; named contact data invites targeted "
    "phishing (EDPB Guidelines 01/2021)"
)


@dataclass
class IncidentSceneResult:
    incident_id: int | None
    affected: int = 0
    obligations: int = 0
    non_obligations: int = 0
    reports: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)


def _latest_scan(store: Store) -> tuple[int, int] | None:
    with store.session() as s:
        scan_id = s.scalar(select(func.max(ScanRun.id)))
        if scan_id is None:
            return None
        n = s.scalar(select(func.count()).select_from(Finding).where(Finding.scan_id == scan_id))
    return scan_id, n or 0


def run_incident_scene(
    store: Store, cfg: Settings, out_dir: Path, console: Console
) -> IncidentSceneResult:
    actor = default_actor(cfg)
    latest = _latest_scan(store)
    if latest is None or latest[1] == 0:
        console.print("[yellow]incident scene skipped:[/] no scan with findings yet")
        return IncidentSceneResult(None)
    scan_id, n_findings = latest
    out_dir = out_dir / "incident"
    out_dir.mkdir(parents=True, exist_ok=True)
    with store.session() as s:
        first, last = s.execute(
            select(func.min(Finding.seen_at), func.max(Finding.seen_at)).where(
                Finding.scan_id == scan_id
            )
        ).one()
    aware = utcnow() - timedelta(hours=2)
    inc = open_incident(
        store,
        NewIncident(
            title="Account pages served to other shoppers",
            cause="technical-error",
            became_aware_at=aware,
            window_start=first if first and first <= aware else None,
            window_end=last if last and last <= aware else None,
            description=DESCRIPTION,
            measures=MEASURES,
            consequences=CONSEQUENCES,
        ),
        actor,
    )
    console.rule(f"incident {inc.id}: {inc.title}")
    attached = attach_scan(store, inc.id, scan_id, actor)
    console.print(f"attached {attached.added:,} findings of scan {scan_id} ({n_findings:,})")
    set_status(store, inc.id, "contained", actor)

    sc = compute_scope(store, inc.id)
    print_scope(sc, console)
    charts = write_charts(sc, out_dir)
    result = IncidentSceneResult(inc.id, affected=sc.affected, files=charts.all())

    risk = current_risk(store, inc.id)
    console.print(
        f"risk (ENISA 2013): SE = {risk.dpc.value:g} × {risk.ei.value:g} + {risk.cb.value:g} "
        f"= {risk.se:g} ({risk.band}) → GDPR level [bold]{risk.level}[/]"
    )
    if risk.level == "unlikely" and sc.public:
        # The operator's judgement, recorded with its reason: pages were visible to
        # anonymous visitors, and named contact data invites targeted phishing.
        add_overrides(store, inc.id, [("level", "risk")], OVERRIDE_REASON, actor)
        console.print(f"operator override: level → [bold]risk[/] ({OVERRIDE_REASON})")
    obl = refresh_obligations(store, cfg, inc.id, actor)
    print_assessment(obl.assessment, console, statuses=statuses(obl.rows))
    result.obligations = len(obl.rows)
    result.non_obligations = len(obl.assessment.non_obligations)

    known = {s.id for s in default_catalogue().reports}
    wanted = sorted(
        {
            spec.id
            for spec in default_catalogue().reports
            for r in obl.rows
            if r.recipient_kind in ("regulator", "attorney_general")
            and (spec.id in r.recipient.upper() or r.jurisdiction in spec.jurisdictions)
        }
    )
    if not wanted and "ICO" in known:
        wanted = ["ICO"]  # a draft GDPR Art. 33(3) report even when none is due
    summary = risk_summary(store, inc.id)
    for recipient in wanted:
        rep = generate_report(
            store,
            cfg,
            inc.id,
            recipient,
            phase="initial",
            formats=("md", "json", "pdf"),
            out_dir=out_dir,
            actor=actor,
            risk=summary,
        )
        result.reports.append(f"{rep.recipient}-{rep.number:02d}")
        result.files.extend(rep.files)
        console.print(f"report {rep.recipient}-{rep.number:02d}: {rep.files[-1].name}")
    set_status(store, inc.id, "notifying", actor)
    register = out_dir / "breach-register.csv"
    export_register_file(store, register, actor)
    result.files.append(register)
    audit = verify(store)
    console.print(
        f"breach register: {register.name}; audit log "
        f"{'intact' if audit.ok else 'BROKEN'} ({audit.entries:,} entries)"
    )
    console.print(f"incident files in {out_dir}")
    return result
