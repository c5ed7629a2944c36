"""The breach register (GDPR Art. 33(5); PIPEDA Regs s.6): every incident with its
facts, effects and remedial action, exportable as CSV. Counts only, no personal data.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import select

from breachdesk.incident.affected import affected_customers
from breachdesk.incident.lifecycle import history, list_incidents
from breachdesk.incident.risk import current_risk
from breachdesk.store import Store
from breachdesk.store.audit import record
from breachdesk.store.models.incidents import ObligationRow, Report

COLUMNS = (
    "incident",
    "title",
    "status",
    "cause",
    "became_aware_at",
    "window_start",
    "window_end",
    "facts",
    "affected_customers",
    "countries",
    "data_elements",
    "effects",
    "risk_level",
    "remedial_action",
    "notifications",
    "reports",
    "closed_at",
)


def _obligations_text(rows: list[ObligationRow]) -> str:
    parts = [
        f"{r.recipient} ({r.jurisdiction}): {r.status}"
        for r in sorted(rows, key=lambda r: r.key)
        if r.current and r.recipient_kind != "internal_register"
    ]
    return "; ".join(parts) or "none due"


def register_rows(store: Store) -> Iterator[dict[str, Any]]:
    with store.session() as s:
        obligations: dict[int, list[ObligationRow]] = {}
        for o in s.scalars(select(ObligationRow)):
            obligations.setdefault(o.incident_id, []).append(o)
        reports: Counter[int] = Counter(r for r in s.scalars(select(Report.incident_id)))
    for inc in list_incidents(store):
        people = affected_customers(store, inc.id)
        elements: Counter[str] = Counter()
        for c in people:
            elements.update(c.fields)
        closed = [h.at for h in history(store, inc.id) if h.to_status == "closed"]
        yield {
            "incident": inc.id,
            "title": inc.title,
            "status": inc.status,
            "cause": inc.cause,
            "became_aware_at": inc.became_aware_at.isoformat(),
            "window_start": inc.window_start.isoformat() if inc.window_start else "",
            "window_end": inc.window_end.isoformat() if inc.window_end else "",
            "facts": inc.description,
            "affected_customers": len(people),
            "countries": "; ".join(
                f"{k} {n}" for k, n in Counter(c.country for c in people).most_common()
            ),
            "data_elements": "; ".join(f"{k} {n}" for k, n in elements.most_common()),
            "effects": inc.consequences,
            "risk_level": current_risk(store, inc.id, people).level,
            "remedial_action": inc.measures,
            "notifications": _obligations_text(obligations.get(inc.id, [])),
            "reports": reports.get(inc.id, 0),
            "closed_at": closed[-1].isoformat() if closed and inc.status == "closed" else "",
        }


def export_register(store: Store, out: TextIO, actor: str, target: str = "stdout") -> int:
    """Write the register as CSV (one row per incident) and audit the export."""
    w = csv.DictWriter(out, fieldnames=COLUMNS)
    w.writeheader()
    n = 0
    for row in register_rows(store):
        w.writerow(row)
        n += 1
    with store.session() as s:
        record(s, actor, "register.export", "register", {"incidents": n, "to": target})
    return n


def export_register_file(store: Store, path: Path, actor: str) -> int:
    with path.open("w", newline="", encoding="utf-8") as fh:
        return export_register(store, fh, actor, path.name)
