"""``breachdesk findings retract`` and ``breachdesk incident detach``: correct the evidence.

Both change what incidents hold, so both refresh the obligations of every incident
touched and withdraw the notices not yet sent to customers who are no longer
affected. The next report to each recipient lists the change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from breachdesk.cli import context
from breachdesk.cli.context import open_store, settings

# the store is imported by the commands themselves, and the console made on first use:
# `scan` registers these commands and must load neither before its workers start
if TYPE_CHECKING:
    from breachdesk.settings import Settings
    from breachdesk.store import Store


def _follow(store: Store, cfg: Settings, incidents: list[int], actor: str, why: str) -> None:
    """Let a correction flow into obligations and not-yet-sent notices."""
    from breachdesk.incident.obligations import refresh_obligations
    from breachdesk.notify.withdraw import withdraw_unaffected

    for incident_id in incidents:
        result = refresh_obligations(store, cfg, incident_id, actor)
        withdrawn = withdraw_unaffected(store, incident_id, actor, why)
        context.console.print(
            f"incident {incident_id}: obligations refreshed "
            f"({result.added:,} new, {result.superseded:,} no longer due); "
            f"{withdrawn:,} notices not yet sent withdrawn"
        )


def retract(
    finding_ids: Annotated[list[int], typer.Argument(help="Finding ids to retract.", min=1)],
    reason: Annotated[str, typer.Option(help="Why they are wrong (goes to the audit log).")],
) -> None:
    """Retract findings that review showed to be wrong; they leave every incident."""
    from breachdesk.detect.review import retract_findings
    from breachdesk.store.audit import default_actor

    cfg = settings()
    actor = default_actor(cfg)
    with open_store(cfg) as store:
        r = retract_findings(store, finding_ids, reason, actor)
        context.console.print(
            f"retracted {len(r.retracted):,} findings ({len(r.already):,} already retracted); "
            f"detached from {len(r.incidents):,} incidents"
        )
        _follow(store, cfg, r.incidents, actor, f"finding retracted: {reason.strip()}")


def detach(
    incident_id: Annotated[int, typer.Argument(help="Incident id.", min=1)],
    reason: Annotated[str, typer.Option(help="Why (goes to the audit log).")],
    finding: Annotated[
        list[int] | None, typer.Option("--finding", help="A finding id (repeatable).", min=1)
    ] = None,
    scan: Annotated[
        int | None,
        typer.Option("--scan", help="Every finding of scan N the incident holds.", min=1),
    ] = None,
    customer: Annotated[
        list[str] | None,
        typer.Option("--customer", help="A customer id attached by a list (repeatable)."),
    ] = None,
) -> None:
    """Detach findings or listed customers from an incident (they stay as findings)."""
    from breachdesk.incident.detach import detach as detach_evidence
    from breachdesk.store.audit import default_actor

    cfg = settings()
    actor = default_actor(cfg)
    with open_store(cfg) as store:
        r = detach_evidence(
            store,
            incident_id,
            reason,
            actor,
            finding_ids=finding or (),
            scan_id=scan,
            customer_ids=customer or (),
        )
        context.console.print(
            f"incident {incident_id}: detached {len(r.findings):,} findings and "
            f"{len(r.customers):,} listed customers"
        )
        for what in r.not_attached[:50]:
            context.console.print(f"[yellow]not attached[/] {what}", soft_wrap=True)
        if r.findings or r.customers:
            _follow(store, cfg, [incident_id], actor, f"evidence detached: {reason.strip()}")
    if r.not_attached:
        raise typer.Exit(3)


def register_findings(findings_app: typer.Typer) -> None:
    findings_app.command("retract")(retract)


def register_incident(incident_app: typer.Typer) -> None:
    incident_app.command("detach")(detach)
