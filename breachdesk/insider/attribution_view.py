"""Show an attribution as a person reads it: counts, elements, countries, exports, problems."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from breachdesk.insider.attribute import Attribution


def render_attribution(att: Attribution, console: Console) -> None:
    s = att.stats
    console.print(
        f"read {s.bytes:,} bytes, {s.lines:,} lines: {s.emails:,} email and {s.phones:,} "
        f"phone candidates, {s.unknown_emails:,} emails not in the registry"
    )
    console.print(f"[bold]{att.matched:,} matched[/bold] registry customers")
    if att.matched:
        console.print("elements seen: " + ", ".join(f"{k} {v:,}" for k, v in att.elements.items()))
        if att.by_country:
            console.print(
                "by country: " + ", ".join(f"{k} {v:,}" for k, v in att.by_country.items())
            )
    if s.canary_domain_unknown:
        console.print(f"{s.canary_domain_unknown:,} addresses on canary domains match no canary")
    table = Table(title="exports")
    for col in (
        "named",
        "export",
        "to",
        "by",
        "when",
        "in dump",
        "containment",
        "canaries",
        "confidence",
    ):
        table.add_column(col)
    for e in att.exports[:15]:
        table.add_row(
            e.evidence if e.named else "",
            f"{e.export_id} {e.uid}",
            e.recipient,
            e.exporter,
            e.created_at,
            f"{e.in_dump:,}/{e.members:,}",
            f"{e.containment:.1%}",
            f"{e.canaries_found}/{e.canaries_total}",
            f"{e.confidence:.6f}",
        )
    if att.exports:
        console.print(table)
    else:
        console.print("no export overlaps this dump")
    console.print(f"cause: {att.cause}")
    for p in att.problems:
        console.print(f"[yellow]problem[/yellow] {p['source']}: {p['reason']}")
