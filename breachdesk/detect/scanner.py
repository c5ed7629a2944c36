"""``scan_paths``: plan the work, run it on every core, store findings, summarise.

The parent process owns the store. Workers send back row numbers; the parent
resolves them to customers, counts a customer's own data shown to that customer
as a self-view (counted, not reported), and inserts findings under a unique
fingerprint so that a re-scan of the same inputs adds nothing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from breachdesk.detect.document import UNKNOWN_VIEWER, Hit, Problem, UnitResult
from breachdesk.detect.formats import ScanOptions
from breachdesk.detect.launch import Progress, ScanJob, start_scan
from breachdesk.detect.planner import SPLIT_BYTES
from breachdesk.detect.review import settle_rescan
from breachdesk.detect.worker import Unit
from breachdesk.settings import Settings
from breachdesk.store import Store
from breachdesk.store.audit import default_actor
from breachdesk.store.models import Customer, Finding, ScanRun, utcnow


@dataclass
class ScanSummary:
    scan_id: int
    files: int = 0
    bytes_read: int = 0
    records: int = 0
    hits: int = 0
    findings_new: int = 0
    findings_seen: int = 0
    self_views: int = 0
    unknown_emails: int = 0
    exposed_customers: int = 0
    by_country: dict[str, int] = field(default_factory=dict)
    viewers: int = 0  # distinct signed-in viewers (other than the customer)
    public_ips: int = 0  # distinct IP addresses that saw data on anonymous requests
    public_hits: int = 0
    unknown_viewer_hits: int = 0  # findings from captures scanned without a viewer option
    viewers_updated: int = 0  # earlier 'unknown' viewers settled by this (viewer-aware) scan
    retracted: int = 0  # earlier findings this scan showed to be the customer's own page
    window: tuple[datetime, datetime] | None = None
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    workers: int = 1


def scan_paths(
    store: Store,
    cfg: Settings,
    paths: list[Path],
    options: ScanOptions | None = None,
    *,
    workers: int | None = None,
    strict: bool = False,
    progress: Progress | None = None,
    split_bytes: int = SPLIT_BYTES,
    actor: str | None = None,
) -> ScanSummary:
    """Scan ``paths`` and store what was found: ``start_scan`` then ``finish_scan``."""
    store.engine.dispose()  # no pooled connection may be shared with forked workers
    with start_scan(
        cfg, paths, options, workers=workers, strict=strict, split_bytes=split_bytes
    ) as job:
        return finish_scan(store, cfg, job, progress=progress, actor=actor)


def finish_scan(
    store: Store,
    cfg: Settings,
    job: ScanJob,
    *,
    progress: Progress | None = None,
    actor: str | None = None,
) -> ScanSummary:
    """Record the run, collect every unit's result, and store findings and the summary."""
    with store.session() as session:
        run = ScanRun(paths=[str(p) for p in job.paths], status="running")
        session.add(run)
        session.flush()
        scan_id = run.id
    summary = ScanSummary(scan_id=scan_id, files=job.plan.files, workers=job.workers)
    summary.problems.extend(job.plan.problems)
    results = job.collect(progress)
    _number_lines(job.plan.units, results)
    for r in results:
        summary.bytes_read += r.bytes_read
        summary.records += r.records
        summary.unknown_emails += r.unknown_emails
        summary.self_views += r.self_views
        summary.problems.extend(r.problems)
    hits = [h for r in results for h in r.hits]
    summary.hits = len(hits)
    settle = (
        ([str(p) for p in job.paths], actor or default_actor(cfg))
        if job.options.identifies_viewers
        else None
    )
    _persist(store, scan_id, hits, summary, settle)
    summary.seconds = time.perf_counter() - job.started
    with store.session() as session:
        run = session.get_one(ScanRun, scan_id)
        run.finished_at = utcnow()
        run.bytes_read = summary.bytes_read
        run.records = summary.records
        run.findings_new = summary.findings_new
        run.findings_seen = summary.findings_seen
        run.self_views = summary.self_views
        run.unknown_emails = summary.unknown_emails
        run.problems = [
            {"file": p.file, "record": p.record, "reason": p.reason} for p in summary.problems
        ]
        run.status = "done"
    return summary


