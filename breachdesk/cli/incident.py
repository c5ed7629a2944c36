"""``breachdesk incident open|list|show|status|attach``."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
import yaml
from rich.table import Table

from breachdesk.cli.context import console, open_store, settings
from breachdesk.cli.paths import input_file
from breachdesk.errors import InputError, UsageError
from breachdesk.incident.lifecycle import (
    CAUSES,
    NewIncident,
    get_incident,
    history,
    list_incidents,
    open_incident,
    parse_time,
    set_locale_texts,
    set_not_exposed,
    set_status,
    update_text,
)
from breachdesk.store.audit import default_actor

if TYPE_CHECKING:
    from breachdesk.incident.attach import AttachResult

IncidentId = Annotated[int, typer.Argument(help="Incident id.", min=1)]

incident_app = typer.Typer(
    help="Open, attach to, move and inspect incidents.", no_args_is_help=True
)


@incident_app.command("open")
def open_cmd(
    title: Annotated[str, typer.Option(help="Short title.")],
    cause: Annotated[str, typer.Option(help=f"One of: {', '.join(CAUSES)}.")],
    became_aware_at: Annotated[
        str, typer.Option(help="When you became aware (ISO 8601 with zone); starts the clocks.")
    ],
    window_start: Annotated[
        str | None, typer.Option(help="Exposure window start (ISO 8601 with zone).")
    ] = None,
    window_end: Annotated[
        str | None, typer.Option(help="Exposure window end (ISO 8601 with zone).")
    ] = None,
    description: Annotated[str, typer.Option(help="What happened.")] = "",
    measures: Annotated[str, typer.Option(help="Measures taken or proposed.")] = "",
    consequences: Annotated[str, typer.Option(help="Likely consequences for people.")] = "",
    encrypted: Annotated[
        bool, typer.Option(help="The exposed data was unintelligible (strong encryption).")
    ] = False,
) -> None:
    """Record a new incident (status open)."""
    cfg = settings()
    new = NewIncident(
        title=title,
        cause=cause,
        became_aware_at=parse_time(became_aware_at, "--became-aware-at"),
        window_start=parse_time(window_start, "--window-start") if window_start else None,
        window_end=parse_time(window_end, "--window-end") if window_end else None,
        description=description,
        measures=measures,
        consequences=consequences,
        encrypted=encrypted,
    )
    with open_store(cfg) as store:
        inc = open_incident(store, new, default_actor(cfg))
    console.print(
        f"incident {inc.id} opened: {inc.title} "
        f"(clock from {inc.became_aware_at:%Y-%m-%d %H:%M} UTC)"
    )


@incident_app.command("list")
def list_cmd() -> None:
    """All incidents with their status."""
    with open_store(settings()) as store:
        rows = list_incidents(store)
    t = Table(title="incidents")
    for col in ("id", "status", "cause", "aware (UTC)", "title"):
        t.add_column(col)
    for inc in rows:
        t.add_row(
            str(inc.id), inc.status, inc.cause, f"{inc.became_aware_at:%Y-%m-%d %H:%M}", inc.title
        )
    console.print(t)


@incident_app.command("show")
def show_cmd(incident_id: IncidentId) -> None:
    """One incident: facts, status history and the size of its affected set."""
    from breachdesk.incident.affected import affected_customers
    from breachdesk.incident.obligations import current_rows
    from breachdesk.reports.generate import list_reports

    with open_store(settings()) as store:
        inc = get_incident(store, incident_id)
        moves = history(store, incident_id)
        people = affected_customers(store, incident_id)
        rows = current_rows(store, incident_id)
        reports = list_reports(store, incident_id)
    t = Table(title=f"incident {inc.id}", show_header=False)
    t.add_row("title", inc.title)
    t.add_row("status", inc.status)
    t.add_row("cause", inc.cause)
    t.add_row("became aware", inc.became_aware_at.isoformat())
    window = " → ".join(d.isoformat() if d else "?" for d in (inc.window_start, inc.window_end))
    t.add_row("window", window)
    t.add_row("description", inc.description or "-")
    t.add_row("measures", inc.measures or "-")
    t.add_row(
        "affected customers",
        f"{len(people):,} ({sum(c.findings for c in people):,} findings, "
        f"{sum(c.listed for c in people):,} listed)",
    )
    by_status = Counter(r.status for r in rows)
    t.add_row(
        "obligations",
        ", ".join(f"{n} {k}" for k, n in sorted(by_status.items()))
        or "not assessed yet (`breachdesk obligations ID`)",
    )
    t.add_row("reports", ", ".join(f"{r.recipient}-{r.number:02d}" for r in reports) or "-")
    console.print(t)
    h = Table(title="status history")
    for col in ("when (UTC)", "from", "to", "by", "reason"):
        h.add_column(col)
    for m in moves:
        h.add_row(f"{m.at:%Y-%m-%d %H:%M:%S}", m.from_status or "-", m.to_status, m.actor, m.reason)
    console.print(h)


@incident_app.command("edit")
def edit_cmd(
    incident_id: IncidentId,
    description: Annotated[str | None, typer.Option(help="What happened.")] = None,
    measures: Annotated[str | None, typer.Option(help="Measures taken or proposed.")] = None,
    consequences: Annotated[str | None, typer.Option(help="Likely consequences.")] = None,
    law_enforcement: Annotated[
        str | None, typer.Option(help="Police involvement, and any delay they asked for.")
    ] = None,
    locale: Annotated[
        str | None,
        typer.Option(
            help="The language of --description/--measures for customer notices "
            "(de, fr-CA...); without it they are the English source texts reports quote."
        ),
    ] = None,
    texts: Annotated[
        Path | None,
        typer.Option(
            help="YAML file of texts per language: {de: {description: ..., measures: ...}}."
        ),
    ] = None,
    not_exposed: Annotated[
        str | None,
        typer.Option(
            help="Kinds of data NOT exposed, told to customers (e.g. password,payment_card)."
        ),
    ] = None,
) -> None:
    """Update the facts that reports and notices quote (audited by field name)."""
    cfg = settings()
    if locale is not None or texts is not None or not_exposed is not None:
        per_locale = _texts_file(texts) if texts is not None else {}
        if locale is not None:
            if consequences is not None or law_enforcement is not None:
                raise UsageError("--locale applies to --description and --measures only")
            given_l = {
                k: v for k, v in {"description": description, "measures": measures}.items() if v
            }
            if not given_l:
                raise UsageError("--locale needs --description or --measures")
            per_locale.setdefault(locale, {}).update(given_l)
            description = measures = None
        with open_store(cfg) as store:
            if per_locale:
                set_locale_texts(store, incident_id, default_actor(cfg), per_locale)
            if not_exposed is not None:
                set_not_exposed(store, incident_id, default_actor(cfg), not_exposed.split(","))
        done = sorted(per_locale) + (["not exposed"] if not_exposed is not None else [])
        console.print(f"incident {incident_id}: updated texts ({', '.join(done)})")
        if all(v is None for v in (description, measures, consequences, law_enforcement)):
            return
    given = {
        k: v
        for k, v in {
            "description": description,
            "measures": measures,
            "consequences": consequences,
            "law_enforcement": law_enforcement,
        }.items()
        if v is not None
    }
    if not given:
        raise UsageError(
            "give at least one of --description, --measures, --consequences, --law-enforcement"
        )
    with open_store(cfg) as store:
        update_text(store, incident_id, default_actor(cfg), **given)
    console.print(f"incident {incident_id}: updated {', '.join(sorted(given))}")


def _texts_file(path: Path) -> dict[str, dict[str, str]]:
    input_file(path, "--texts")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise InputError(
            str(path), f"not UTF-8 text (byte {exc.start}); save it as UTF-8"
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(str(path), f"not valid YAML: {exc}") from None
    if not isinstance(raw, dict) or not all(isinstance(v, dict) for v in raw.values()):
        raise UsageError(f"{path}: write one mapping per language, e.g. de: {{measures: ...}}")
    return {str(k): {str(f): str(t) for f, t in v.items()} for k, v in raw.items()}


@incident_app.command("status")
def status_cmd(
    incident_id: IncidentId,
    status: Annotated[str, typer.Argument(help="open, contained, notifying or closed.")],
    reason: Annotated[str, typer.Option(help="Why (required when moving backwards).")] = "",
) -> None:
    """Move an incident to a new status (recorded and audited)."""
    cfg = settings()
    with open_store(cfg) as store:
        ch = set_status(store, incident_id, status, default_actor(cfg), reason)
    console.print(f"incident {incident_id}: {ch.from_status} → {ch.to_status}")


@incident_app.command("attach")
def attach_cmd(
    incident_id: IncidentId,
    scan: Annotated[
        int | None, typer.Option("--scan", help="Attach every finding of scan N.", min=1)
    ] = None,
    all_unattached: Annotated[
        bool, typer.Option("--all-unattached", help="Attach every finding no incident holds.")
    ] = False,
    since: Annotated[str | None, typer.Option(help="Attach findings seen from (ISO 8601).")] = None,
    until: Annotated[str | None, typer.Option(help="... up to (ISO 8601).")] = None,
    list_file: Annotated[
        Path | None,
        typer.Option(
            "--list", help="CSV with a customer_id or email column.", exists=True, dir_okay=False
        ),
    ] = None,
    fields: Annotated[
        str, typer.Option(help="Exposed fields for list rows without a fields column.")
    ] = "email",
) -> None:
    """Attach findings (by scan, unattached, or time window) or an affected-customer list."""
    from breachdesk.incident.attach import (
        attach_list,
        attach_scan,
        attach_unattached,
        attach_window,
    )

    chosen = sum(
        x for x in (scan is not None, all_unattached, bool(since or until), list_file is not None)
    )
    if chosen != 1:
        raise UsageError("give exactly one of --scan, --all-unattached, --since/--until, --list")
    cfg = settings()
    actor = default_actor(cfg)
    with open_store(cfg) as store:
        if scan is not None:
            r = attach_scan(store, incident_id, scan, actor)
        elif all_unattached:
            r = attach_unattached(store, incident_id, actor)
        elif list_file is not None:
            r = attach_list(store, cfg, incident_id, list_file, actor, fields)
        else:
            if not (since and until):
                raise UsageError("--since and --until go together")
            r = attach_window(
                store,
                incident_id,
                parse_time(since, "--since"),
                parse_time(until, "--until"),
                actor,
            )
    _print_attach(incident_id, r, list_file)


def _print_attach(incident_id: int, r: AttachResult, list_file: Path | None) -> None:
    what = "customers" if list_file else "findings"
    console.print(
        f"incident {incident_id}: attached {r.added:,} {what} ({r.already:,} already attached)"
    )
    for row, reason in r.unmatched[:100]:
        console.print(f"[yellow]unmatched[/] {list_file}: row {row}: {reason}", soft_wrap=True)
    if len(r.unmatched) > 100:
        console.print(f"… and {len(r.unmatched) - 100:,} more unmatched rows")
    if r.unmatched:
        console.print(
            f"{len(r.unmatched):,} rows not matched (listed above); the rest are attached"
        )


def register(app: typer.Typer) -> None:
    from breachdesk.cli import review as review_cli

    review_cli.register_incident(incident_app)
    app.add_typer(incident_app, name="incident")
