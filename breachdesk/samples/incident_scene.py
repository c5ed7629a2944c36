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
from breachdesk.incident.lifecycle import (
    NewIncident,
    open_incident,
    set_locale_texts,
    set_not_exposed,
    set_status,
)
from breachdesk.incident.obligations import refresh_obligations, statuses
from breachdesk.incident.register import export_register_file
from breachdesk.incident.risk import add_overrides, current_risk, risk_summary
from breachdesk.incident.scope import compute_scope
from breachdesk.incident.views import print_scope
from breachdesk.law.render import print_assessment
from breachdesk.reports.generate import generate_report, list_obligations
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

# What customers read, in each language notices go out in (one language per notice).
TEXTS = {
    "de": {
        "description": "Durch eine Änderung am Zwischenspeicher wurden Kontoseiten falschen "
        "angemeldeten Kunden angezeigt, die Namen und E-Mail-Adressen anderer Kunden sahen.",
        "measures": "Das Zwischenspeichern von Kontoseiten ist abgeschaltet, der betroffene "
        "Zwischenspeicher geleert, die Änderung zurückgenommen und ein Test ergänzt, der "
        "anschlägt, wenn eine persönliche Seite zwischengespeichert wird.",
    },
    "fr": {
        "description": "Une modification du cache a affiché des pages de compte à d'autres "
        "clients connectés, qui ont vu les noms et adresses e-mail d'autres clients.",
        "measures": "La mise en cache des pages de compte est désactivée, le cache concerné "
        "vidé, la modification annulée et un test ajouté qui échoue si une page "
        "personnelle est mise en cache.",
    },
    "es": {
        "description": "Un cambio en la caché mostró páginas de cuenta a otros clientes "
        "conectados, que vieron los nombres y correos electrónicos de otros clientes.",
        "measures": "Se ha desactivado la caché de las páginas de cuenta, se ha vaciado la "
        "caché afectada, se ha revertido el cambio y se ha añadido una prueba que falla si "
        "una página personal se guarda en caché.",
    },
    "it": {
        "description": "Una modifica alla cache ha mostrato pagine dell'account ad altri "
        "clienti collegati, che hanno visto nomi e indirizzi e-mail di altri clienti.",
        "measures": "La cache delle pagine dell'account è disattivata, la cache interessata "
        "svuotata, la modifica annullata ed è stato aggiunto un test che fallisce se una "
        "pagina personale viene memorizzata nella cache.",
    },
    "ja": {
        "description": "キャッシュ設定の変更により、ログイン中の別のお客様に"
        "アカウントページが表示され、他のお客様の氏名とメールアドレスが"
        "見える状態になりました。",
        "measures": "アカウントページのキャッシュを停止し、該当するキャッシュを消去し、"
        "変更を取り消しました。また、個人向けページがキャッシュされた場合に"
        "検知するテストを追加しました。",
    },
}
NOT_EXPOSED = ["password", "payment_card"]

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
    set_locale_texts(store, inc.id, actor, TEXTS)
    set_not_exposed(store, inc.id, actor, NOT_EXPOSED)
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

    summary = risk_summary(store, inc.id)
    # one report per obligation (recipient + entity); a draft ICO report when none is due
    wanted = [(ob.spec.id, ob.entity) for ob in list_obligations(store, inc.id)] or [
        ("ICO", "shop-uk")
    ]
    for recipient, entity in wanted:
        rep = generate_report(
            store,
            cfg,
            inc.id,
            recipient,
            phase="initial",
            formats=("md", "json", "pdf"),
            out_dir=out_dir,
            actor=actor,
            entity=entity,
            risk=summary,
        )
        result.reports.append(f"{rep.recipient}-{rep.number:02d}")
        result.files.extend(rep.files)
        name = f"{rep.recipient}-{rep.number:02d}"
        console.print(f"report {name} from {rep.entity}: {rep.files[-1].name}")
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
