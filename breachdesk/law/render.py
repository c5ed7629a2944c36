"""Shared output of an :class:`Assessment`: rich tables and JSON.

Used by ``breachdesk assess --what-if`` and by ``breachdesk obligations ID``; pass
``statuses`` (obligation key -> status) when the store knows them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, get_args
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from breachdesk.law.deadlines import time_left
from breachdesk.law.situation import Assessment, DataElement, Obligation

DEFAULT_STATUS = "due"
UNVERIFIED = "[unverified: not compared with the statute text, take legal advice]"
ANSWER_HOW = (
    "answer in the what-if file (answers: {ID: yes}) "
    "or with: breachdesk risk INCIDENT --answer ID=yes"
)


def _print_questions(assessment: Assessment, console: Console) -> None:
    """Criteria the engine does not model, next to their jurisdiction and rule."""
    if not assessment.open_questions:
        return
    q = Table(title="questions for the DPO (criteria breachdesk does not decide)", show_lines=True)
    for col in ("where", "rule", "criterion", "question", "if yes", "id"):
        q.add_column(col, overflow="fold")
    for oq in assessment.open_questions:
        q.add_row(
            escape(f"{oq.jurisdiction} ({oq.entity})"),
            escape(oq.rule_id),
            escape(f"{oq.criterion}\n{oq.citation}"),
            escape(oq.question),
            escape(oq.effect),
            escape(oq.id),
        )
    console.print(q)
    console.print(escape(ANSWER_HOW), soft_wrap=False)


def _local(ob: Obligation) -> datetime | None:
    return ob.due_at.astimezone(ZoneInfo(ob.timezone)) if ob.due_at else None


def _status(ob: Obligation, statuses: Mapping[str, str] | None) -> str:
    return (statuses or {}).get(ob.key, DEFAULT_STATUS)


def assessment_json(
    assessment: Assessment,
    now: datetime | None = None,
    statuses: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """A JSON-ready dict: obligations (with local due time, time left, status),
    non-obligations with reasons, unknown jurisdictions with counts, and the situation."""
    now = now or datetime.now(UTC)
    obligations = []
    for ob in assessment.obligations:
        row = ob.model_dump(mode="json")
        local = _local(ob)
        row["due_at_local"] = local.isoformat() if local else None
        row["time_left"] = time_left(ob.due_at, now)
        row["status"] = _status(ob, statuses)
        obligations.append(row)
    return {
        "evaluated_at": now.isoformat(),
        "situation": assessment.situation.model_dump(mode="json"),
        "obligations": obligations,
        "non_obligations": [n.model_dump(mode="json") for n in assessment.non_obligations],
        "unknown_jurisdictions": [u.model_dump(mode="json") for u in assessment.unknown],
        "open_questions": [q.model_dump(mode="json") for q in assessment.open_questions],
    }


def _fmt(dt: datetime | None, with_zone: bool = False) -> str:
    if dt is None:
        return "-"
    return dt.strftime("%Y-%m-%d %H:%M") + (f" {dt.tzname()}" if with_zone else "")


def print_assessment(
    assessment: Assessment,
    console: Console,
    now: datetime | None = None,
    statuses: Mapping[str, str] | None = None,
) -> None:
    """Whom to notify (due in UTC and in the recipient's zone, time left, rule, status),
    then where no notice is due and why, then jurisdictions the rules do not know."""
    now = now or datetime.now(UTC)
    s = assessment.situation
    elements = ", ".join(e for e in get_args(DataElement) if e in s.elements) or "-"
    console.print(
        f"[bold]{sum(g.count for g in s.groups):,} affected[/] · elements: {elements} · "
        f"cause: {s.cause} · risk: {s.risk} · "
        f"aware: {_fmt(s.became_aware_at.astimezone(UTC))} UTC"
    )
    # a compact table a person can read at 80 columns; the long text follows as notes
    t = Table(title="notify")
    for col in ("#", "obligation", "residents", "due (UTC)", "due (recipient)", "left", "status"):
        t.add_column(
            col,
            justify="right" if col in ("#", "residents") else "left",
            overflow="fold",
            no_wrap=col == "obligation",
        )
    for i, ob in enumerate(assessment.obligations, start=1):
        t.add_row(
            str(i),
            escape(ob.key),
            f"{ob.residents:,}",
            _fmt(ob.due_at),
            _fmt(_local(ob), True),
            time_left(ob.due_at, now),
            escape(_status(ob, statuses)),
        )
    console.print(t)
    for i, ob in enumerate(assessment.obligations, start=1):
        unverified = "" if ob.verified else f" {UNVERIFIED}"
        console.print(
            f"[bold]{i}.[/] {escape(ob.recipient)}, notified by {escape(ob.entity)}: "
            f"{escape(ob.deadline_text)} ({ob.timezone}). Rule {escape(ob.rule_id)}, "
            f"{escape(ob.citation)}{escape(unverified)}",
            soft_wrap=False,
        )
        for text in ob.exemptions:
            console.print(f"   exemption: {escape(text)}", soft_wrap=False)
        for text in ob.notes:
            if "open question" in text or text.startswith(("due because", "the DPO answered")):
                console.print(f"   {escape(text)}", soft_wrap=False)
    if assessment.non_obligations:
        n = Table(title="no notice due", show_lines=True)
        for col in ("where", "by", "residents", "rule", "why not"):
            n.add_column(col, justify="right" if col == "residents" else "left")
        for no in assessment.non_obligations:
            n.add_row(
                escape(no.jurisdiction),
                escape(no.entity or "-"),
                f"{no.residents:,}",
                f"{no.rule_id or '-'}\n[dim]{escape(no.citation or '')}[/]"
                + ("" if no.verified is not False else f"\n{escape(UNVERIFIED)}"),
                escape(no.reason),
            )
        console.print(n)
    _print_questions(assessment, console)
    if assessment.unknown:
        u = Table(title="jurisdictions without rules (take legal advice)")
        for col in ("code", "residents", "reason"):
            u.add_column(col, justify="right" if col == "residents" else "left")
        for un in assessment.unknown:
            u.add_row(escape(un.jurisdiction), f"{un.residents:,}", escape(un.reason))
        console.print(u)
