"""``breachdesk scope ID [--json] [--charts DIR]``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from breachdesk.cli.context import console, open_store, settings
from breachdesk.cli.paths import output_folder
from breachdesk.incident.scope import compute_scope
from breachdesk.incident.views import print_scope


def scope(
    incident_id: Annotated[int, typer.Argument(help="Incident id.", min=1)],
    as_json: Annotated[bool, typer.Option("--json", help="Print the scope as JSON.")] = False,
    charts: Annotated[
        Path | None,
        typer.Option(help="Folder for by-country and over-time charts (PNG, SVG); created 0700."),
    ] = None,
) -> None:
    """Who is affected, where, which data elements, when, and seen by how many."""
    if charts is not None:
        output_folder(charts, "--charts")
    with open_store(settings()) as store:
        sc = compute_scope(store, incident_id)
    files: list[Path] = []
    if charts is not None:
        from breachdesk.incident.charts import write_charts

        files = write_charts(sc, charts).all()
    if as_json:
        out = sc.to_json()
        if files:
            out["charts"] = [str(f) for f in files]
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return
    print_scope(sc, console)
    for f in files:
        console.print(f"chart {f}")


def register(app: typer.Typer) -> None:
    app.command("scope")(scope)
