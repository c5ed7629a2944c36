"""``export``: write a customer extract with canaries blended in, and register it.

The register row records who exported what, to whom, when, why and with which
filters, plus the keyed email hashes of the member customers (sorted uint64,
packed) and the keyed hashes of its canaries. No plaintext copy is kept: the file
written is the only copy, and it is the recipient's.

Canaries are drawn from the export's own rows (``breachdesk.registry.canary_blend``):
each column follows real members, and canary ids fall in gaps between real ids.
The file is written in customer-id order, so a canary's place follows from its id
and reveals nothing more.
"""

from __future__ import annotations

import csv
import json
import re
import secrets
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
from sqlalchemy import ColumnElement, func, select

from breachdesk.errors import ConfigError, UsageError
from breachdesk.registry.canary import canary_count, email_hash_hex
from breachdesk.registry.canary_blend import blend_canaries, canary_values
from breachdesk.registry.entities import Entity
from breachdesk.registry.keyed import KeyedHasher
from breachdesk.registry.readers import FIELDS
from breachdesk.store import Store
from breachdesk.store.audit import record
from breachdesk.store.models import Customer
from breachdesk.store.models.exports import Export, ExportCanary

COLUMNS = FIELDS  # the registry's own fields, in its order
DEFAULT_COLUMNS = ("customer_id", "full_name", "email", "country")
FILTERABLE = ("country", "entity", "subdivision", "locale")
FORMATS = ("csv", "jsonl", "parquet")
_EMAILISH = re.compile(r"[^\s@]+@[^\s@]+\.[A-Za-z]{2,}")


@dataclass
class ExportRequest:
    recipient: str
    exporter: str
    purpose: str
    out: Path
    fmt: str = "csv"
    filters: dict[str, list[str]] = field(default_factory=dict)
    columns: Sequence[str] = DEFAULT_COLUMNS


@dataclass(frozen=True)
class ExportResult:
    export_id: int
    uid: str
    out: str
    members: int
    canaries: int
    countries: dict[str, int]
    warnings: list[str] = field(default_factory=list)


def parse_where(pairs: Sequence[str]) -> dict[str, list[str]]:
    """``["country=GB,DE", "entity=shop-uk"]`` -> ``{"country": ["GB", "DE"], ...}``."""
    out: dict[str, list[str]] = {}
    for pair in pairs:
        name, sep, values = pair.partition("=")
        name = name.strip().lower()
        if not sep or not values.strip():
            raise UsageError(f"--where {pair!r}: expected FIELD=VALUE[,VALUE...]")
        if name not in FILTERABLE:
            raise UsageError(f"--where {pair!r}: filter on one of {', '.join(FILTERABLE)}")
        vals = [v.strip() for v in values.split(",") if v.strip()]
        if name in ("country", "subdivision"):
            vals = [v.upper() for v in vals]
        out.setdefault(name, []).extend(vals)
    return out


def _where(filters: Mapping[str, list[str]]) -> list[ColumnElement[bool]]:
    return [getattr(Customer, name).in_(values) for name, values in filters.items()]


def _canary_plan(
    store: Store,
    filters: Mapping[str, list[str]],
    entities: Mapping[str, Entity],
) -> tuple[int, dict[str, int], dict[str, str]]:
    """Member count, members per country, and the entity whose canary domain each
    country's canaries use (the country's largest holder that has one)."""
    with store.sessions() as session:
        rows = session.execute(
            select(Customer.country, Customer.entity, func.count())
            .where(*_where(filters))
            .group_by(Customer.country, Customer.entity)
        ).all()
    countries: Counter[str] = Counter()
    by_entity: dict[str, Counter[str]] = {}
    for country, entity, n in rows:
        countries[country] += n
        by_entity.setdefault(country, Counter())[entity] += n
    holder: dict[str, str] = {}
    for country, counts in by_entity.items():
        for entity, _ in counts.most_common():
            ent = entities.get(entity)
            if ent is not None and ent.canary_domain:
                holder[country] = entity
                break
    if countries and not holder:
        raise ConfigError(
            "entities.yaml: no entity holding these customers has a canary_domain; "
            "add canary_domain to each entity"
        )
    fallback = next(iter(holder.values()), "")
    for country in countries:
        holder.setdefault(country, fallback)
    return sum(countries.values()), dict(countries), holder


def _row(values: Mapping[str, Any], columns: Sequence[str]) -> dict[str, Any]:
    return {c: values.get(c) for c in columns}


