"""``scan_paths``: plan the work, run it on every core, store findings, summarise.

The parent process owns the store. Workers send back row numbers; the parent
resolves them to customers, counts a customer's own data shown to that customer
as a self-view (counted, not reported), and inserts findings under a unique
fingerprint so that a re-scan of the same inputs adds nothing.
"""

from __future__ import annotations

import multiprocessing as mp
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from breachdesk.detect.core import core_module
from breachdesk.detect.document import Hit, Problem, UnitResult
from breachdesk.detect.formats import ScanOptions
from breachdesk.detect.planner import SPLIT_BYTES, plan_scan
from breachdesk.detect.review import UNKNOWN_VIEWER, settle_rescan
from breachdesk.detect.worker import Unit, cpu_count, init_worker, run_unit
from breachdesk.errors import StrictModeError
from breachdesk.registry.index import MatchIndex
from breachdesk.settings import Settings
from breachdesk.store import Store
from breachdesk.store.audit import default_actor
from breachdesk.store.models import Customer, Finding, ScanRun, utcnow
from breachdesk.workspace import hasher as make_hasher

Progress = Callable[[int, int], None]  # (bytes done, bytes total)


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
    keyed = make_hasher(cfg)
    MatchIndex(cfg.index_dir, keyed.fingerprint_of_key)  # fail early, in the parent
    core_module()  # and without the compiled core, say so before any worker starts
    opts = options or ScanOptions(
        max_record_bytes=cfg.max_record_bytes,
        max_expanded_bytes=cfg.max_expanded_bytes,
        max_expansion_ratio=cfg.max_expansion_ratio,
    )
    started = time.perf_counter()
    plan = plan_scan(paths, split_bytes)
    if strict and plan.problems:
        p = plan.problems[0]
        raise StrictModeError(p.file, p.reason + " (--strict)", p.record)
    n_workers = min(workers or cfg.scan_workers or cpu_count(), max(1, len(plan.units)))
    with store.session() as session:
        run = ScanRun(paths=[str(p) for p in paths], status="running")
        session.add(run)
        session.flush()
        scan_id = run.id
    summary = ScanSummary(scan_id=scan_id, files=plan.files, workers=n_workers)
    summary.problems.extend(plan.problems)
    store.engine.dispose()  # no pooled connection may be shared with forked workers
    results = _execute(
        plan.units,
        keyed_key(cfg),
        str(cfg.index_dir),
        opts,
        n_workers,
        strict,
        plan.total_bytes,
        progress,
    )
    _number_lines(plan.units, results)
    for r in results:
        summary.bytes_read += r.bytes_read
        summary.records += r.records
        summary.unknown_emails += r.unknown_emails
        summary.self_views += r.self_views
        summary.problems.extend(r.problems)
    hits = [h for r in results for h in r.hits]
    summary.hits = len(hits)
    settle = (
        ([str(p) for p in paths], actor or default_actor(cfg)) if opts.identifies_viewers else None
    )
    _persist(store, scan_id, hits, summary, settle)
    summary.seconds = time.perf_counter() - started
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


def keyed_key(cfg: Settings) -> bytes:
    from breachdesk.workspace import load_key

    return load_key(cfg)


def _execute(
    units: list[Unit],
    key: bytes,
    index_dir: str,
    opts: ScanOptions,
    n_workers: int,
    strict: bool,
    total: int,
    progress: Progress | None,
) -> list[UnitResult]:
    # fork shares the imported modules and the mapped index with workers at no cost;
    # workers never touch the store, and the parent's pool was disposed before this.
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    counter: Any = ctx.Value("q", 0)
    results: list[UnitResult] = []

    def check(r: UnitResult) -> None:
        results.append(r)
        if strict and r.problems:
            p = r.problems[0]
            raise StrictModeError(p.file, p.reason + " (--strict)", p.record)

    if n_workers <= 1:
        init_worker(key, index_dir, opts, counter)
        for unit in units:
            check(run_unit(unit))
            if progress:
                progress(counter.value, total)
        return results
    with ProcessPoolExecutor(
        n_workers, mp_context=ctx, initializer=init_worker, initargs=(key, index_dir, opts, counter)
    ) as pool:
        pending: set[Future[UnitResult]] = {pool.submit(run_unit, u) for u in units}
        try:
            while pending:
                done, pending = wait(pending, timeout=0.25, return_when=FIRST_COMPLETED)
                for fut in done:
                    check(fut.result())
                if progress:
                    progress(counter.value, total)
        except BaseException:
            for fut in pending:
                fut.cancel()
            raise
    return results


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
