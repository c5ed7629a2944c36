"""Rich view of an incident's scope, shared by the CLI and the demo scene."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from breachdesk.incident.scope import Scope

PER_CUSTOMER_ROWS = 20


def _counts(title: str, counts: dict[str, int], total: int) -> Table:
    t = Table(title=title)
    t.add_column(title.split()[-1])
    t.add_column("customers", justify="right")
    t.add_column("share", justify="right")
    for k, n in counts.items():
        t.add_row(k, f"{n:,}", f"{n / total:.1%}" if total else "-")
    return t


def print_scope(sc: Scope, console: Console) -> None:
    t = Table(title=f"scope of incident {sc.incident_id}", show_header=False)
    t.add_row(
        "affected customers",
        f"{sc.affected:,} of {sc.registry_size:,} in the registry ({sc.share:.2%})",
    )
    if sc.window:
        t.add_row(
            "exposure window",
            f"{sc.window[0]:%Y-%m-%d %H:%M:%S} → {sc.window[1]:%Y-%m-%d %H:%M:%S} UTC",
        )
    else:
        t.add_row("exposure window", "unknown")
    seen = f"{sc.recipients:,}" + (" (incl. public: anyone could see)" if sc.public else "")
    t.add_row("distinct recipients", seen)
    t.add_row("data elements", ", ".join(f"{k} {n:,}" for k, n in sc.elements.items()) or "-")
    console.print(t)
    for title, counts in (
        ("by country", sc.by_country),
        ("by subdivision", sc.by_subdivision),
        ("by entity", sc.by_entity),
        ("by locale", sc.by_locale),
    ):
        if counts:
            console.print(_counts(title, counts, sc.affected))
    for u in sc.unknown:
        console.print(
            f"[yellow]unknown {u.kind}[/] {u.value}: {u.customers:,} customers — {u.reason}",
            soft_wrap=True,
        )
    p = Table(title=f"per-customer exposure (first {PER_CUSTOMER_ROWS}; --json for all)")
    for col in ("customer", "where", "entity", "fields", "first seen", "last seen", "seen by"):
        p.add_column(col)
    for c in sc.customers[:PER_CUSTOMER_ROWS]:
        p.add_row(
            c.customer_id,
            c.subdivision or c.country,
            c.entity,
            ",".join(sorted(c.fields)),
            f"{c.first_seen:%Y-%m-%d %H:%M}" if c.first_seen else "-",
            f"{c.last_seen:%Y-%m-%d %H:%M}" if c.last_seen else "-",
            f"{c.recipients:,}" + (" (listed)" if c.listed else ""),
        )
    console.print(p)
