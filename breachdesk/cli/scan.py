"""``breachdesk scan PATH...`` and ``breachdesk findings``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from breachdesk.cli import context
from breachdesk.cli.context import finish, open_store, settings
from breachdesk.cli.paths import output_file, positive, private_file
from breachdesk.errors import Interrupted, UsageError

# The store (SQLAlchemy) is imported where it is used: `scan` sets its workers
# scanning first and opens the store while they work.
if TYPE_CHECKING:
    from breachdesk.detect.scanner import ScanSummary
    from breachdesk.store import Store


def scan(
    paths: Annotated[
        list[Path], typer.Argument(help="Files or folders (read recursively).", exists=True)
    ],
    viewer: Annotated[str | None, typer.Option(help="Who saw HAR/WARC/plain inputs.")] = None,
    viewer_header: Annotated[
        str | None, typer.Option(help="Request header naming the signed-in customer (HAR/WARC).")
    ] = None,
    viewer_cookie: Annotated[
        str | None, typer.Option(help="Request cookie naming the signed-in customer (HAR/WARC).")
    ] = None,
    workers: Annotated[int, typer.Option(help="Worker processes; 0 = one per core.", min=0)] = 0,
    strict: Annotated[bool, typer.Option(help="Make any input problem fatal.")] = False,
    max_record_mb: Annotated[
        float | None, typer.Option(help="Largest record parsed with its metadata, in MB.")
    ] = None,
) -> None:
    """Find exposed customers in response logs (JSONL, HAR, WARC) and any text file.

    Exit 3 when some input could not be read (listed as problems; the rest is stored),
    130 when interrupted (the run is recorded as interrupted; scanning again is safe:
    findings already stored are counted as known, not duplicated).
    """
    from breachdesk.detect.formats import ScanOptions
    from breachdesk.detect.launch import start_scan

    positive(max_record_mb, "--max-record-mb")
    cfg = settings()
    opts = ScanOptions(
        viewer=viewer,
        viewer_header=viewer_header,
        viewer_cookie=viewer_cookie,
        max_record_bytes=int(max_record_mb * 1e6) if max_record_mb else cfg.max_record_bytes,
        max_expanded_bytes=cfg.max_expanded_bytes,
        max_expansion_ratio=cfg.max_expansion_ratio,
    )
    # several workers start on the units now, before the store is even imported
    job = start_scan(cfg, paths, opts, workers=workers or None, strict=strict)
    from rich.progress import (  # what the parent needs from here on, loaded while they work
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    with (
        job,
        open_store(cfg) as store,
        Progress(
            TextColumn("scanning"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=context.console,
            transient=True,
        ) as bar,
    ):
        from breachdesk.detect.scanner import finish_scan
        from breachdesk.store.audit import append, default_actor

        task = bar.add_task("scan", total=None)

        def tick(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        before = _last_scan_id(store)
        try:
            summary = finish_scan(store, cfg, job, progress=tick)
        except KeyboardInterrupt:
            bar.stop()
            n = _mark_ended(store, before, default_actor(cfg), "interrupted", "Ctrl-C")
            raise Interrupted(
                f"scan {n} interrupted and recorded as such; run the same scan again "
                "(findings already stored are not duplicated)"
            ) from None
        except Exception as exc:  # --strict, a lost store: the run must not stay "running"
            bar.stop()
            why = " ".join(str(exc).split())[:200] or type(exc).__name__
            _mark_ended(store, before, default_actor(cfg), "failed", why)
            raise
        append(
            store,
            default_actor(cfg),
            "scan",
            f"scan:{summary.scan_id}",
            {
                "files": summary.files,
                "bytes": summary.bytes_read,
                "records": summary.records,
                "findings_new": summary.findings_new,
                "problems": len(summary.problems),
            },
        )
    print_summary(summary)
    finish(len(summary.problems), "scan", strict)


def _last_scan_id(store: Store) -> int:
    from sqlalchemy import select

    from breachdesk.store.models import ScanRun

    with store.session() as s:
        return max(s.scalars(select(ScanRun.id)).all(), default=0)


def _mark_ended(store: Store, after: int, actor: str, status: str, why: str) -> str:
    """Record every run this command started as ended (``interrupted`` or ``failed``)."""
    from sqlalchemy import select

    from breachdesk.store.audit import append
    from breachdesk.store.models import ScanRun

    try:
        with store.session() as s:
            runs = list(
                s.scalars(select(ScanRun).where(ScanRun.id > after, ScanRun.status == "running"))
            )
            for run in runs:
                run.status = status
                run.problems = [
                    *run.problems,
                    {"file": "", "record": None, "reason": f"{status} ({why}); nothing stored"},
                ]
    except Exception:  # the store itself is gone: nothing more can be recorded
        return "(not recorded)"
    ids = ",".join(str(r.id) for r in runs) or "(not started)"
    for r in runs:
        append(store, actor, f"scan.{status}", f"scan:{r.id}", {"bytes": r.bytes_read})
    return ids


def print_summary(s: ScanSummary) -> None:
    from rich.table import Table

    t = Table(title=f"scan {s.scan_id}", show_header=False)
    mb = s.bytes_read / 1e6
    rate = mb / s.seconds if s.seconds else 0.0
    t.add_row(
        "read",
        f"{s.files:,} files, {mb:,.1f} MB, {s.records:,} records "
        f"({rate:,.0f} MB/s on {s.workers} workers)",
    )
    t.add_row("findings", f"{s.findings_new:,} new, {s.findings_seen:,} already known")
    t.add_row("exposed customers", f"{s.exposed_customers:,}")
    viewers = f"{s.viewers:,} signed-in customers"
    if s.public_hits:
        viewers += f" + public pages ({s.public_hits:,} views from {s.public_ips:,} IP addresses)"
    t.add_row("distinct viewers", viewers)
    if s.window:
        t.add_row("exposure window", f"{s.window[0].isoformat()} → {s.window[1].isoformat()}")
    t.add_row("self-views (counted)", f"{s.self_views:,}")
    t.add_row("unknown emails (counted)", f"{s.unknown_emails:,}")
    if s.viewers_updated or s.retracted:
        t.add_row(
            "earlier findings",
            f"{s.viewers_updated:,} viewers settled, {s.retracted:,} retracted "
            "(the customer's own page)",
        )
    t.add_row("problems", f"{len(s.problems):,}")
    context.console.print(t)
    if s.unknown_viewer_hits:
        context.console.print(
            f"[yellow]warning[/] {s.unknown_viewer_hits:,} findings have viewer 'unknown': "
            "HAR/WARC captures cannot tell a signed-in customer from the public without "
            "--viewer-header, --viewer-cookie or --viewer. Re-scan with one of them: "
            "viewers are settled and a customer's own pages are retracted.",
            soft_wrap=True,
        )
    if s.by_country:
        c = Table(title="exposed customers by country")
        c.add_column("country")
        c.add_column("customers", justify="right")
        for country, n in sorted(s.by_country.items(), key=lambda kv: (-kv[1], kv[0])):
            c.add_row(country, f"{n:,}")
        context.console.print(c)
    for p in s.problems[:50]:
        context.console.print(f"[yellow]problem[/] {p.line()}", markup=True, soft_wrap=True)
    if len(s.problems) > 50:
        context.console.print(
            f"… and {len(s.problems) - 50:,} more problems (see `breachdesk scans {s.scan_id}`)"
        )


def findings(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", help="table or jsonl.")] = "table",
    scan_id: Annotated[int | None, typer.Option("--scan", help="Only this scan.", min=1)] = None,
    limit: Annotated[int, typer.Option(help="Rows in the table view.", min=1)] = 50,
    out: Annotated[Path | None, typer.Option(help="Write JSONL here instead of stdout.")] = None,
) -> None:
    """List findings, export them as JSONL, or retract wrong ones."""
    if ctx.invoked_subcommand is not None:
        return
    if fmt not in ("table", "jsonl"):
        raise UsageError(f"--format {fmt!r}: use table or jsonl")
    if out is not None:
        output_file(out, "--out")
    from rich.markup import escape
    from rich.table import Table

    from breachdesk.detect.findings import export_jsonl, iter_findings

    cfg = settings()
    with open_store(cfg) as store:
        if fmt == "jsonl":
            if out is not None:
                with private_file(out) as fh:
                    n = export_jsonl(store, fh, scan_id)
                context.console.print(f"wrote {n:,} findings to {out}")
            else:
                export_jsonl(store, sys.stdout, scan_id)
            return
        t = Table(title="findings")
        for col in ("customer", "fields", "where", "when", "viewer", "evidence"):
            t.add_column(col, overflow="fold")
        for f in iter_findings(store, scan_id, limit):
            where = f"{Path(f.source).name} {f.locator}" + (f"\n{f.url}" if f.url else "")
            viewer = f.viewer + (f" ({f.viewer_ip})" if f.viewer_ip else "")
            t.add_row(
                *(
                    escape(v)
                    for v in (
                        f.customer_id,
                        ",".join(f.fields) + (" (retracted)" if f.retracted else ""),
                        where,
                        f.seen_at or "",
                        viewer,
                        f.snippet,
                    )
                )
            )
        context.console.print(t)


def scans(
    scan_id: Annotated[int | None, typer.Argument(help="Show this scan's problems.", min=1)] = None,
) -> None:
    """List scan runs, or every problem one scan met."""
    from rich.table import Table

    from breachdesk.detect.findings import get_scan, list_scans

    cfg = settings()
    with open_store(cfg) as store:
        if scan_id is not None:
            run = get_scan(store, scan_id)
            if run is None:
                raise UsageError(f"no scan {scan_id}; `breachdesk scans` lists them")
            context.console.print(f"scan {run.id}: {len(run.problems):,} problems")
            for p in run.problems:
                where = f"{p['file']}: {p['record']}: " if p.get("record") else f"{p['file']}: "
                context.console.print(where + str(p["reason"]), soft_wrap=True, markup=False)
            return
        t = Table(title="scans")
        for col in ("id", "started", "status", "MB", "records", "new findings", "problems"):
            t.add_column(col)
        for run in list_scans(store):
            t.add_row(
                str(run.id),
                run.started_at.isoformat(timespec="seconds"),
                run.status,
                f"{run.bytes_read / 1e6:,.1f}",
                f"{run.records:,}",
                f"{run.findings_new:,}",
                f"{len(run.problems):,}",
            )
        context.console.print(t)


def register(app: typer.Typer) -> None:
    app.command("scan")(scan)
    from breachdesk.cli import review as review_cli

    findings_app = typer.Typer(invoke_without_command=True, no_args_is_help=False)
    findings_app.callback()(findings)
    review_cli.register_findings(findings_app)
    app.add_typer(findings_app, name="findings")
    app.command("scans")(scans)