class _Writer:
    """Rows out in CSV, JSONL or Parquet (Parquet in batches)."""

    def __init__(self, out: Path, fmt: str, columns: Sequence[str]) -> None:
        self.fmt, self.columns = fmt, list(columns)
        self._batch: list[dict[str, Any]] = []
        self._pq: Any = None
        self._fh: IO[str] | None = None
        if fmt == "parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            self._schema = pa.schema([(c, pa.string()) for c in self.columns])
            self._pq = pq.ParquetWriter(str(out), self._schema)
        else:
            self._fh = out.open("w", encoding="utf-8", newline="")
            if fmt == "csv":
                self._csv = csv.DictWriter(self._fh, fieldnames=self.columns)
                self._csv.writeheader()

    def write(self, row: dict[str, Any]) -> None:
        if self.fmt == "csv":
            self._csv.writerow(row)
        elif self.fmt == "jsonl":
            assert self._fh is not None
            self._fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        else:
            self._batch.append(row)
            if len(self._batch) >= 50_000:
                self._flush()

    def _flush(self) -> None:
        import pyarrow as pa

        if self._batch:
            cols = {c: [r[c] for r in self._batch] for c in self.columns}
            self._pq.write_table(pa.table(cols, schema=self._schema))
            self._batch = []

    def close(self) -> None:
        if self._pq is not None:
            self._flush()
            self._pq.close()
        if self._fh is not None:
            self._fh.close()


def _members(store: Store, filters: Mapping[str, list[str]]) -> Iterator[dict[str, Any]]:
    cols = [getattr(Customer, c) for c in COLUMNS] + [Customer.email_norm]
    with store.sessions() as session:
        stmt = select(*cols).where(*_where(filters)).order_by(Customer.customer_id)
        for row in session.execute(stmt.execution_options(yield_per=20_000)):
            yield dict(row._mapping)


def create_export(
    store: Store,
    hasher: KeyedHasher,
    entities: Mapping[str, Entity],
    req: ExportRequest,
    progress: Callable[[int], None] | None = None,
) -> ExportResult:
    """Write the extract with canaries at random positions; register it; audit it."""
    if req.fmt not in FORMATS:
        raise UsageError(f"--format {req.fmt!r}: one of {', '.join(FORMATS)}")
    bad = [c for c in req.columns if c not in COLUMNS]
    if bad or "email" not in req.columns:
        raise UsageError(f"--columns: use {', '.join(COLUMNS)}, and include email")
    for name, text in (("--to", req.recipient), ("--by", req.exporter), ("--purpose", req.purpose)):
        if _EMAILISH.search(text):
            raise UsageError(f"{name}: no email addresses here (the audit log holds no PII)")
    n, countries, holder = _canary_plan(store, req.filters, entities)
    if n == 0:
        raise UsageError("no customers match the --where filters; nothing exported")
    uid = "exp_" + secrets.token_hex(8)
    k = canary_count(n)
    blend = blend_canaries(store, hasher, uid, k, countries, _where(req.filters), holder, entities)
    canaries = sorted(blend.canaries, key=lambda c: c.customer_id)
    k = len(canaries)
    at: dict[int, Any] = {}
    hashes = np.empty(n, dtype=np.uint64)
    writer = _Writer(req.out, req.fmt, req.columns)
    written = members = 0
    queue = list(reversed(canaries))

    def put_canary() -> None:
        nonlocal written
        c = queue.pop()
        writer.write(_row(canary_values(c), req.columns))
        at[written] = c
        written += 1

    try:
        for member in _members(store, req.filters):
            while queue and queue[-1].customer_id < member["customer_id"]:
                put_canary()
            if members < n:
                hashes[members] = hasher.email(member["email_norm"])
            writer.write(_row(member, req.columns))
            written += 1
            members += 1
            if progress is not None and members % 10_000 == 0:
                progress(members)
        while queue:
            put_canary()
    finally:
        writer.close()
    hashes = np.unique(hashes[: min(members, n)])
    with store.session() as session:
        export = Export(
            uid=uid,
            recipient=req.recipient,
            exporter=req.exporter,
            purpose=req.purpose,
            filters=dict(req.filters),
            columns=list(req.columns),
            format=req.fmt,
            out_path=str(req.out),
            members=members,
            canaries=k,
            countries=countries,
            member_hashes=hashes.astype("<u8").tobytes(),
        )
        session.add(export)
        session.flush()
        for pos, canary in at.items():
            session.add(
                ExportCanary(
                    export_id=export.id,
                    email_hash=email_hash_hex(hasher, canary.email_norm),
                    domain=canary.domain,
                    country=canary.country,
                    position=pos,
                )
            )
        record(
            session,
            req.exporter,
            "export.create",
            f"export:{export.id}",
            {
                "uid": uid,
                "recipient": req.recipient,
                "purpose": req.purpose,
                "filters": dict(req.filters),
                "members": members,
                "canaries": k,
                "format": req.fmt,
            },
        )
        export_id = export.id
    return ExportResult(export_id, uid, str(req.out), members, k, countries, blend.warnings)


def member_hashes(blob: bytes) -> np.ndarray[Any, np.dtype[np.uint64]]:
    """The sorted keyed email hashes of an export's members."""
    return np.frombuffer(blob, dtype="<u8").astype(np.uint64, copy=False)
