"""Read findings back: for the table view and the JSONL export other tools consume."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import TextIO

from sqlalchemy import select

from breachdesk.store import Store
from breachdesk.store.models import Customer, Finding, ScanRun


@dataclass(frozen=True)
class FindingRecord:
    id: int
    scan_id: int
    customer_id: str
    country: str
    fields: list[str]
    source: str
    locator: str
    url: str | None
    seen_at: str | None
    viewer: str
    viewer_ip: str | None
    snippet: str
    retracted: str | None = None  # the reason, when review retracted the finding


def iter_findings(
    store: Store, scan_id: int | None = None, limit: int | None = None, page: int = 5000
) -> Iterator[FindingRecord]:
    """Findings in id order, fetched a page at a time (no cursor is left open)."""
    last = 0
    left = limit
    while left is None or left > 0:
        size = page if left is None else min(page, left)
        stmt = (
            select(Finding, Customer.customer_id, Customer.country)
            .join(Customer, Customer.id == Finding.customer_pk)
            .where(Finding.id > last)
            .order_by(Finding.id)
            .limit(size)
        )
        if scan_id is not None:
            stmt = stmt.where(Finding.scan_id == scan_id)
        with store.sessions() as session:
            rows = session.execute(stmt).all()
        if not rows:
            return
        for f, cid, country in rows:
            yield _record(f, cid, country)
        last = rows[-1][0].id
        if left is not None:
            left -= len(rows)


def _record(f: Finding, cid: str, country: str) -> FindingRecord:
    return FindingRecord(
        id=f.id,
        scan_id=f.scan_id,
        customer_id=cid,
        country=country,
        fields=f.fields.split(","),
        source=f.source,
        locator=f.locator,
        url=f.url,
        seen_at=f.seen_at.isoformat() if f.seen_at else None,
        viewer=f.viewer,
        viewer_ip=f.viewer_ip,
        snippet=f.snippet,
        retracted=f.retracted_reason if f.retracted_at is not None else None,
    )


def export_jsonl(store: Store, out: TextIO, scan_id: int | None = None) -> int:
    n = 0
    for rec in iter_findings(store, scan_id):
        out.write(json.dumps(asdict(rec), ensure_ascii=False) + "\n")
        n += 1
    return n


def list_scans(store: Store) -> list[ScanRun]:
    with store.sessions() as session:
        return list(session.scalars(select(ScanRun).order_by(ScanRun.id)))


def get_scan(store: Store, scan_id: int) -> ScanRun | None:
    with store.sessions() as session:
        return session.get(ScanRun, scan_id)
