"""``breachdesk risk ID [--answer K=V] [--override DPC=2 --reason "..."] [--json]``."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from breachdesk.cli.context import console, open_store, settings
from breachdesk.errors import UsageError
from breachdesk.incident.law_answers import KEY_COMPROMISED, set_law_answers
from breachdesk.incident.risk import add_overrides, current_risk, parse_override, set_answers
from breachdesk.law.whatif import parse_answer
from breachdesk.store.audit import default_actor


def split_law_answers(
    given: dict[str, str], known: frozenset[str]
) -> tuple[dict[str, bool], bool | None, dict[str, str]]:
    """(criterion answers, key_compromised or None, the remaining ENISA answers)."""
    criteria: dict[str, bool] = {}
    key_taken: bool | None = None
    rest: dict[str, str] = {}
    for k, v in given.items():
        if k in known or k == KEY_COMPROMISED:
            try:
                value = parse_answer(v)
            except ValueError:
                raise UsageError(f"--answer {k}={v}: answer yes or no") from None
            if k == KEY_COMPROMISED:
                key_taken = value
            else:
                criteria[k] = value
        else:
            rest[k] = v
    return criteria, key_taken, rest


def risk(
    incident_id: Annotated[int, typer.Argument(help="Incident id.", min=1)],
    answer: Annotated[
        list[str] | None,
        typer.Option(
            help="Operator answer K=V: recipients=none|known|unknown, integrity=..., "
            "availability=..., malicious=yes|no, vulnerable_subjects=yes, data_public=yes, "
            "unintelligible=yes, large_scale_at=N; key_compromised=yes|no (the encryption key "
            "was also taken); or a law criterion ID=yes|no, e.g. br-large-scale=yes, as listed "
            "by 'breachdesk obligations' (repeatable)."
        ),
    ] = None,
    override: Annotated[
        list[str] | None,
        typer.Option(help="Replace a value: DPC=2, EI=0.5, CB=1, level=high (repeatable)."),
    ] = None,
    reason: Annotated[str, typer.Option(help="Why (required with --override).")] = "",
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """ENISA 2013 severity SE = DPC x EI + CB, each input explained; overrides are audited."""
    cfg = settings()
    actor = default_actor(cfg)
    pairs = [parse_override(o) for o in override or []]
    given: dict[str, str] = {}
    for a in answer or []:
        if "=" not in a:
            raise UsageError(f"--answer {a!r}: use KEY=VALUE")
        k, v = a.split("=", 1)
        given[k.strip()] = v
    criteria: dict[str, bool] = {}
    key_taken: bool | None = None
    if given:
        from breachdesk.law.engine import default_rulebook  # the rules load only when needed
        from breachdesk.law.rules import criteria_ids

        criteria, key_taken, given = split_law_answers(given, criteria_ids(default_rulebook()))
    with open_store(cfg) as store:
        if criteria or key_taken is not None:
            set_law_answers(store, incident_id, criteria, actor, key_taken)
        if given:
            set_answers(store, incident_id, given, actor)
        if pairs:
            add_overrides(store, incident_id, pairs, reason, actor)
        elif reason:
            raise UsageError("--reason goes with --override")
        result = current_risk(store, incident_id)
    if as_json:
        print(json.dumps(result.model_dump(mode="json"), ensure_ascii=False, indent=2))
        return
    t = Table(title=f"risk of incident {incident_id}: SE = DPC × EI + CB", show_lines=True)
    t.add_column("input")
    t.add_column("value", justify="right")
    t.add_column("why", overflow="fold")
    for name, f in (("DPC", result.dpc), ("EI", result.ei), ("CB", result.cb)):
        t.add_row(name, f"{f.value:g}", "\n".join(f.explanation))
    t.add_row("SE", f"{result.se:g}", f"band: {result.band}")
    t.add_row("GDPR level", result.level, "\n".join(result.level_explanation))
    console.print(t)


def register(app: typer.Typer) -> None:
    app.command("risk")(risk)
