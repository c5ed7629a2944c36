"""Row readers for registry files: CSV, JSONL and Parquet, with a column mapping.

Each reader yields ``(row_number, record)`` where the record uses the canonical
field names. Row numbers count data rows from 1 (a CSV header is not a row).

Text files are read as UTF-8 (a BOM is dropped; a UTF-16 BOM is honoured). A file
with no valid UTF-8 beyond ASCII and some bytes that are not UTF-8 is read as
Windows-1252, and the summary says so. Otherwise a line that is not UTF-8 is a
rejected row naming its row number, not a refusal of the file. The CSV delimiter
(``,`` ``;`` tab ``|``) is sniffed, and the header is checked once: a missing
required column stops the import with the list of what is missing and what is there.
"""

from __future__ import annotations

import codecs
import csv
import itertools
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
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


SAMPLE = 64 * 1024
DELIMITERS = ",;\t|"
_NOT_UTF8 = "not UTF-8 text ({detail}); re-save the file as UTF-8 or fix this row"


def sniff_encoding(sample: bytes) -> str:
    """``utf-8``, ``utf-16`` (by BOM) or ``cp1252`` (no valid UTF-8 beyond ASCII)."""
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    utf8_lines = bad_lines = 0
    lines = sample.splitlines()
    if len(sample) >= SAMPLE and len(lines) > 1:
        lines = lines[:-1]  # the sample may end inside a character
    for line in lines:
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8_lines += 1
        except UnicodeDecodeError:
            bad_lines += 1
    return "cp1252" if bad_lines and not utf8_lines else "utf-8"


def _text_lines(path: Path, encoding: str) -> Iterator[str]:
    """Decoded lines; a line that is not valid UTF-8 keeps its bad bytes as surrogates."""
    if encoding == "utf-16":
        with path.open(encoding="utf-16", newline="") as fh:
            yield from fh
        return
    with path.open("rb") as fh:
        first = True
        for raw in fh:
            if first:
                raw = raw.removeprefix(codecs.BOM_UTF8)
                first = False
            if encoding == "cp1252":
                yield raw.decode("cp1252", errors="replace")
            else:
                yield raw.decode("utf-8", errors="surrogateescape")


def _undecodable(values: Iterable[str | None]) -> str | None:
    """The first byte that was not UTF-8, e.g. ``byte 0xE9``, or None."""
    for v in values:
        if v is None:
            continue
        for ch in v:
            if 0xDC80 <= ord(ch) <= 0xDCFF:
                return f"byte 0x{ord(ch) - 0xDC00:02X}"
    return None


def text_encoding(path: Path) -> str:
    with path.open("rb") as fh:
        return sniff_encoding(fh.read(SAMPLE))


def sniff_delimiter(sample: str) -> str:
    first = sample.splitlines()[0] if sample else ""
    counts = {d: first.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    if counts[best] == 0:
        return ","
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        return best


def check_header(path: Path, header: list[str], fields: Iterable[str]) -> None:
    """Stop once, naming every required column the header lacks."""
    missing = [f for f in REQUIRED if f not in set(fields)]
    if missing:
        shown = ", ".join(repr(h) for h in header[:12]) + (" ..." if len(header) > 12 else "")
        raise InputError(
            str(path),
            f"the header lacks required column(s) {', '.join(missing)} (found {shown}); "
            "rename them or map them with --map FIELD=COLUMN",
            "header",
        )


def read_csv(path: Path, mapping: Mapping[str, str]) -> Iterator[tuple[int, Row]]:
    encoding = text_encoding(path)
    lines = _text_lines(path, encoding)
    head: list[str] = []
    size = 0
    for line in lines:
        head.append(line)
        size += len(line)
        if size >= SAMPLE:
            break
    if not "".join(head).strip():
        return
    delimiter = sniff_delimiter("".join(head))
    reader = csv.reader(itertools.chain(head, lines), delimiter=delimiter)
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
    check_header(path, header, taken)
    width = len(header)
    for n, values in enumerate(reader, start=1):
        if not values:
            continue
        bad = _undecodable(values)
        if bad is not None:
            yield n, {"__error__": _NOT_UTF8.format(detail=bad)}
            continue
        if len(values) != width:
            yield n, {"__error__": f"has {len(values)} columns, the header has {width}"}
            continue
        yield n, {name: values[i].strip() or None for i, name in columns}


def read_jsonl(path: Path, mapping: Mapping[str, str]) -> Iterator[tuple[int, Row]]:
    for n, line in enumerate(_text_lines(path, text_encoding(path)), start=1):
        if not line.strip():
            continue
        bad = _undecodable([line])
        if bad is not None:
            yield n, {"__error__": _NOT_UTF8.format(detail=bad)}
            continue
        try:
            rec = json.loads(line)
        except (ValueError, RecursionError) as exc:  # JSONDecodeError, a 5,000-digit number
            msg = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)[:120]
            yield n, {"__error__": f"not valid JSON ({msg})"}
            continue
        if not isinstance(rec, dict):
            yield n, {"__error__": "line is not a JSON object"}
            continue
        yield n, _canonical(rec, mapping)


def read_parquet(path: Path, mapping: Mapping[str, str]) -> Iterator[tuple[int, Row]]:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
        names = list(pf.schema_arrow.names)
    except Exception as exc:
        raise InputError(str(path), f"not a readable Parquet file ({exc})") from None
    frozen = tuple(sorted(mapping.items()))
    check_header(path, names, {f for k in names if (f := _field_for(k, frozen))})
    n = 0
    for group in range(pf.num_row_groups):
        rows_in_group = pf.metadata.row_group(group).num_rows
        try:
            records = pf.read_row_group(group).to_pylist()
        except Exception as exc:  # a damaged page: skip its row group, keep the others
            text = "".join(c for c in f"{type(exc).__name__}: {exc}" if c.isprintable() or c == " ")
            reason = " ".join(text.split())[:200]
            yield (
                n + 1,
                {
                    "__error__": f"Parquet row group {group + 1} "
                    f"(rows {n + 1}-{n + rows_in_group}) is damaged ({reason}); "
                    "its rows are not read"
                },
            )
            n += rows_in_group
            continue
        for rec in records:
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
