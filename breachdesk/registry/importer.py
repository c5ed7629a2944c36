"""``registry import``: validate rows, upsert by customer id, write rejects, rebuild the index.

A bad row never stops the import. It is written to the rejects file with its row
number, field and reason (never the raw value), and counted in the summary.
"""

from __future__ import annotations

import csv
import itertools
import multiprocessing as mp
import os
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache, lru_cache
from pathlib import Path

import pycountry
from babel import Locale, UnknownLocaleError
from sqlalchemy import func, select

from breachdesk.errors import InputError
from breachdesk.registry.entities import Entity
from breachdesk.registry.normalize import NormaliseError, normalise_email, normalise_phone
from breachdesk.registry.readers import REQUIRED, Row, reader_for
from breachdesk.store import Store
from breachdesk.store.models import Customer

BATCH = 5_000
_SUBDIVISION = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,3}$")
_COUNTRIES = {c.alpha_2 for c in pycountry.countries}
_SUBDIVISIONS = {s.code for s in pycountry.subdivisions}
# The notice catalogs shipped with notify/, read as files (registry never imports notify).
NOTICE_LOCALES_DIR = Path(__file__).resolve().parents[1] / "notify" / "locales"


@cache
def notice_locales(folder: Path = NOTICE_LOCALES_DIR) -> frozenset[str]:
    """Languages a notice can be written in: English plus every shipped catalog."""
    return frozenset({"en", *(p.parent.parent.name for p in folder.glob("*/LC_MESSAGES/*.po"))})


@lru_cache(maxsize=512)
def _country_language(country: str) -> str:
    try:
        return Locale.parse(f"und_{country}").language or "en"
    except (ValueError, UnknownLocaleError):
        return "en"


def notice_fallback(locale: str, entity: Entity) -> str | None:
    """The notice language used for ``locale`` when it has no catalog, else None.

    Same rule as a customer without a locale: the entity's country language if a
    catalog exists for it, else English."""
    shipped = notice_locales()
    if locale.split("_")[0] in shipped:
        return None
    lang = _country_language(entity.country)
    return lang if lang in shipped else "en"


@dataclass
class Reject:
    row: int
    severity: str  # "rejected" (row not imported) or "warning" (row imported, field dropped)
    field: str
    reason: str
    customer_id: str | None = None


@dataclass
class ImportSummary:
    source: str
    rows_read: int = 0
    inserted: int = 0
    updated: int = 0
    rejected: int = 0
    warnings: int = 0
    upserted: int = 0
    rejects_file: str | None = None
    rejects: list[Reject] = field(default_factory=list)
    by_country: dict[str, int] = field(default_factory=dict)
    # locale without a notice catalog -> (customers, the notice language used instead)
    locale_fallbacks: dict[str, tuple[int, str]] = field(default_factory=dict)

    def fallback_lines(self) -> list[str]:
        shipped = ", ".join(sorted(notice_locales()))
        return [
            f"{n:,} customers with locale {loc!r}: no notice catalog (shipped: {shipped}); "
            f"notices fall back to {fb!r}"
            for loc, (n, fb) in sorted(self.locale_fallbacks.items())
        ]


@lru_cache(maxsize=4096)
def _locale(value: str) -> str | None:
    try:
        return str(Locale.parse(value.replace("-", "_")))
    except (UnknownLocaleError, ValueError, TypeError):
        return None


def validate_row(
    n: int, row: Row, entities: Mapping[str, Entity], now: datetime
) -> tuple[dict[str, object] | None, list[Reject]]:
    """Return the customer record (or None if rejected) and every problem found."""
    problems: list[Reject] = []
    cid = row.get("customer_id")
    if "__error__" in row:
        return None, [Reject(n, "rejected", "row", str(row["__error__"]))]
    for name in REQUIRED:
        if not row.get(name):
            problems.append(Reject(n, "rejected", name, f"required field {name} is empty", cid))
    if problems:
        return None, problems
    assert cid is not None
    email = str(row["email"])
    try:
        email_norm = normalise_email(email)
    except NormaliseError as exc:
        return None, [Reject(n, "rejected", "email", str(exc), cid)]
    country = str(row["country"]).upper()
    if country not in _COUNTRIES:
        hint = "; did you mean GB?" if country == "UK" else ""
        return None, [Reject(n, "rejected", "country", f"{country!r} is not ISO 3166-1{hint}", cid)]
    entity = str(row["entity"])
    if entity not in entities:
        return None, [
            Reject(n, "rejected", "entity", f"entity {entity!r} is not in entities.yaml", cid)
        ]
    subdivision = row.get("subdivision")
    if subdivision:
        subdivision = subdivision.upper()
        if not subdivision.startswith(country + "-") and _SUBDIVISION.match(
            f"{country}-{subdivision}"
        ):
            subdivision = f"{country}-{subdivision}"
        if not _SUBDIVISION.match(subdivision) or not subdivision.startswith(country + "-"):
            problems.append(
                Reject(
                    n,
                    "warning",
                    "subdivision",
                    "subdivision is not ISO 3166-2 for the country; dropped",
                    cid,
                )
            )
            subdivision = None
        elif subdivision not in _SUBDIVISIONS:
            problems.append(
                Reject(
                    n,
                    "warning",
                    "subdivision",
                    f"{subdivision} is not a known ISO 3166-2 code; kept",
                    cid,
                )
            )
    locale = row.get("locale")
    if locale:
        canonical = _locale(locale)
        if canonical is None:
            problems.append(Reject(n, "warning", "locale", f"unknown locale {locale!r}; kept", cid))
        else:
            locale = canonical
    phone = row.get("phone")
    if phone:
        try:
            phone = normalise_phone(phone, country)
        except NormaliseError as exc:
            problems.append(Reject(n, "warning", "phone", f"{exc}; dropped", cid))
            phone = None
    return {
        "customer_id": cid,
        "email": email,
        "email_norm": email_norm,
        "full_name": str(row["full_name"]),
        "country": country,
        "subdivision": subdivision,
        "entity": entity,
        "locale": locale,
        "phone": phone,
        "updated_at": now,
    }, problems


