"""``attribute``: who is in a leaked list, and which export(s) it came from.

1. The dump is read in blocks (``dump_reader``) and each block is matched against
   the keyed index and the canary register (``dump_matcher``).
2. A canary found names its export outright: its address exists nowhere else.
3. Without canaries (or for what they do not explain), exports are ranked by the
   **containment** of the dump in each export, ``|D ∩ E| / |D|`` over keyed email
   hashes, and named greedily: the export that explains most of what is still
   unexplained, while that overlap could not plausibly arise by chance.
4. ``confidence = 1 - p``: ``p`` bounds the chance that a list drawn from the
   registry at large overlaps the export this much (Chernoff bound on the binomial
   tail, ``exp(-d * KL(x/d || |E|/R))``); a canary found makes ``p <= 2^-40``.
"""

from __future__ import annotations

import math
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

from breachdesk.detect.dump_matcher import ELEMENTS, I64, U64, BlockMatcher, BlockResult
from breachdesk.detect.dump_reader import DumpBlock, DumpProblem, read_dump
from breachdesk.registry.exports import member_hashes
from breachdesk.registry.index import MatchIndex
from breachdesk.registry.keyed import KeyedHasher
from breachdesk.store import Store
from breachdesk.store.models import Customer
from breachdesk.store.models.exports import Export, ExportCanary

FIELDS_OF = [
    ",".join(sorted(name for bit, name in ELEMENTS.items() if mask & bit)) for mask in range(16)
]
CANARY_P = 2.0**-40
P_THRESHOLD = 1e-9
MIN_SHARE = 0.02  # an export must explain at least 2% of what is still unexplained
MAX_NAMED = 10
MIN_LIFT = 2.0  # and at least twice the overlap chance alone would give


@dataclass
class ExportScore:
    export_id: int
    uid: str
    recipient: str
    exporter: str
    created_at: str
    purpose: str
    members: int
    in_dump: int
    containment: float  # |D ∩ E| / |D|
    coverage: float  # |D ∩ E| / |E|: how much of the export leaked
    canaries_found: int
    canaries_total: int
    confidence: float = 0.0
    named: bool = False
    evidence: str = ""
    explains: int = 0  # customers it explains beyond exports named before it


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


def _kl(x: float, q: float) -> float:
    if q <= 0:
        return math.inf
    if q >= 1:
        return 0.0
    a = x * math.log(x / q) if x > 0 else 0.0
    b = (1 - x) * math.log((1 - x) / (1 - q)) if x < 1 else 0.0
    return a + b


def chance_p(overlap: int, d: int, export_size: int, registry: int) -> float:
    """Upper bound on P(overlap >= observed) for a list of ``d`` not drawn from the export."""
    if d == 0 or overlap == 0:
        return 1.0
    q = min(1.0, export_size / max(registry, 1))
    x = overlap / d
    if x <= q:
        return 1.0
    return math.exp(-d * _kl(x, q))


def _in(sorted_set: U64, values: U64) -> np.ndarray[Any, np.dtype[np.bool_]]:
    if sorted_set.size == 0 or values.size == 0:
        return np.zeros(values.size, dtype=bool)
    pos = np.minimum(np.searchsorted(sorted_set, values), sorted_set.size - 1)
    return np.asarray(sorted_set[pos] == values)


def _overlaps(store: Store, dump: U64) -> Iterator[tuple[Export, int]]:
    """Each export with the number of its members in the dump (exports read one at a time)."""
    with store.sessions() as session:
        ids = list(session.scalars(select(Export.id).order_by(Export.id)))
    for export_id in ids:
        with store.sessions() as session:
            export = session.get(Export, export_id)
            assert export is not None
            members = member_hashes(export.member_hashes)
            session.expunge(export)
        yield export, int(_in(dump, members).sum()) if dump.size else 0


