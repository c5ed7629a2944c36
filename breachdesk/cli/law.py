"""``breachdesk assess --what-if FILE``: obligations for a hypothetical incident;
``breachdesk rules``: validate and list the jurisdiction rules files."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from breachdesk.cli.context import console
from breachdesk.errors import UsageError
from breachdesk.law.engine import assess as assess_situation
from breachdesk.law.engine import default_rulebook
from breachdesk.law.render import assessment_json, print_assessment
from breachdesk.law.risk import RiskResult
from breachdesk.law.rules import criteria_ids, load_rulebook, summarise
from breachdesk.law.whatif import load_what_if

Rules = Annotated[
    Path | None,
    typer.Option(
        "--rules",
        help="Rules directory (default: the shipped rules).",
        exists=True,
        file_okay=False,
    ),
]


def _parse_now(now: str | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    try:
        parsed = datetime.fromisoformat(now.replace("Z", "+00:00"))
    except ValueError as exc:
        raise UsageError(f"--now: not an ISO 8601 time: {now!r}") from exc
    if parsed.tzinfo is None:
        raise UsageError("--now: give a time zone, e.g. 2026-03-28T09:00Z")
    return parsed


def print_risk(risk: RiskResult) -> None:
    t = Table(title="risk (ENISA 2013: SE = DPC x EI + CB)", show_header=False)
    for label, f in (("DPC", risk.dpc), ("EI", risk.ei), ("CB", risk.cb)):
        t.add_row(label, f"{f.value:g}", "\n".join(f.explanation))
    t.add_row("SE", f"{risk.se:g}", f"band {risk.band}")
    t.add_row("GDPR level", risk.level, "\n".join(risk.level_explanation))
    console.print(t)


def assess(
    what_if: Annotated[
        Path,
        typer.Option(
            "--what-if",
            help="YAML or JSON file describing a hypothetical incident.",
            exists=True,
            dir_okay=False,
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the assessment as JSON.")] = False,
    now: Annotated[
        str | None, typer.Option(help="Evaluate 'time left' at this ISO time (default: now).")
    ] = None,
    rules: Rules = None,
) -> None:
    """Who must be told, by whom and by when, for a hypothetical incident. No store is used."""
    at = _parse_now(now)
    rulebook = load_rulebook(rules) if rules is not None else default_rulebook()
    wi = load_what_if(what_if, criteria_ids(rulebook))
    result = assess_situation(wi.situation, rulebook)
    if as_json:
        out = assessment_json(result, now=at)
        if wi.risk is not None:
            out["risk"] = wi.risk.model_dump(mode="json")
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return
    if wi.risk is not None:
        print_risk(wi.risk)
    print_assessment(result, console, now=at)


def rules_list(
    rules: Rules = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Validate every rules file and list what each covers (fails on the first bad file)."""
    rows = summarise(load_rulebook(rules))
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    t = Table(title=f"{len(rows)} rules files, all valid")
    for col in ("file", "jurisdiction", "name", "rules", "verified", "register", "last verified"):
        t.add_column(col, no_wrap=col != "name")
    for r in rows:
        t.add_row(
            r["file"],
            r["jurisdiction"],
            r["name"],
            str(r["rules"]),
            f"{r['verified']}/{r['rules']}",
            "yes" if r["register"] else "-",
            r["last_verified"] or "-",
        )
    console.print(t)


def register(app: typer.Typer) -> None:
    app.command("assess")(assess)
    app.command("rules")(rules_list)
