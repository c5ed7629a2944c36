"""``breachdesk notify plan|preview|approve|send|status|missing|resend|bounces|dkim``."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from breachdesk.cli.context import console, err_console, open_store, settings
from breachdesk.cli.paths import output_file, output_folder
from breachdesk.errors import Interrupted, UsageError
from breachdesk.incident.lifecycle import get_incident
from breachdesk.notify.approval import approve, parse_fallbacks, preview
from breachdesk.notify.bounces import ingest
from breachdesk.notify.dkim_keys import load_or_create
from breachdesk.notify.missing import export_missing, requeue_missing, status
from breachdesk.notify.plan import PlanResult, plan
from breachdesk.notify.progress_view import (
    NotDelivered,
    deliver_with_progress,
    exit_code,
    problems,
    summary,
)
from breachdesk.notify.sender import options_from
from breachdesk.notify.spec import TEMPLATES_DIR
from breachdesk.registry.entities import load_entities
from breachdesk.settings import Settings
from breachdesk.store import Store
from breachdesk.store.audit import append, default_actor

notify_app = typer.Typer(help="Render, approve and deliver customer notices.", no_args_is_help=True)

Templates = Annotated[
    Path,
    typer.Option(
        "--templates",
        help="Folder with notice.yaml and the Jinja templates.",
        exists=True,
        file_okay=False,
    ),
]
IncidentId = Annotated[int, typer.Argument(help="Incident id.", min=1)]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@notify_app.command("plan")
def plan_cmd(incident_id: IncidentId, as_json: AsJson = False) -> None:
    """Create one outbox row per affected customer; report the ones held back."""
    cfg = settings()
    with open_store(cfg) as store:
        result = _plan(store, cfg, incident_id)
    if as_json:
        console.print_json(json.dumps(result.to_json()))
        return
    console.print(
        f"incident {incident_id}: {result.affected} affected, {result.created} new rows, "
        f"{result.released} released"
    )
    for reason, n in sorted(result.held.items()):
        console.print(f"  held back: {n} ({reason})")


@notify_app.command("preview")
def preview_cmd(
    incident_id: IncidentId,
    out: Annotated[
        Path, typer.Option(help="Folder the samples are written to (created 0700).")
    ] = Path("notify-preview"),
    templates: Templates = TEMPLATES_DIR,
) -> None:
    """Render sample notices per entity and locale to files; fail on a missing element."""
    output_folder(out, "--out")
    cfg = settings()
    with open_store(cfg) as store:
        result = preview(store, cfg, incident_id, out, templates)
    console.print(
        f"{result.samples} samples ({len(result.entities)} entities x "
        f"{len(result.locales)} locales) written to {out / f'incident-{incident_id}'}"
    )
    console.print(f"templates sha256 {result.digest}")


@notify_app.command("approve")
def approve_cmd(
    incident_id: IncidentId,
    templates: Templates = TEMPLATES_DIR,
    fallback: Annotated[
        list[str] | None,
        typer.Option(
            help="Approve writing a language without its texts in another, e.g. de=en "
            "(the whole notice is then in that language). Repeatable."
        ),
    ] = None,
) -> None:
    """Approve the rendered templates and texts for this incident (audited)."""
    cfg = settings()
    with open_store(cfg) as store:
        result = approve(
            store, cfg, incident_id, default_actor(cfg), templates, parse_fallbacks(fallback or [])
        )
    console.print(f"incident {incident_id}: templates approved (sha256 {result.digest[:16]})")


def _plan(store: Store, cfg: Settings, incident_id: int) -> PlanResult:
    get_incident(store, incident_id)
    result = plan(store, cfg, incident_id)
    if result.created or result.released:
        append(
            store,
            default_actor(cfg),
            "notify.plan",
            f"incident:{incident_id}",
            {"affected": result.affected, "created": result.created, "released": result.released},
        )
    return result


def _counts(store: Store, incident_id: int) -> dict[str, int]:
    return {k: v for k, v in status(store, incident_id).to_json().items() if k != "incident"}


def _send(
    store: Store, cfg: Settings, incident_id: int, templates: Path, bar: bool, wait: bool = True
) -> None:
    """Deliver with an audit entry at the start and one at the end (with counts), print
    the outcome, and exit 3 (some not delivered) or 1 (none delivered).

    Ctrl-C leaves every row either sent or leased; the end entry says ``interrupted``
    and a rerun sends just the rest (rows are sent once, by their outbox state)."""
    opts = options_from(cfg)
    opts.wait = wait
    actor, subject = default_actor(cfg), f"incident:{incident_id}"
    append(store, actor, "notify.send.start", subject, _counts(store, incident_id))
    try:
        p = deliver_with_progress(store, cfg, incident_id, opts, console, templates, bar)
    except (KeyboardInterrupt, asyncio.CancelledError):
        after = _counts(store, incident_id)
        append(store, actor, "notify.send.end", subject, {"outcome": "interrupted", **after})
        raise Interrupted(
            f"sending for incident {incident_id} interrupted ({after.get('sent', 0)} sent "
            f"so far); run `breachdesk notify send {incident_id}` again to send the rest "
            "(nobody gets it twice)"
        ) from None
    end = {"outcome": "done", "delivered": p.sent, "failed_now": p.failed, "retried": p.retried}
    append(store, actor, "notify.send.end", subject, {**end, **_counts(store, incident_id)})
    console.print(summary(incident_id, p))
    held = p.states.get("held", 0)
    if held:
        console.print(f"held back (not sent): {held}; reasons in `notify missing`")
    for line in problems(incident_id, p):
        err_console.print(line, soft_wrap=True)
    if exit_code(p):
        raise NotDelivered(incident_id, p)


@notify_app.command("send")
def send_cmd(
    incident_id: IncidentId,
    templates: Templates = TEMPLATES_DIR,
    progress: Annotated[bool, typer.Option(help="Show the progress bar.")] = True,
    plan_first: Annotated[
        bool, typer.Option("--plan/--no-plan", help="Plan missing outbox rows first.")
    ] = True,
    wait: Annotated[
        bool,
        typer.Option(help="Wait for retries and other workers' leases; --no-wait stops early."),
    ] = True,
) -> None:
    """Deliver the approved notices (plans missing rows first); safe to re-run after a crash."""
    cfg = settings()
    with open_store(cfg) as store:
        if plan_first:
            _plan(store, cfg, incident_id)
        _send(store, cfg, incident_id, templates, progress, wait)


@notify_app.command("status")
def status_cmd(incident_id: IncidentId, as_json: AsJson = False) -> None:
    """Sent, pending, failed, bounced and held counts."""
    cfg = settings()
    with open_store(cfg) as store:
        get_incident(store, incident_id)
        st = status(store, incident_id)
    data = st.to_json()
    if as_json:
        console.print_json(json.dumps(data))
        return
    table = Table(title=f"incident {incident_id} notices")
    for key in data:
        table.add_column(key, justify="right")
    table.add_row(*(str(v) for v in data.values()))
    console.print(table)


@notify_app.command("missing")
def missing_cmd(
    incident_id: IncidentId,
    out: Annotated[Path, typer.Option(help="CSV file to write.")],
) -> None:
    """Export who did not get the notice (held, failed, bounced, pending) to a CSV."""
    output_file(out, "--out")
    cfg = settings()
    with open_store(cfg) as store:
        get_incident(store, incident_id)
        n = export_missing(store, incident_id, out)
        append(store, default_actor(cfg), "notify.missing", f"incident:{incident_id}", {"rows": n})
    console.print(f"{n} customers did not get the notice; list written to {out}")


@notify_app.command("resend")
def resend_cmd(
    incident_id: IncidentId,
    missing: Annotated[bool, typer.Option("--missing", help="Resend to those who missed it.")],
    templates: Templates = TEMPLATES_DIR,
    progress: Annotated[bool, typer.Option(help="Show the progress bar.")] = True,
) -> None:
    """Resend to just the customers who did not get it (failed, bounced, fixed held rows)."""
    if not missing:
        raise UsageError("resend: only --missing is supported (nothing else is resent)")
    cfg = settings()
    with open_store(cfg) as store:
        get_incident(store, incident_id)
        n = requeue_missing(store, incident_id)
        released = _plan(store, cfg, incident_id).released
        console.print(f"requeued {n} failed/bounced, released {released} held")
        _send(store, cfg, incident_id, templates, progress)


@notify_app.command("bounces")
def bounces_cmd(
    path: Annotated[
        Path, typer.Argument(help="An mbox file or a Maildir folder of DSNs.", exists=True)
    ],
) -> None:
    """Ingest delivery status notifications and mark the bounced rows."""
    cfg = settings()
    with open_store(cfg) as store:
        r = ingest(store, path)
        append(
            store,
            default_actor(cfg),
            "notify.bounces",
            "outbox",
            {"messages": r.messages, "bounced": r.bounced, "delayed": r.delayed},
        )
    console.print(
        f"{r.messages} messages: {r.bounced} bounced, {r.delayed} delayed, "
        f"{r.unmatched} unmatched, {r.not_dsn} not delivery reports"
    )


@notify_app.command("dkim")
def dkim_cmd() -> None:
    """Create missing DKIM keys and print the DNS TXT record of each entity."""
    cfg = settings()
    created: list[str] = []
    for entity in load_entities(cfg.entities_path).values():
        existed = (cfg.dkim_dir / f"{entity.id}.pem").exists()
        k = load_or_create(cfg, entity)
        if not existed:
            created.append(entity.id)
        console.print(f'{k.dns_name}. IN TXT "{k.dns_record()}"', soft_wrap=True)
    if created:
        with open_store(cfg) as store:
            append(store, default_actor(cfg), "dkim.create", "dkim", {"entities": created})


def register(app: typer.Typer) -> None:
    app.add_typer(notify_app, name="notify")
