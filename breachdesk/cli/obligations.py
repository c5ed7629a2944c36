"""``breachdesk obligations ID [--json]`` and ``breachdesk obligation status``."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from breachdesk.cli.context import console, open_store, settings
from breachdesk.incident.obligations import (
    obligations_json,
    refresh_obligations,
    set_obligation_status,
    statuses,
)
from breachdesk.law.render import print_assessment
from breachdesk.store.audit import default_actor
from breachdesk.store.models.base import utcnow

obligations_app = typer.Typer(help="Change the status of an obligation.", no_args_is_help=True)


def show(
    incident_id: Annotated[int, typer.Argument(help="Incident id.", min=1)],
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Assess the incident, store each obligation with its status, and list them."""
    cfg = settings()
    with open_store(cfg) as store:
        result = refresh_obligations(store, cfg, incident_id, default_actor(cfg))
    now = utcnow()
    if as_json:
        print(json.dumps(obligations_json(result, now), ensure_ascii=False, indent=2))
        return
    console.print(
        f"incident {incident_id}: {len(result.rows)} obligations "
        f"({result.added} new, {result.superseded} no longer due)"
    )
    print_assessment(result.assessment, console, now, statuses(result.rows))


@obligations_app.command("status")
def status_cmd(
    incident_id: Annotated[int, typer.Argument(help="Incident id.", min=1)],
    obligation: Annotated[str, typer.Argument(help="Obligation id or key (from the list).")],
    status: Annotated[str, typer.Argument(help="pending, done or not-required.")],
    reason: Annotated[str, typer.Option(help="Why (required for not-required).")] = "",
) -> None:
    """Change an obligation's status (audited)."""
    cfg = settings()
    with open_store(cfg) as store:
        row = set_obligation_status(
            store, incident_id, obligation, status, default_actor(cfg), reason
        )
    console.print(f"obligation {row.id} {row.key}: {row.status}")


def register(app: typer.Typer) -> None:
    app.command("obligations")(show)
    app.add_typer(obligations_app, name="obligation")
