"""``breachdesk export | attribute | tripwire | access scan``: insider leaks."""

from __future__ import annotations

import json
import os
import signal
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn

from breachdesk.cli.context import console, err_console, open_store, settings
from breachdesk.cli.paths import output_file
from breachdesk.errors import UsageError
from breachdesk.store.audit import default_actor

if TYPE_CHECKING:
    from breachdesk.insider.tripwire import Alert

# The extract's default columns (registry.exports.DEFAULT_COLUMNS; a test keeps them equal),
# spelled here so that --help needs no registry import.
DEFAULT_COLUMNS = "customer_id,full_name,email,country"

PARALLEL_FROM = 32 * 1024 * 1024  # smaller dumps are matched in this process
access_app = typer.Typer(help="Employee data-access anomalies.", no_args_is_help=True)


def export_cmd(
    to: Annotated[str, typer.Option("--to", help="Who receives the extract.")],
    by: Annotated[str, typer.Option("--by", help="Who makes the export.")],
    purpose: Annotated[str, typer.Option("--purpose", help="Why it is sent.")],
    out: Annotated[Path, typer.Option("--out", help="File to write.")],
    where: Annotated[
        list[str] | None,
        typer.Option("--where", help="FIELD=VALUE[,VALUE] on country/entity/subdivision/locale."),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="csv, jsonl or parquet.")] = "csv",
    columns: Annotated[
        str, typer.Option("--columns", help="Comma-separated registry fields to include.")
    ] = DEFAULT_COLUMNS,
) -> None:
    """Write a customer extract with canaries blended in, and register it."""
    from breachdesk.registry.entities import load_entities
    from breachdesk.registry.exports import ExportRequest, create_export, parse_where
    from breachdesk.workspace import hasher

    output_file(out, "--out")
    cfg = settings()
    req = ExportRequest(
        recipient=to,
        exporter=by,
        purpose=purpose,
        out=out,
        fmt=fmt,
        filters=parse_where(where or []),
        columns=[c.strip() for c in columns.split(",") if c.strip()],
    )
    with open_store(cfg) as store:
        res = create_export(store, hasher(cfg), load_entities(cfg.entities_path), req)
    console.print(
        f"export {res.export_id} ({res.uid}) to {to}: {res.members:,} customers and "
        f"{res.canaries} canaries written to {res.out}"
    )
    for w in res.warnings:
        console.print(f"[yellow]warning[/] {w}", soft_wrap=True)


