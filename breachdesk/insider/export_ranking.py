"""Rank exports against a leaked list and name its source(s).

1. A canary found names its export outright: its address exists nowhere else.
2. Otherwise (and for what canaries do not explain) each export gets its
   **containment** ``|D ∩ E| / |D|`` over keyed email hashes, and exports are named
   greedily: the one that explains most of what is still unexplained, while that
   overlap could not plausibly arise by chance.
3. ``confidence = 1 - p``: ``p`` bounds the chance that a list drawn from the
   registry at large overlaps the export this much (Chernoff bound on the binomial
   tail, ``exp(-d * KL(x/d || |E|/R))``); a canary found makes ``p <= 2^-40``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import select

from breachdesk.insider.dump_matcher import U64
from breachdesk.registry.exports import member_hashes
from breachdesk.store import Store
from breachdesk.store.models.exports import Export, ExportCanary

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
