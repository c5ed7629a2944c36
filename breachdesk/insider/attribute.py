"""``attribute``: who is in a leaked list, and which export(s) it came from.

1. The dump is read in blocks (``dump_reader``) and each block is matched against
   the keyed index and the canary register (``dump_matcher``), here or in forked
   workers that share the memory-mapped index;
2. the block results are merged: customers found and the elements seen with each,
   the dump's set of keyed email hashes, canaries;
3. exports are scored and the source(s) named (``export_ranking``).
"""

from __future__ import annotations

import multiprocessing as mp
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import select

from breachdesk.insider.dump_matcher import ELEMENTS, I64, U64, BlockMatcher, BlockResult
from breachdesk.insider.dump_reader import DumpBlock, DumpProblem, read_dump
from breachdesk.insider.export_ranking import ExportScore, rank_exports
from breachdesk.registry.index import MatchIndex
from breachdesk.registry.keyed import KeyedHasher
from breachdesk.store import Store
from breachdesk.store.models import Customer
from breachdesk.store.models.exports import ExportCanary

FIELDS_OF = [
    ",".join(sorted(name for bit, name in ELEMENTS.items() if mask & bit)) for mask in range(16)
]


@dataclass
class DumpStats:
    paths: list[str]
    bytes: int = 0
    lines: int = 0
    emails: int = 0
    phones: int = 0
    unknown_emails: int = 0
    canary_domain_unknown: int = 0


@dataclass
class Attribution:
    stats: DumpStats
    matched: int
    elements: dict[str, int]
    by_country: dict[str, int]
    exports: list[ExportScore]
    problems: list[dict[str, str]]
    cause: str
    incident_id: int | None = None
    rows: I64 = field(default_factory=lambda: np.empty(0, dtype=np.int64), repr=False)
    masks: npt.NDArray[np.uint8] = field(
        default_factory=lambda: np.empty(0, dtype=np.uint8), repr=False
    )

    def scope(self) -> dict[int, str]:
        """Customer pk -> the elements seen with them (``email,name,password,phone``)."""
        return {int(r): FIELDS_OF[int(m)] for r, m in zip(self.rows, self.masks, strict=True)}

    @property
    def named(self) -> list[ExportScore]:
        return [e for e in self.exports if e.named]

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("rows")
        out.pop("masks")
        out["named"] = [e.uid for e in self.named]
        return out


class Collector:
    """Merges block results: dump hashes, per-customer element masks, canaries, counts."""

    def __init__(self, size: int, paths: Sequence[Path]) -> None:
        self.masks = np.zeros(max(size, 1), dtype=np.uint8)
        self.hashes: list[U64] = []
        self.canaries: dict[int, int] = {}
        self.stats = DumpStats([str(p) for p in paths])
        self.problems: list[dict[str, str]] = []

    def add(self, r: BlockResult) -> None:
        s = self.stats
        s.bytes += r.bytes
        s.lines += r.lines
        s.emails += r.emails
        s.phones += r.phones
        s.unknown_emails += r.unknown_emails
        s.canary_domain_unknown += r.canary_domain_unknown
        if r.hit_hashes.size:
            self.hashes.append(r.hit_hashes)
        if r.rows.size:
            np.bitwise_or.at(self.masks, r.rows, r.masks)
        for h, n in r.canaries.items():
            self.canaries[h] = self.canaries.get(h, 0) + n

    def dump_set(self) -> U64:
        if not self.hashes:
            return np.empty(0, dtype=np.uint64)
        return np.unique(np.concatenate(self.hashes))


def _by_country(store: Store, rows: np.ndarray[Any, np.dtype[np.int64]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    with store.sessions() as session:
        for i in range(0, rows.size, 5_000):
            chunk = [int(r) for r in rows[i : i + 5_000]]
            stmt = select(Customer.country).where(Customer.id.in_(chunk))
            for (country,) in session.execute(stmt):
                counts[country] = counts.get(country, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))


def _canary_lookup(store: Store) -> tuple[U64, frozenset[str]]:
    with store.sessions() as session:
        rows = session.execute(select(ExportCanary.email_hash, ExportCanary.domain)).all()
    hashes = np.array([int(h, 16) for h, _ in rows], dtype=np.uint64)
    return hashes, frozenset(d for _, d in rows)


_WORKER: list[BlockMatcher] = []


def _init_worker(matcher: BlockMatcher) -> None:
    _WORKER[:] = [matcher]


def _match_in_worker(block: DumpBlock) -> BlockResult:
    return _WORKER[0].match(block)


def _matched(
    matcher: BlockMatcher, items: Iterable[DumpBlock | DumpProblem], workers: int
) -> Iterator[BlockResult | DumpProblem]:
    """Match blocks here, or in ``workers`` forked processes that share the mapped index."""
    if workers <= 1 or "fork" not in mp.get_all_start_methods():
        for item in items:
            yield item if isinstance(item, DumpProblem) else matcher.match(item)
        return
    ctx = mp.get_context("fork")  # the matcher (index map, hasher) is inherited, not pickled
    with ProcessPoolExecutor(
        workers, mp_context=ctx, initializer=_init_worker, initargs=(matcher,)
    ) as pool:
        pending: deque[Future[BlockResult]] = deque()
        for item in items:
            if isinstance(item, DumpProblem):
                yield item
                continue
            pending.append(pool.submit(_match_in_worker, item))
            while len(pending) > workers * 2:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def attribute_dump(
    store: Store,
    hasher: KeyedHasher,
    index: MatchIndex,
    paths: Sequence[Path],
    max_ratio: int = 200,
    max_total: int = 8 << 30,
    progress: Callable[[int], None] | None = None,
    country_limit: int = 2_000_000,
    workers: int = 1,
) -> Attribution:
    """Match the dump, score exports, and return the scope; nothing is written here."""
    canary_hashes, canary_domains = _canary_lookup(store)
    matcher = BlockMatcher(index, hasher, canary_hashes, canary_domains)
    collector = Collector(int(index.names.size), paths)
    if workers > 1:
        store.engine.dispose()  # no pooled connection may be shared with forked workers
    for item in _matched(matcher, read_dump(paths, max_ratio, max_total), workers):
        if isinstance(item, DumpProblem):
            collector.problems.append({"source": item.source, "reason": item.reason})
            continue
        collector.add(item)
        if progress is not None:
            progress(collector.stats.bytes)
    dump = collector.dump_set()
    registry_size = int(index.meta.get("customers", index.names.size))
    scores = rank_exports(store, dump, collector.canaries, registry_size)
    rows = np.flatnonzero(collector.masks).astype(np.int64)
    elements = {name: int(((collector.masks & bit) > 0).sum()) for bit, name in ELEMENTS.items()}
    by_country = _by_country(store, rows) if rows.size <= country_limit else {}
    cause = "insider" if any(s.named for s in scores) else "unknown"
    return Attribution(
        stats=collector.stats,
        matched=int(rows.size),
        elements=elements,
        by_country=by_country,
        exports=scores,
        problems=collector.problems,
        cause=cause,
        rows=rows,
        masks=collector.masks[rows],
    )
