"""``breachdesk notify plan|preview|approve|send|status|missing|resend|bounces|dkim``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from breachdesk.cli.context import console, err_console, open_store, settings
from breachdesk.errors import UsageError
from breachdesk.notify.approval import approve, preview
from breachdesk.notify.bounces import ingest
from breachdesk.notify.dkim_keys import load_or_create
from breachdesk.notify.missing import export_missing, requeue_missing, status
from breachdesk.notify.plan import plan
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
from breachdesk.store.audit import default_actor

notify_app = typer.Typer(help="Render, approve and deliver customer notices.", no_args_is_help=True)

Templates = Annotated[
    Path, typer.Option("--templates", help="Folder with notice.yaml and the Jinja templates.")
]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@notify_app.command("plan")
def plan_cmd(incident_id: int, as_json: AsJson = False) -> None:
    """Create one outbox row per affected customer; report the ones held back."""
    cfg = settings()
    with open_store(cfg) as store:
        result = plan(store, cfg, incident_id)
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
    incident_id: int,
    out: Annotated[Path, typer.Option(help="Folder the samples are written to.")] = Path(
        "notify-preview"
    ),
    templates: Templates = TEMPLATES_DIR,
) -> None:
    """Render sample notices per entity and locale to files; fail on a missing element."""
    cfg = settings()
    with open_store(cfg) as store:
        result = preview(store, cfg, incident_id, out, templates)
    console.print(
        f"{result.samples} samples ({len(result.entities)} entities x "
        f"{len(result.locales)} locales) written to {out / f'incident-{incident_id}'}"
    )
    console.print(f"templates sha256 {result.digest}")


@notify_app.command("approve")
def approve_cmd(incident_id: int, templates: Templates = TEMPLATES_DIR) -> None:
    """Approve the rendered templates for this incident (recorded in the audit log)."""
    cfg = settings()
    with open_store(cfg) as store:
        result = approve(store, cfg, incident_id, default_actor(cfg), templates)
    console.print(f"incident {incident_id}: templates approved (sha256 {result.digest[:16]})")


def _send(
    store: Store, cfg: Settings, incident_id: int, templates: Path, bar: bool, wait: bool = True
) -> None:
    """Deliver, print the outcome, and exit 3 (some not delivered) or 1 (none delivered)."""
    opts = options_from(cfg)
    opts.wait = wait
    p = deliver_with_progress(store, cfg, incident_id, opts, console, templates, bar)
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
    incident_id: int,
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
            plan(store, cfg, incident_id)
        _send(store, cfg, incident_id, templates, progress, wait)


@notify_app.command("status")
def status_cmd(incident_id: int, as_json: AsJson = False) -> None:
    """Sent, pending, failed, bounced and held counts."""
    cfg = settings()
    with open_store(cfg) as store:
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
    incident_id: int,
    out: Annotated[Path, typer.Option(help="CSV file to write.")],
) -> None:
    """Export who did not get the notice (held, failed, bounced, pending) to a CSV."""
    cfg = settings()
    with open_store(cfg) as store:
        n = export_missing(store, incident_id, out)
    console.print(f"{n} customers did not get the notice; list written to {out}")


@notify_app.command("resend")
def resend_cmd(
    incident_id: int,
    missing: Annotated[bool, typer.Option("--missing", help="Resend to those who missed it.")],
    templates: Templates = TEMPLATES_DIR,
    progress: Annotated[bool, typer.Option(help="Show the progress bar.")] = True,
) -> None:
    """Resend to just the customers who did not get it (failed, bounced, fixed held rows)."""
    if not missing:
        raise UsageError("resend: only --missing is supported (nothing else is resent)")
    cfg = settings()
    with open_store(cfg) as store:
        n = requeue_missing(store, incident_id)
        released = plan(store, cfg, incident_id).released
        console.print(f"requeued {n} failed/bounced, released {released} held")
        _send(store, cfg, incident_id, templates, progress)


@notify_app.command("bounces")
def bounces_cmd(
    path: Annotated[Path, typer.Argument(help="An mbox file or a Maildir folder of DSNs.")],
) -> None:
    """Ingest delivery status notifications and mark the bounced rows."""
    cfg = settings()
    with open_store(cfg) as store:
        r = ingest(store, path)
    console.print(
        f"{r.messages} messages: {r.bounced} bounced, {r.delayed} delayed, "
        f"{r.unmatched} unmatched, {r.not_dsn} not delivery reports"
    )


@notify_app.command("dkim")
def dkim_cmd() -> None:
    """Create missing DKIM keys and print the DNS TXT record of each entity."""
    cfg = settings()
    for entity in load_entities(cfg.entities_path).values():
        k = load_or_create(cfg, entity)
        console.print(f'{k.dns_name}. IN TXT "{k.dns_record()}"', soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.add_typer(notify_app, name="notify")
