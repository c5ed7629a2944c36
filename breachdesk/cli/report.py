"""``breachdesk report ID --for ICO`` and ``breachdesk register export``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from breachdesk.cli.context import console, open_store, settings
from breachdesk.cli.paths import output_file, output_folder
from breachdesk.incident.lifecycle import get_incident
from breachdesk.incident.register import export_register, export_register_file
from breachdesk.store import Store
from breachdesk.store.audit import default_actor

register_app = typer.Typer(help="The breach register (GDPR Art. 33(5)).", no_args_is_help=True)


def report(
    incident_id: Annotated[int, typer.Argument(help="Incident id.", min=1)],
    recipient: Annotated[
        str | None, typer.Option("--for", help="Regulator id, e.g. ICO, OPC, OAIC, CA-AG, TX-AG.")
    ] = None,
    entity: Annotated[
        str | None,
        typer.Option(help="The entity whose obligation to report (when several owe --for)."),
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="md, json or pdf; several with commas.")
    ] = "md,json,pdf",
    phase: Annotated[str, typer.Option(help="initial, or update after an initial.")] = "initial",
    out: Annotated[
        Path | None,
        typer.Option(help="Folder for the files, created 0700 (default <workspace>/reports)."),
    ] = None,
    list_only: Annotated[
        bool,
        typer.Option(
            "--list", help="List the obligations that can be reported, and stored reports."
        ),
    ] = False,
) -> None:
    """Write a numbered report for one obligation (Markdown, JSON, PDF with charts); audited."""
    from breachdesk.reports.generate import generate_report

    if out is not None:
        output_folder(out, "--out")
    cfg = settings()
    with open_store(cfg) as store:
        get_incident(store, incident_id)
        if list_only or recipient is None:
            _print_list(store, incident_id)
            return
        formats = [f.strip() for f in fmt.split(",") if f.strip()]
        result = generate_report(
            store,
            cfg,
            incident_id,
            recipient,
            phase=phase,
            formats=formats,
            out_dir=out or cfg.workspace / "reports",
            actor=default_actor(cfg),
            entity=entity,
        )
    n = result.content["subjects"]
    console.print(
        f"report {result.recipient}-{result.number:02d} from {result.entity} ({result.phase}) "
        f"for incident "
        f"{incident_id}: {n:,} data {'subject' if n == 1 else 'subjects'}, "
        f"sha256 {result.sha256[:16]}"
    )
    for f in result.files:
        console.print(f"  {f}")


def _print_list(store: Store, incident_id: int) -> None:
    from breachdesk.reports.catalogue import default_catalogue
    from breachdesk.reports.generate import list_obligations, list_reports

    t = Table(title=f"obligations of incident {incident_id} that can be reported")
    for col in ("--for", "--entity", "residents", "recipient", "due (UTC)", "status"):
        t.add_column(col)
    found = list_obligations(store, incident_id)
    for ob in found:
        row = ob.row
        assert row is not None
        t.add_row(
            ob.spec.id,
            ob.entity,
            f"{ob.residents or 0:,}",
            row.recipient,
            f"{row.due_at:%Y-%m-%d %H:%M}" if row.due_at else "no fixed time",
            row.status,
        )
    if found:
        console.print(t)
    else:
        console.print(
            f"incident {incident_id}: no reportable obligation recorded "
            f"(run `breachdesk obligations {incident_id}`)"
        )
    stored = list_reports(store, incident_id)
    if stored:
        r_t = Table(title=f"reports of incident {incident_id}")
        for col in ("report", "entity", "phase", "created (UTC)", "by", "sha256"):
            r_t.add_column(col)
        for r in stored:
            r_t.add_row(
                f"{r.recipient}-{r.number:02d}",
                r.entity,
                r.phase,
                f"{r.created_at:%Y-%m-%d %H:%M}",
                r.actor,
                r.sha256[:16],
            )
        console.print(r_t)
    ids = ", ".join(s.id for s in default_catalogue().reports)
    console.print(f"templates (--for): {ids}")


@register_app.command("export")
def register_export(
    out: Annotated[Path | None, typer.Option(help="CSV file; default stdout.")] = None,
) -> None:
    """Export the breach register (facts, effects, remedial action) as CSV."""
    if out is not None:
        output_file(out, "--out")
    cfg = settings()
    with open_store(cfg) as store:
        if out is None:
            export_register(store, sys.stdout, default_actor(cfg))
            return
        n = export_register_file(store, out, default_actor(cfg))
    console.print(f"wrote {n:,} incidents to {out}")


def register(app: typer.Typer) -> None:
    app.command("report")(report)
    app.add_typer(register_app, name="register")
