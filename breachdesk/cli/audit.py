"""``breachdesk audit verify`` and ``breachdesk audit log``."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from breachdesk.cli.context import console, err_console, open_store, settings
from breachdesk.errors import BreachdeskError
from breachdesk.store.audit import entries, verify

audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)


@audit_app.command("verify")
def verify_cmd() -> None:
    """Recompute the chain; exit 1 naming every edited, deleted or reordered entry."""
    with open_store(settings()) as store:
        report = verify(store)
    if report.ok:
        console.print(
            f"audit log intact: {report.entries:,} entries, head {report.head_seq} "
            f"{report.head_hash}"
        )
        return
    for p in report.problems:
        err_console.print(p.line(), markup=False)
    raise BreachdeskError(f"audit log BROKEN: {len(report.problems)} problem(s)")


@audit_app.command("log")
def log_cmd(
    subject: Annotated[str | None, typer.Option(help="Only this subject, e.g. incident:3.")] = None,
    limit: Annotated[int, typer.Option(help="Newest N entries; 0 = all.", min=0)] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines instead of a table.")] = False,
) -> None:
    """Show the newest audit entries (who, when, what, on which subject)."""
    with open_store(settings()) as store:
        rows = entries(store, subject, limit or None)
    if as_json:
        for e in rows:
            print(
                json.dumps(
                    {
                        "seq": e.seq,
                        "ts": e.ts.isoformat(),
                        "actor": e.actor,
                        "action": e.action,
                        "subject": e.subject,
                        "details": e.details,
                        "prev_hash": e.prev_hash,
                        "hash": e.hash,
                    },
                    ensure_ascii=False,
                    sort_keys=True,
                )
            )
        return
    t = Table(title="audit log (newest first)")
    for col in ("seq", "when (UTC)", "actor", "action", "subject", "details", "hash"):
        t.add_column(col, overflow="fold")
    for e in rows:
        cells = (
            str(e.seq),
            e.ts.strftime("%Y-%m-%d %H:%M:%S"),
            e.actor,
            e.action,
            e.subject,
            json.dumps(e.details, ensure_ascii=False, sort_keys=True, separators=(",", ":")),
            e.hash[:12],
        )
        t.add_row(*(Text(c) for c in cells))  # Text: JSON brackets are not rich markup
    console.print(t)


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")
