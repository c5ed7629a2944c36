"""``access scan``: employees whose data pulls depart sharply from their own and their peers'.

Input: a data-access log, JSONL with ``ts``, ``employee``, ``customer_id`` and
``fields`` (a list or a comma-separated string). For each employee and UTC day
two measures are counted: distinct customers touched, and pulls that included
the ``email`` field.

Each employee-day is compared twice, with a robust statistic that a few large
days cannot drag along (Iglewicz and Hoaglin's modified z-score)::

    z = 0.6745 * (x - median) / MAD

- against the same employee's other working days (their own history), and
- against every other employee at work on the same day (their peers).

When the MAD is 0 (most days identical) the mean absolute deviation stands in
(``z = (x - median) / (1.2533 * meanAD)``); if that is 0 too, any departure is infinite.
A day is flagged when both comparisons that have enough data (5 other days; 3
peers) exceed ``threshold`` (3.5) and the value is at least ``min_volume``; each
flag says which measure, the value, both medians and both z-scores.
"""

from __future__ import annotations

import json
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from breachdesk.errors import InputError

THRESHOLD = 3.5
MIN_VOLUME = 50
MIN_HISTORY = 5
MIN_PEERS = 3
MEASURES = ("distinct_customers", "email_pulls")


@dataclass(frozen=True)
class Comparison:
    median: float
    z: float | None  # None: too little data to compare


@dataclass(frozen=True)
class Flag:
    employee: str
    day: str
    measure: str
    value: int
    own: Comparison
    peers: Comparison

    def explain(self) -> str:
        what = {
            "distinct_customers": "distinct customers",
            "email_pulls": "pulls including the email field",
        }
        parts = [f"{self.employee} on {self.day}: {self.value:,} {what[self.measure]}"]
        if self.own.z is not None:
            parts.append(f"own median {self.own.median:g}/day (z={_z(self.own.z)})")
        if self.peers.z is not None:
            parts.append(f"peers' median that day {self.peers.median:g} (z={_z(self.peers.z)})")
        return "; ".join(parts)


def _z(z: float) -> str:
    return "inf" if z == float("inf") else f"{z:.1f}"


@dataclass
class AccessReport:
    records: int = 0
    employees: int = 0
    days: int = 0
    flags: list[Flag] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def modified_z(x: float, sample: Sequence[float]) -> tuple[float, float]:
    """``(median, modified z of x)`` against ``sample``."""
    med = statistics.median(sample)
    mad = statistics.median([abs(v - med) for v in sample])
    if mad > 0:
        return med, 0.6745 * (x - med) / mad
    mean_ad = statistics.fmean([abs(v - med) for v in sample])
    if mean_ad > 0:
        return med, (x - med) / (1.2533 * mean_ad)
    return med, (float("inf") if x > med else float("-inf") if x < med else 0.0)


def _parse_ts(value: object) -> datetime:
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    dt = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def read_log(path: Path, report: AccessReport) -> Iterable[tuple[str, str, str, bool]]:
    """``(employee, day, customer_id, email_pulled)``; bad lines are reported and skipped."""
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise InputError(str(path), f"cannot read ({exc.strerror})") from None
    with fh:
        for n, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                rec = json.loads(raw)
                emp, cid = str(rec["employee"]), str(rec["customer_id"])
                day = _parse_ts(rec["ts"]).astimezone(UTC).date().isoformat()
                fields = rec.get("fields") or []
                if isinstance(fields, str):
                    fields = fields.split(",")
                email = any(str(f).strip().lower() == "email" for f in fields)
            except (ValueError, KeyError, TypeError, OverflowError) as exc:
                if len(report.problems) < 100:
                    report.problems.append(f"{path}: line {n}: skipped ({type(exc).__name__})")
                continue
            report.records += 1
            yield emp, day, cid, email


def scan_access(
    paths: Sequence[Path], threshold: float = THRESHOLD, min_volume: int = MIN_VOLUME
) -> AccessReport:
    report = AccessReport()
    customers: dict[tuple[str, str], set[str]] = defaultdict(set)
    emails: dict[tuple[str, str], int] = defaultdict(int)
    for path in paths:
        for emp, day, cid, email in read_log(path, report):
            customers[(emp, day)].add(cid)
            if email:
                emails[(emp, day)] += 1
    employees = sorted({e for e, _ in customers})
    days = sorted({d for _, d in customers})
    report.employees, report.days = len(employees), len(days)
    active: dict[str, list[str]] = defaultdict(list)  # days each employee worked
    on_day: dict[str, list[str]] = defaultdict(list)  # employees at work each day
    for emp, day in sorted(customers):
        active[emp].append(day)
        on_day[day].append(emp)
    measures = {
        "distinct_customers": {k: len(v) for k, v in customers.items()},
        "email_pulls": dict(emails),
    }
    for measure in MEASURES:
        values = measures[measure]
        for emp in employees:
            for day in days:
                x = values.get((emp, day), 0)
                if x < min_volume:
                    continue
                own = [values.get((emp, d), 0) for d in active[emp] if d != day]
                peers = [values.get((e, day), 0) for e in on_day[day] if e != emp]
                own_c = _compare(x, own, MIN_HISTORY)
                peer_c = _compare(x, peers, MIN_PEERS)
                zs = [c.z for c in (own_c, peer_c) if c.z is not None]
                if zs and all(z > threshold for z in zs):
                    report.flags.append(Flag(emp, day, measure, x, own_c, peer_c))
    report.flags.sort(key=lambda f: (f.day, f.employee, f.measure))
    return report


def _compare(x: int, sample: list[int], minimum: int) -> Comparison:
    if len(sample) < minimum:
        return Comparison(float(statistics.median(sample)) if sample else 0.0, None)
    med, z = modified_z(x, sample)
    return Comparison(float(med), z)
