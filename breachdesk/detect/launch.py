"""Start a scan: plan the work and, with several workers, set them scanning at once.

``start_scan`` needs no store: it checks the index and the compiled core, plans the
units and, for two or more workers, forks them and submits every unit. A caller can
then open the store (importing SQLAlchemy and migrating take a good part of a second)
while the workers already scan; ``breachdesk.detect.scanner.finish_scan`` collects
the results and stores them. With one worker nothing runs until ``collect``: the
units are scanned in this process.

Nothing here imports SQLAlchemy, so forked workers never inherit a connection.
"""

from __future__ import annotations

import multiprocessing as mp
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from breachdesk.detect.core import core_module
from breachdesk.detect.document import UnitResult
from breachdesk.detect.formats import ScanOptions
from breachdesk.detect.planner import SPLIT_BYTES, Plan, plan_scan
from breachdesk.detect.worker import cpu_count, init_worker, run_unit
from breachdesk.errors import StrictModeError
from breachdesk.registry.index import MatchIndex
from breachdesk.settings import Settings
from breachdesk.workspace import hasher as make_hasher
from breachdesk.workspace import load_key

Progress = Callable[[int, int], None]  # (bytes done, bytes total)


@dataclass
class ScanJob:
    """A planned scan; with several workers, already running. Close it (or use it as a
    context manager) so that its workers stop if it is never collected."""

    paths: list[Path]
    plan: Plan
    options: ScanOptions
    workers: int
    strict: bool
    key: bytes
    index_dir: str
    started: float  # time.perf_counter() when planning began: the scan's own timer
    counter: Any  # bytes scanned so far, shared with the workers
    pool: ProcessPoolExecutor | None = None
    pending: set[Future[UnitResult]] = field(default_factory=set)

    def collect(self, progress: Progress | None = None) -> list[UnitResult]:
        """Every unit's result (scanning here with one worker); --strict stops at the
        first problem."""
        results: list[UnitResult] = []

        def check(r: UnitResult) -> None:
            results.append(r)
            if self.strict and r.problems:
                p = r.problems[0]
                raise StrictModeError(p.file, p.reason + " (--strict)", p.record)

        total = self.plan.total_bytes
        if self.pool is None:
            init_worker(self.key, self.index_dir, self.options, self.counter)
            for unit in self.plan.units:
                check(run_unit(unit))
                if progress:
                    progress(self.counter.value, total)
            return results
        try:
            while self.pending:
                done, self.pending = wait(self.pending, timeout=0.25, return_when=FIRST_COMPLETED)
                for fut in done:
                    check(fut.result())
                if progress:
                    progress(self.counter.value, total)
        finally:
            self.close()
        return results

    def close(self) -> None:
        for fut in self.pending:
            fut.cancel()
        self.pending = set()
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def __enter__(self) -> ScanJob:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def start_scan(
    cfg: Settings,
    paths: list[Path],
    options: ScanOptions | None = None,
    *,
    workers: int | None = None,
    strict: bool = False,
    split_bytes: int = SPLIT_BYTES,
) -> ScanJob:
    """Plan the scan of ``paths``; with two or more workers, start them on every unit.

    The caller must hold no open database connection: workers are forked here."""
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
    # fork shares the imported modules and the mapped index with workers at no cost;
    # workers never touch the store
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    job = ScanJob(
        paths=paths,
        plan=plan,
        options=opts,
        workers=n_workers,
        strict=strict,
        key=load_key(cfg),
        index_dir=str(cfg.index_dir),
        started=started,
        counter=ctx.Value("q", 0),
    )
    if n_workers > 1:
        job.pool = ProcessPoolExecutor(
            n_workers,
            mp_context=ctx,
            initializer=init_worker,
            initargs=(job.key, job.index_dir, opts, job.counter),
        )
        try:
            job.pending = {job.pool.submit(run_unit, u) for u in plan.units}
        except BaseException:
            job.close()
            raise
    return job