def rank_exports(
    store: Store, dump: U64, canary_hits: dict[int, int], registry_size: int
) -> list[ExportScore]:
    """Score every export with any overlap or canary, then name the source(s)."""
    with store.sessions() as session:
        canary_rows = session.execute(select(ExportCanary.export_id, ExportCanary.email_hash)).all()
    per_export: dict[int, int] = {}
    totals: dict[int, int] = {}
    for export_id, hex_hash in canary_rows:
        totals[export_id] = totals.get(export_id, 0) + 1
        if int(hex_hash, 16) in canary_hits:
            per_export[export_id] = per_export.get(export_id, 0) + 1
    d = int(dump.size)
    scores: list[ExportScore] = []
    for export, inter in _overlaps(store, dump):
        found = per_export.get(export.id, 0)
        if inter == 0 and found == 0:
            continue
        scores.append(
            ExportScore(
                export_id=export.id,
                uid=export.uid,
                recipient=export.recipient,
                exporter=export.exporter,
                created_at=export.created_at.isoformat(timespec="seconds"),
                purpose=export.purpose,
                members=export.members,
                in_dump=inter,
                containment=inter / d if d else 0.0,
                coverage=inter / export.members if export.members else 0.0,
                canaries_found=found,
                canaries_total=totals.get(export.id, 0),
            )
        )
    _name_sources(store, scores, dump, registry_size)
    scores.sort(key=lambda s: (not s.named, -s.canaries_found, -s.in_dump, s.members))
    return scores


def _name_sources(store: Store, scores: list[ExportScore], dump: U64, registry: int) -> None:
    """Canary exports first; then greedily the export explaining most of the rest.

    After some exports are named, the customers they cover are set aside on both
    sides: the rest of the dump is compared with the rest of the registry, so an
    export is judged only on what is still unexplained (``|E \\ U| / (R - |U|)``).
    """
    d = int(dump.size)
    for s in scores:
        s.confidence = 1.0 - chance_p(s.in_dump, d, s.members, registry)
    remaining = np.ones(d, dtype=bool)
    union = np.empty(0, dtype=np.uint64)  # members of the exports named so far
    by_id = {s.export_id: s for s in scores}

    def explain(s: ExportScore, evidence: str, members: U64) -> U64:
        covered = _in(members, dump) & remaining
        s.explains = int(covered.sum())
        remaining[covered] = False
        s.named, s.evidence = True, evidence
        return np.union1d(union, members)

    for s in sorted(scores, key=lambda s: -s.canaries_found):
        if s.canaries_found:
            s.confidence = max(s.confidence, 1.0 - CANARY_P**s.canaries_found)
            union = explain(s, "canary", _members_of(store, s.export_id))
    candidates = sorted(
        (s for s in scores if not s.named and s.in_dump), key=lambda s: (-s.in_dump, s.members)
    )[: MAX_NAMED * 3]
    members = {s.export_id: _members_of(store, s.export_id) for s in candidates}
    found = {i: np.flatnonzero(_in(m, dump)) for i, m in members.items()}  # positions in D
    for _ in range(MAX_NAMED):
        left = int(remaining.sum())
        if left == 0:
            break
        best: tuple[int, int, int] | None = None
        for s in candidates:
            if s.named:
                continue
            gain = int(remaining[found[s.export_id]].sum())
            key = (gain, -s.members, s.export_id)
            if gain and (best is None or key > best):
                best = key
        if best is None:
            break
        gain, _, export_id = best
        s = by_id[export_id]
        fresh = int((~_in(union, members[export_id])).sum())  # |E \ U|
        q = fresh / max(registry - int(union.size), 1)
        p = chance_p(gain, left, fresh, registry - int(union.size))
        if gain < MIN_SHARE * left or gain < MIN_LIFT * q * left or p > P_THRESHOLD:
            break
        union = explain(s, "overlap", members[export_id])


def _members_of(store: Store, export_id: int) -> U64:
    with store.sessions() as session:
        blob = session.scalar(select(Export.member_hashes).where(Export.id == export_id))
    return member_hashes(blob or b"")


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
