"""Read findings back: for the table view and the JSONL export other tools consume."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import TextIO

from sqlalchemy import select

from breachdesk.store import Store
from breachdesk.store.models import Customer, Finding


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


def iter_findings(
    store: Store, scan_id: int | None = None, limit: int | None = None
) -> Iterator[FindingRecord]:
    stmt = (
        select(Finding, Customer.customer_id, Customer.country)
        .join(Customer, Customer.id == Finding.customer_pk)
        .order_by(Finding.seen_at, Finding.id)
    )
    if scan_id is not None:
        stmt = stmt.where(Finding.scan_id == scan_id)
    if limit is not None:
        stmt = stmt.limit(limit)
    with store.sessions() as session:
        for f, cid, country in session.execute(stmt.execution_options(yield_per=5000)):
            yield FindingRecord(
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
            )


def export_jsonl(store: Store, out: TextIO, scan_id: int | None = None) -> int:
    n = 0
    for rec in iter_findings(store, scan_id):
        out.write(json.dumps(asdict(rec), ensure_ascii=False) + "\n")
        n += 1
    return n
