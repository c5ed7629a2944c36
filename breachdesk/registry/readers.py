"""Row readers for registry files: CSV, JSONL and Parquet, with a column mapping.

Each reader yields ``(row_number, record)`` where the record uses the canonical
field names. Row numbers count data rows from 1 (a CSV header is not a row).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from breachdesk.errors import InputError, UsageError

FIELDS = (
    "customer_id",
    "email",
    "full_name",
    "country",
    "subdivision",
    "entity",
    "locale",
    "phone",
)
REQUIRED = ("customer_id", "email", "full_name", "country", "entity")

# Common spellings recognised without a mapping; an explicit mapping wins.
ALIASES: dict[str, str] = {
    "id": "customer_id",
    "customer": "customer_id",
    "customerid": "customer_id",
    "e-mail": "email",
    "email_address": "email",
    "mail": "email",
    "name": "full_name",
    "fullname": "full_name",
    "country_code": "country",
    "region": "subdivision",
    "state": "subdivision",
    "province": "subdivision",
    "language": "locale",
    "lang": "locale",
    "telephone": "phone",
    "phone_number": "phone",
    "mobile": "phone",
}

Row = dict[str, str | None]
Reader = Callable[[Path, Mapping[str, str]], Iterator[tuple[int, Row]]]


def parse_mapping(pairs: list[str]) -> dict[str, str]:
    """``["email=E-Mail Address", ...]`` -> ``{"E-Mail Address": "email"}`` (source -> field)."""
    out: dict[str, str] = {}
    for pair in pairs:
        field, sep, column = pair.partition("=")
        field = field.strip()
        if not sep or not column.strip():
            raise UsageError(f"--map {pair!r}: expected FIELD=COLUMN")
        if field not in FIELDS:
            raise UsageError(f"--map {pair!r}: unknown field {field!r}; one of {', '.join(FIELDS)}")
        out[column.strip()] = field
    return out


@lru_cache(maxsize=1024)
def _field_for(key: str, mapping: tuple[tuple[str, str], ...]) -> str | None:
    explicit = dict(mapping).get(key)
    if explicit is not None:
        return explicit
    low = key.strip().lower().replace(" ", "_")
    return low if low in FIELDS else ALIASES.get(low)


def _canonical(record: Mapping[str, Any], mapping: Mapping[str, str]) -> Row:
    frozen = tuple(sorted(mapping.items()))
    row: Row = {}
    for key, value in record.items():
        if key is None:
            continue
        name = _field_for(key, frozen)
        if name is None or row.get(name):
            continue
        row[name] = None if value is None else str(value).strip() or None
    return row


def read_csv(path: Path, mapping: Mapping[str, str]) -> Iterator[tuple[int, Row]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None:
            return
        frozen = tuple(sorted(mapping.items()))
        columns: list[tuple[int, str]] = []
        taken: set[str] = set()
        for i, key in enumerate(header):
            name = _field_for(key, frozen)
            if name is not None and name not in taken:
                columns.append((i, name))
                taken.add(name)
        width = len(header)
        for n, values in enumerate(reader, start=1):
            if not values:
                continue
            if len(values) != width:
                yield n, {"__error__": f"has {len(values)} columns, the header has {width}"}
                continue
            yield n, {name: values[i].strip() or None for i, name in columns}


def read_jsonl(path: Path, mapping: Mapping[str, str]) -> Iterator[tuple[int, Row]]:
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                yield n, {"__error__": f"not valid JSON ({exc.msg})"}
                continue
            if not isinstance(rec, dict):
                yield n, {"__error__": "line is not a JSON object"}
                continue
            yield n, _canonical(rec, mapping)


def read_parquet(path: Path, mapping: Mapping[str, str]) -> Iterator[tuple[int, Row]]:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:
        raise InputError(str(path), f"not a readable Parquet file ({exc})") from None
    n = 0
    for batch in pf.iter_batches(batch_size=50_000):
        for rec in batch.to_pylist():
            n += 1
            yield n, _canonical(rec, mapping)


READERS: dict[str, Reader] = {
    "csv": read_csv,
    "jsonl": read_jsonl,
    "ndjson": read_jsonl,
    "parquet": read_parquet,
}


def reader_for(path: Path, fmt: str | None) -> Reader:
    name = (fmt or path.suffix.lstrip(".")).lower()
    try:
        return READERS[name]
    except KeyError:
        raise UsageError(
            f"{path}: unknown registry format {name!r}; use --format csv, jsonl or parquet"
        ) from None