def _number_lines(units: list[Unit], results: list[UnitResult]) -> None:
    """Turn unit-relative line numbers of split files into file line numbers."""
    by_id = {r.unit_id: r for r in results}
    base: dict[str, int] = {}
    for unit in sorted(units, key=lambda u: (u.path, u.start)):
        r = by_id.get(unit.id)
        if r is None:
            continue
        offset = base.get(unit.path, 0)
        for h in r.hits:
            if h.line is not None:
                h.locator = f"line {h.line + offset}"
        base[unit.path] = offset + r.lines


def _persist(
    store: Store,
    scan_id: int,
    hits: list[Hit],
    summary: ScanSummary,
    settle: tuple[list[str], str] | None = None,
) -> None:
    rows = sorted({h.row for h in hits})
    customers: dict[int, tuple[str, str]] = {}
    with store.sessions() as session:
        for i in range(0, len(rows), 1000):
            chunk = rows[i : i + 1000]
            stmt = select(Customer.id, Customer.customer_id, Customer.country).where(
                Customer.id.in_(chunk)
            )
            for pk, cid, country in session.execute(stmt):
                customers[pk] = (cid, country)
    reported: list[Hit] = []
    for h in hits:
        owner = customers.get(h.row)
        if owner is None:  # the index is older than a deletion from the registry
            summary.problems.append(
                Problem(
                    h.source,
                    "matched a customer no longer in the "
                    "registry; run `breachdesk registry reindex`",
                    h.locator,
                )
            )
            continue
        if h.viewer is not None and h.viewer == owner[0]:
            summary.self_views += 1
            continue
        reported.append(h)
    exposed: set[int] = set()
    recipients: set[str] = set()
    public_ips: set[str] = set()
    times: list[datetime] = []
    for h in reported:
        exposed.add(h.row)
        if h.viewer == UNKNOWN_VIEWER:
            summary.unknown_viewer_hits += 1
        elif h.viewer:
            recipients.add(h.viewer)
        else:
            summary.public_hits += 1
            if h.viewer_ip:
                public_ips.add(h.viewer_ip)
        if h.seen_at:
            times.append(h.seen_at)
    for row in exposed:
        c = customers[row][1]
        summary.by_country[c] = summary.by_country.get(c, 0) + 1
    summary.exposed_customers = len(exposed)
    summary.viewers = len(recipients)
    summary.public_ips = len(public_ips)
    if times:
        summary.window = (min(times), max(times))
    unique: dict[str, Hit] = {}
    for h in reported:
        unique.setdefault(h.fingerprint, h)
    fps = list(unique)
    with store.session() as session:
        known: set[str] = set()
        for i in range(0, len(fps), 1000):
            known.update(
                session.scalars(
                    select(Finding.fingerprint).where(Finding.fingerprint.in_(fps[i : i + 1000]))
                )
            )
        new = [h for fp, h in unique.items() if fp not in known]
        summary.findings_seen = len(unique) - len(new)
        summary.findings_new = len(new)
        now = utcnow()
        records = [
            {
                "scan_id": scan_id,
                "customer_pk": h.row,
                "fields": ",".join(h.fields),
                "source": h.source,
                "locator": h.locator or "file",
                "url": h.url,
                "seen_at": h.seen_at,
                "viewer": h.viewer or "public",
                "viewer_ip": h.viewer_ip,
                "snippet": h.snippet,
                "fingerprint": h.fingerprint,
                "created_at": now,
            }
            for h in new
        ]
        for i in range(0, len(records), 2000):
            store.upsert(
                session,
                Finding,
                records[i : i + 2000],
                key=["fingerprint"],
                update=[],
            )
        if settle is not None:
            paths, actor = settle
            troubled = {p.file for p in summary.problems}
            found = {fp: (h.viewer, h.viewer_ip) for fp, h in unique.items()}
            done = settle_rescan(
                session,
                scan_id,
                [p for p in paths if p not in troubled],
                found,
                actor,
                skip_sources=troubled,
            )
            summary.viewers_updated = done.viewers_updated
            summary.retracted = len(done.retracted.retracted)
