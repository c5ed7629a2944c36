"""``breachdesk registry import|reindex|stats``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from breachdesk.cli.context import console, finish, open_store, settings
from breachdesk.registry.entities import load_entities
from breachdesk.registry.importer import import_registry
from breachdesk.registry.index import build_index
from breachdesk.registry.readers import parse_mapping
from breachdesk.store.audit import append, default_actor
from breachdesk.workspace import hasher

registry_app = typer.Typer(
    help="The customer registry and its keyed matching index.", no_args_is_help=True
)


@registry_app.command("import")
def import_cmd(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV, JSONL or Parquet file of customers.", exists=True, dir_okay=False
        ),
    ],
    map_: Annotated[
        list[str] | None,
        typer.Option("--map", help="FIELD=COLUMN, e.g. --map email='E-Mail Address'. Repeatable."),
    ] = None,
    fmt: Annotated[str | None, typer.Option("--format", help="csv, jsonl or parquet.")] = None,
) -> None:
    """Import customers (upsert by customer id), write rejects, rebuild the index.

    Exit 3 when rows were rejected (the rest is imported; each reject is in the
    rejects file with its row number) or the file holds no rows.
    """
    cfg = settings()
    keyed = hasher(cfg)
    entities = load_entities(cfg.entities_path)
    mapping = parse_mapping(map_ or [])
    with (
        open_store(cfg) as store,
        Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TextColumn("{task.completed:,} rows"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as bar,
    ):
        task = bar.add_task(f"importing {file.name}", total=None)
        summary = import_registry(
            store,
            file,
            entities,
            cfg.rejects_dir,
            mapping,
            fmt,
            progress=lambda n: bar.update(task, completed=n),
        )
        bar.update(task, description="building the keyed index")
        stats = build_index(store, keyed, cfg.index_dir)
        append(
            store,
            default_actor(cfg),
            "registry.import",
            "registry",
            {
                "file": file.name,
                "rows": summary.rows_read,
                "inserted": summary.inserted,
                "updated": summary.updated,
                "rejected": summary.rejected,
                "warnings": summary.warnings,
            },
        )
    table = Table(title=f"registry import: {file}", show_header=False)
    table.add_row("rows read", f"{summary.rows_read:,}")
    table.add_row("inserted", f"{summary.inserted:,}")
    table.add_row("updated", f"{summary.updated:,}")
    table.add_row("rejected", f"{summary.rejected:,}")
    table.add_row("warnings", f"{summary.warnings:,}")
    if summary.rejects_file:
        table.add_row("rejects file", summary.rejects_file)
    table.add_row(
        "index",
        f"{stats.identifiers:,} identifiers, {stats.customers:,} customers, "
        f"{stats.bytes_on_disk / 1e6:.1f} MB",
    )
    console.print(table)
    for line in summary.fallback_lines():
        console.print(f"[yellow]locale[/] {escape(line)}", soft_wrap=True)
    if summary.rows_read == 0:
        print(f"breachdesk: warning: {file}: no customer rows in the file", file=sys.stderr)
        raise typer.Exit(3)
    finish(summary.rejected, f"registry import of {file.name}")


@registry_app.command("reindex")
def reindex_cmd() -> None:
    """Rebuild the keyed matching index from the registry."""
    cfg = settings()
    with open_store(cfg) as store:
        stats = build_index(store, hasher(cfg), cfg.index_dir)
    console.print(
        f"index rebuilt: {stats.identifiers:,} identifiers, "
        f"{stats.customers:,} customers, {stats.bytes_on_disk / 1e6:.1f} MB"
    )


def register(app: typer.Typer) -> None:
    app.add_typer(registry_app, name="registry")