def attribute_cmd(
    dumps: Annotated[
        list[Path],
        typer.Argument(help="Leaked files: any text, CSV, JSON, gz, zip.", exists=True),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    incident: Annotated[
        int | None, typer.Option("--incident", help="Add the scope to this incident.", min=1)
    ] = None,
    open_new: Annotated[
        bool, typer.Option("--open-incident", help="Open a new incident with the scope.")
    ] = False,
) -> None:
    """Find registry customers and canaries in a leaked list, and name its source export(s)."""
    from breachdesk.incident.attribution import record_attribution
    from breachdesk.incident.lifecycle import get_incident
    from breachdesk.insider.attribute import attribute_dump
    from breachdesk.insider.attribution_view import render_attribution
    from breachdesk.registry.index import MatchIndex
    from breachdesk.workspace import hasher

    if incident is not None and open_new:
        raise UsageError("use --incident ID or --open-incident, not both")
    cfg = settings()
    keyed = hasher(cfg)
    index = MatchIndex(cfg.index_dir, keyed.fingerprint_of_key)
    total = sum(p.stat().st_size for p in dumps if p.is_file())
    with open_store(cfg) as store:
        if incident is not None:
            get_incident(store, incident)  # a wrong id fails before the work, not after
        with Progress(
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            console=err_console,  # stdout stays clean for --json
            transient=True,
        ) as bar:
            task = bar.add_task("attributing", total=total or None)
            att = attribute_dump(
                store,
                keyed,
                index,
                dumps,
                cfg.max_expansion_ratio,
                cfg.max_expanded_bytes,
                progress=lambda n: bar.update(task, completed=n),
                workers=(cfg.scan_workers or os.cpu_count() or 1) if total > PARALLEL_FROM else 1,
            )
        rec = record_attribution(store, cfg, att, default_actor(cfg), incident, open_new)
        if att.elements.get("password"):  # feed the range API: hashes and counts only
            from breachdesk.web.range_api.harvest import harvest_passwords

            harvest_passwords(
                store, dumps, cfg.max_expansion_ratio, cfg.max_expanded_bytes, default_actor(cfg)
            )
    if as_json:
        out = att.to_json()
        out["attribution_id"] = rec.attribution_id
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return
    render_attribution(att, console)
    if rec.incident_id:
        console.print(f"incident {rec.incident_id}: {rec.attached:,} customers attached")


def tripwire_cmd(
    host: Annotated[str | None, typer.Option("--host", help="Bind address.")] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port.", min=0, max=65535)] = None,
) -> None:
    """Run the SMTP tripwire: mail to a canary raises an alert; others are refused."""
    from breachdesk.insider.tripwire import TripwireConfig, start_tripwire
    from breachdesk.workspace import hasher

    cfg = settings()
    tcfg = TripwireConfig(
        host=host or cfg.tripwire_host,
        port=port or cfg.tripwire_port,
        max_bytes=cfg.tripwire_max_bytes,
        webhook_url=cfg.tripwire_webhook_url,
        alert_to=cfg.tripwire_alert_to,
        relay=cfg.tripwire_relay,
    )

    def show(a: Alert) -> None:
        console.print(
            f"[bold red]ALERT[/bold red] {a.received_at} canary {a.canary} of export "
            f"{a.export_id} ({a.export_uid}) made by {a.exporter} for {a.recipient}: from "
            f"{a.mail_from} helo {a.helo} ip {a.client_ip} subject {a.subject!r}"
            + (f" problems: {'; '.join(a.problems)}" if a.problems else "")
            + (f" delivery: {a.delivery}" if a.delivery else "")
        )

    stop = threading.Event()
    with open_store(cfg) as store:
        controller, _ = start_tripwire(store, hasher(cfg), tcfg, show)
        console.print(f"tripwire listening on {tcfg.host}:{tcfg.port}; Ctrl-C to stop")
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            controller.stop()


@access_app.command("scan")
def access_scan_cmd(
    logs: Annotated[list[Path], typer.Argument(help="JSONL access logs.", exists=True)],
    as_json: Annotated[bool, typer.Option("--json", help="Print the flags as JSON.")] = False,
    threshold: Annotated[float, typer.Option(help="Modified z-score to flag.", min=0)] = 3.5,
    min_volume: Annotated[int, typer.Option(help="Ignore days below this count.", min=0)] = 50,
) -> None:
    """Flag employees whose pulls depart sharply from their own history and their peers'."""
    from breachdesk.insider.access import scan_access

    report = scan_access(logs, threshold, min_volume)
    if as_json:
        flags = [
            {
                "employee": f.employee,
                "day": f.day,
                "measure": f.measure,
                "value": f.value,
                "own_median": f.own.median,
                "own_z": f.own.z,
                "peer_median": f.peers.median,
                "peer_z": f.peers.z,
                "explanation": f.explain(),
            }
            for f in report.flags
        ]
        doc = {
            "records": report.records,
            "employees": report.employees,
            "days": report.days,
            "flags": flags,
            "problems": report.problems,
        }
        print(json.dumps(doc, indent=2, default=str))
        return
    console.print(
        f"{report.records:,} accesses by {report.employees} employees over {report.days} days"
    )
    for f in report.flags:
        console.print(f"[bold red]FLAG[/bold red] {f.explain()}")
    if not report.flags:
        console.print("no employee departs sharply from their own history and their peers")
    for p in report.problems:
        console.print(f"[yellow]problem[/yellow] {p}")


def register(app: typer.Typer) -> None:
    app.command("export")(export_cmd)
    app.command("attribute")(attribute_cmd)
    app.command("tripwire")(tripwire_cmd)
    app.add_typer(access_app, name="access")
