"""Row readers for registry files: CSV, JSONL and Parquet, with a column mapping.

Each reader yields ``(row_number, record)`` where the record uses the canonical
field names. Row numbers count data rows from 1 (a CSV header is not a row).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator, Mapping
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


def _canonical(record: Mapping[str, Any], mapping: Mapping[str, str]) -> Row:
    row: Row = {}
    for key, value in record.items():
        if key is None:
            continue
        name = mapping.get(key)
        if name is None:
            low = key.strip().lower().replace(" ", "_")
            name = low if low in FIELDS else ALIASES.get(low)
        if name is None or row.get(name):
            continue
        row[name] = None if value is None else str(value).strip() or None
    return row


def read_csv(path: Path, mapping: Mapping[str, str]) -> Iterator[tuple[int, Row]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        for n, rec in enumerate(reader, start=1):
            yield n, _canonical(rec, mapping)


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
