"""Findings review: take back a finding that review showed to be wrong.

A retracted finding keeps its row (who retracted it, when, and why) so the record
of what the scanner said stays whole, but it leaves every incident that held it
and can never be attached again. Scope, the affected set, obligations and the
next report all read incidents through their attached findings, so a retraction
flows into them with nothing else to update; notices not yet sent are withdrawn
by the notify step (``breachdesk.notify.withdraw``) for the incidents returned.

Re-scanning a capture with viewer information settles earlier findings whose
viewer was ``unknown`` (:func:`settle_rescan`): a finding found again gets its
viewer, and one no longer found (the record was the customer's own page) is
retracted with that reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from breachdesk.detect.document import UNKNOWN_VIEWER
from breachdesk.errors import UsageError
from breachdesk.store import Store
from breachdesk.store.audit import record
from breachdesk.store.models import Finding
from breachdesk.store.models.base import utcnow
from breachdesk.store.models.incidents import IncidentFinding

"""The viewer of a captured response when the scan had no way to tell who was signed in."""


@dataclass
class RetractResult:
    retracted: list[int] = field(default_factory=list)
    already: list[int] = field(default_factory=list)
    incidents: list[int] = field(default_factory=list)  # incidents that held a retracted finding


def retract_findings(
    store: Store, finding_ids: Sequence[int], reason: str, actor: str
) -> RetractResult:
    """Retract ``finding_ids`` with ``reason``; unknown ids are a usage error (nothing changes)."""
    why = " ".join(reason.split())
    if not why:
        raise UsageError("--reason: say why the findings are retracted (it goes to the audit log)")
    ids = sorted(set(finding_ids))
    if not ids:
        raise UsageError("name at least one finding id (see `breachdesk findings`)")
    with store.session() as s:
        result = _retract(s, ids, why, actor, strict=True)
    return result


def _retract(s: Session, ids: list[int], why: str, actor: str, strict: bool) -> RetractResult:
    result = RetractResult()
    rows: dict[int, Finding] = {}
    for i in range(0, len(ids), 1000):
        rows.update(
            {f.id: f for f in s.scalars(select(Finding).where(Finding.id.in_(ids[i : i + 1000])))}
        )
    missing = [i for i in ids if i not in rows]
    if missing and strict:
        shown = ", ".join(str(i) for i in missing[:10]) + (" …" if len(missing) > 10 else "")
        raise UsageError(f"no such finding: {shown} (see `breachdesk findings`)")
    now = utcnow()
    todo = [i for i in ids if i in rows and rows[i].retracted_at is None]
    result.already = [i for i in ids if i in rows and rows[i].retracted_at is not None]
    for i in range(0, len(todo), 1000):
        chunk = todo[i : i + 1000]
        held = s.execute(
            select(IncidentFinding.incident_id).where(IncidentFinding.finding_id.in_(chunk))
        )
        result.incidents.extend(inc for (inc,) in held)
        s.execute(delete(IncidentFinding).where(IncidentFinding.finding_id.in_(chunk)))
        s.execute(
            update(Finding)
            .where(Finding.id.in_(chunk))
            .values(retracted_at=now, retracted_by=actor, retracted_reason=why)
        )
    result.retracted = todo
    result.incidents = sorted(set(result.incidents))
    if todo:
        record(
            s,
            actor,
            "findings.retract",
            "findings",
            {
                "findings": todo,
                "already": result.already,
                "reason": why,
                "detached_from_incidents": result.incidents,
            },
        )
    return result


@dataclass
class RescanSettlement:
    viewers_updated: int = 0
    retracted: RetractResult = field(default_factory=RetractResult)


def settle_rescan(
    s: Session,
    scan_id: int,
    paths: Iterable[str],
    found: dict[str, tuple[str | None, str | None]],
    actor: str,
    skip_sources: Iterable[str] = (),
) -> RescanSettlement:
    """Settle earlier ``unknown``-viewer findings of the files a viewer-aware scan re-read.

    ``found`` maps the fingerprint of every finding this scan reported to its
    (viewer, viewer_ip). A known finding found again takes that viewer; one under
    ``paths`` that was not found again was the customer's own page (a self-view the
    scan now recognises), so it is retracted; never one from a file in
    ``skip_sources`` (a file this scan had problems reading). Call inside the scan's
    transaction.
    """
    out = RescanSettlement()
    prefixes = [p.rstrip("/") for p in paths if p]
    if not prefixes:
        return out
    under = or_(
        *(
            or_(Finding.source == p, Finding.source.startswith(p + "/", autoescape=True))
            for p in prefixes
        )
    )
    stale = s.execute(
        select(Finding.id, Finding.fingerprint, Finding.source).where(
            Finding.viewer == UNKNOWN_VIEWER,
            Finding.retracted_at.is_(None),
            Finding.scan_id != scan_id,
            under,
        )
    ).all()
    gone: list[int] = []
    skip = set(skip_sources)
    for fid, fp, source in stale:
        if source in skip:
            continue
        seen = found.get(fp)
        if seen is None:
            gone.append(fid)
            continue
        viewer, ip = seen[0] or "public", seen[1]  # None: an anonymous request
        if viewer != UNKNOWN_VIEWER:
            s.execute(update(Finding).where(Finding.id == fid).values(viewer=viewer, viewer_ip=ip))
            out.viewers_updated += 1
    if out.viewers_updated:
        record(
            s,
            actor,
            "findings.viewer_settled",
            f"scan:{scan_id}",
            {"findings": out.viewers_updated},
        )
    if gone:
        out.retracted = _retract(
            s,
            gone,
            f"re-scan {scan_id} with viewer information: the record was the customer's own page",
            actor,
            strict=False,
        )
    return out