Validated = list[tuple[int, dict[str, object] | None, list[Reject]]]


def _validate_chunk(
    chunk: list[tuple[int, Row]], entities: Mapping[str, Entity], now: datetime
) -> Validated:
    return [(n, *validate_row(n, row, entities, now)) for n, row in chunk]


def _validated(
    rows: Iterable[tuple[int, Row]],
    entities: Mapping[str, Entity],
    now: datetime,
    workers: int,
) -> Iterator[Validated]:
    """Validate chunks of rows, in worker processes when there are several cores.

    At most ``2 * workers`` chunks are in flight, so memory stays flat however
    large the file is, and chunks come back in file order.
    """
    rows_iter = iter(rows)
    chunks = iter(lambda: list(itertools.islice(rows_iter, BATCH)), [])
    if workers <= 1:
        for chunk in chunks:
            yield _validate_chunk(chunk, entities, now)
        return
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    with ProcessPoolExecutor(workers, mp_context=ctx) as pool:
        inflight: deque[Future[Validated]] = deque()
        for chunk in chunks:
            inflight.append(pool.submit(_validate_chunk, chunk, entities, now))
            if len(inflight) >= 2 * workers:
                yield inflight.popleft().result()
        while inflight:
            yield inflight.popleft().result()


def import_registry(
    store: Store,
    path: Path,
    entities: Mapping[str, Entity],
    rejects_dir: Path,
    mapping: Mapping[str, str] | None = None,
    fmt: str | None = None,
    progress: Callable[[int], None] | None = None,
    workers: int = 0,
) -> ImportSummary:
    """Import one file into the registry. Idempotent: upsert by ``customer_id``."""
    if not path.is_file():
        raise InputError(str(path), "not a readable file")
    reader = reader_for(path, fmt)
    summary = ImportSummary(source=str(path))
    now = datetime.now(UTC)
    n_workers = workers or (os.cpu_count() or 1)
    if not workers and path.stat().st_size < 4 * 1024 * 1024:
        n_workers = 1  # not worth starting processes for
    batch: dict[str, dict[str, object]] = {}
    before = _count(store)
    store.engine.dispose()  # forked validators must not inherit pooled connections
    try:
        for validated in _validated(reader(path, mapping or {}), entities, now, n_workers):
            for n, record, problems in validated:
                summary.rows_read += 1
                summary.rejects.extend(problems)
                if record is None:
                    summary.rejected += 1
                    continue
                summary.warnings += sum(1 for p in problems if p.severity == "warning")
                cid = str(record["customer_id"])
                if cid in batch:
                    summary.rejects.append(
                        Reject(
                            n,
                            "warning",
                            "customer_id",
                            "customer id repeats an earlier row; later row kept",
                            cid,
                        )
                    )
                    summary.warnings += 1
                batch[cid] = record
                _note_fallback(summary, record, entities)
            if len(batch) >= BATCH:
                _flush(store, batch.values(), summary)
                batch.clear()
                if progress:
                    progress(summary.rows_read)
        _flush(store, batch.values(), summary)
        # upserts do not say which rows were new; the table's growth does
        summary.inserted = _count(store) - before
        summary.updated = summary.upserted - summary.inserted
    except UnicodeDecodeError as exc:  # UTF-16 text with a broken code unit
        raise InputError(
            str(path), f"not {exc.encoding} text near row {summary.rows_read + 1}"
        ) from None
    except csv.Error as exc:
        raise InputError(str(path), f"CSV error near row {summary.rows_read + 1}: {exc}") from None
    if progress:
        progress(summary.rows_read)
    if summary.rejects:
        summary.rejects_file = str(_write_rejects(rejects_dir, path, summary.rejects))
    return summary


def _note_fallback(
    summary: ImportSummary, record: Mapping[str, object], entities: Mapping[str, Entity]
) -> None:
    locale = record.get("locale")
    if not isinstance(locale, str) or not locale:
        return
    fallback = notice_fallback(locale, entities[str(record["entity"])])
    if fallback is not None:
        n, _ = summary.locale_fallbacks.get(locale, (0, fallback))
        summary.locale_fallbacks[locale] = (n + 1, fallback)


def _flush(store: Store, records: Iterable[dict[str, object]], summary: ImportSummary) -> None:
    rows = list(records)
    if not rows:
        return
    with store.session() as session:
        store.upsert(session, Customer, rows, key=["customer_id"])
    summary.upserted += len(rows)
    for r in rows:
        c = str(r["country"])
        summary.by_country[c] = summary.by_country.get(c, 0) + 1


def _count(store: Store) -> int:
    with store.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Customer)) or 0)


def _write_rejects(rejects_dir: Path, source: Path, rejects: list[Reject]) -> Path:
    rejects_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    rejects_dir.chmod(0o700)  # rejects name customers: private, however the folder was made
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = rejects_dir / f"{source.stem}-{stamp}.rejects.csv"
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["row", "severity", "field", "reason", "customer_id"])
        for r in rejects:
            w.writerow([r.row, r.severity, r.field, r.reason, r.customer_id or ""])
    return out
