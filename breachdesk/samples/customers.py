"""A deterministic, realistic customer registry: any customer can be derived from (seed, index).

Every attribute of customer ``i`` comes from a counter-based hash of ``(seed, i)``
(splitmix64 over numpy arrays), so the registry never has to be held in memory:
the log generator asks for the customers it needs, and a 10M-customer index can
be built from the same identifiers without writing a CSV.

Identifiers are unique by construction: an email's trailing number is a
bijection of the index over ``[0, 10**7)`` and a phone is a bijection of the
index over the country's mobile range, so ``derive`` supports up to 10M customers.

``write_registry`` writes the CSV with a handful of deliberately bad rows (see
``BAD_ROWS``), each listed in the returned ``PlantedReject`` records.
"""

from __future__ import annotations

import csv
import math
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from breachdesk.samples.countries import CountriesFile, load_countries

MAX_CUSTOMERS = 10**7
COLUMNS = (
    "customer_id",
    "email",
    "full_name",
    "country",
    "subdivision",
    "entity",
    "locale",
    "phone",
)
PHONE_SHARE = 60  # percent of customers with a phone
U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]


def _mix(x: U64) -> U64:
    """splitmix64's finaliser: a bijection of uint64 with good avalanche."""
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def stream(seed: int, idx: I64, k: int) -> U64:
    """The ``k``-th independent 64-bit draw for each index."""
    base = np.uint64((seed * 0x9E3779B1 + k * 0x85EBCA77 + 1) & 0xFFFFFFFFFFFFFFFF)
    return _mix(idx.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15) + base)


def _coprime(n: int, start: int) -> int:
    a = start
    while math.gcd(a, n) != 1:
        a += 1
    return a


def _ascii(word: str) -> str:
    word = word.replace("ß", "ss").replace("æ", "ae").replace("ø", "o")
    folded = unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode("ascii")
    return "".join(ch for ch in folded.lower() if ch.isalnum())


@dataclass
class Customers:
    """Columns for a set of customer indexes (``""`` where a value is absent)."""

    index: I64
    customer_id: list[str]
    email: list[str]  # as the registry holds it: mixed case and IDN kept
    first_name: list[str]
    full_name: list[str]
    country: list[str]
    subdivision: list[str]  # as written in the CSV (sometimes without the country prefix)
    entity: list[str]
    locale: list[str]
    phone: list[str]  # as written in the CSV: E.164, international or national
    phone_e164: list[str]
    phone_display: list[str]  # international with spaces, as a page shows it

    def __len__(self) -> int:
        return len(self.customer_id)

    def row(self, i: int) -> list[str]:
        return [
            self.customer_id[i],
            self.email[i],
            self.full_name[i],
            self.country[i],
            self.subdivision[i],
            self.entity[i],
            self.locale[i],
            self.phone[i],
        ]


class _Ragged:
    """Lists of strings, one per key, flattened so numpy can pick from them per row."""

    def __init__(self, lists: list[list[str]]) -> None:
        self.flat: list[str] = [v for lst in lists for v in lst]
        sizes = [len(lst) for lst in lists]
        self.size = np.array([max(1, n) for n in sizes], dtype=np.uint64)
        self.offset = np.cumsum([0, *sizes[:-1]]).astype(np.int64)
        self.empty = np.array([n == 0 for n in sizes])

    def pick(self, key: I64, h: U64) -> I64:
        """Flat positions: for each row, element ``h % len`` of its key's list (-1 if empty)."""
        pos = self.offset[key] + (h % self.size[key]).astype(np.int64)
        return np.where(self.empty[key], -1, pos)


def _split(name: str) -> tuple[str, str]:
    shown, _, plain = name.partition(":")
    return shown, plain or _ascii(shown)


class _Tables:
    """The countries file flattened into arrays that numpy can index."""

    def __init__(self, spec: CountriesFile) -> None:
        cs = self.countries = spec.countries
        weights = np.array([c.weight for c in cs], dtype=np.float64)
        self.cum = np.cumsum(weights) / weights.sum()
        groups = list(spec.names)
        first = [[_split(n) for n in spec.names[g].first] for g in groups]
        last = [[_split(n) for n in spec.names[g].last] for g in groups]
        self.first = _Ragged([[a for a, _ in lst] for lst in first])
        self.first_plain = [b for lst in first for _, b in lst]
        self.last = _Ragged([[a for a, _ in lst] for lst in last])
        self.last_plain = [b for lst in last for _, b in lst]
        self.group = np.array([groups.index(c.names) for c in cs], dtype=np.int64)
        self.subs = _Ragged([c.subdivisions for c in cs])
        self.sub_share = np.array([90 if c.code in ("US", "CA") else 55 for c in cs])
        self.quebec_sub = np.array(
            [bool(c.quebec and s == c.quebec.subdivision) for c in cs for s in c.subdivisions]
            + [False]  # position -1: no subdivision
        )
        self.quebec_group = np.array(
            [groups.index(c.quebec.names) if c.quebec else 0 for c in cs], dtype=np.int64
        )
        # key = 2 * country + flag: (locales, Quebec locales) and (domains, IDN domains)
        self.locales = _Ragged(
            [x for c in cs for x in (c.locales, c.quebec.locales if c.quebec else c.locales)]
        )
        self.domains = _Ragged([x for c in cs for x in (c.domains, c.idn_domains or c.domains)])
        self.accents = np.array([c.names in ("fr", "es", "de", "pt") for c in cs])
        self.family_first = np.array([c.family_first for c in cs])
        self.prefixes = _Ragged([c.phone.prefixes for c in cs])
        self.digits = np.array([c.phone.digits for c in cs], dtype=np.int64)
        self.span = np.array([c.phone.span for c in cs], dtype=np.int64)
        self.lowest = np.array([c.phone.lowest for c in cs], dtype=np.int64)
        self.capacity = np.array([c.phone.capacity for c in cs], dtype=np.int64)
        self.phone_mult = np.array(
            [_coprime(c.phone.capacity, 2_654_435_761) for c in cs], dtype=np.int64
        )
        self.code = [c.code for c in cs]
        self.entity = [c.entity for c in cs]
        self.calling = [f"+{c.calling_code}" for c in cs]
        self.trunk = [c.trunk for c in cs]
        self.nanp = [c.code in ("US", "CA") for c in cs]
        self.email_mult = _coprime(MAX_CUSTOMERS, 48_271_007)


_TABLES: _Tables | None = None


def _tables() -> _Tables:
    global _TABLES
    if _TABLES is None:
        _TABLES = _Tables(load_countries())
    return _TABLES


def customer_id(index: int) -> str:
    return f"C{index + 1:08d}"


# local-part styles; the trailing number is unique per customer and never follows a digit
_LOCAL = (
    "{a}.{b}{n}",
    "{i}{b}{n}",
    "{a}_{b}{n}",
    "{a}{n}",
    "{b}.{a}{n}",
    "{a}.{b}.{n}",
)


def derive(seed: int, idx: I64) -> Customers:
    """Customers for the given indexes; the same (seed, index) always gives the same person."""
    if idx.size and (int(idx.min()) < 0 or int(idx.max()) >= MAX_CUSTOMERS):
        raise ValueError(f"customer indexes must be in [0, {MAX_CUSTOMERS})")
    t = _tables()
    idx = idx.astype(np.int64)
    h = [stream(seed, idx, k) for k in range(12)]
    pct = [(x % np.uint64(1000)).astype(np.int64) for x in h]
    unit = (h[0] >> np.uint64(11)).astype(np.float64) / float(1 << 53)
    c = np.minimum(np.searchsorted(t.cum, unit, side="right"), len(t.countries) - 1)
    sub = np.where(pct[3] % 100 < t.sub_share[c], t.subs.pick(c, h[3] >> np.uint64(20)), -1)
    quebec = t.quebec_sub[sub] & (pct[9] % 10 < 8)
    group = np.where(quebec, t.quebec_group[c], t.group[c])
    first = t.first.pick(group, h[1])
    last = t.last.pick(group, h[2])
    locale = t.locales.pick(2 * c + quebec, h[8])
    domain = t.domains.pick(2 * c + (pct[5] < 15), h[5] >> np.uint64(20))
    tag = (idx * t.email_mult + 7_919) % MAX_CUSTOMERS
    u = (idx * t.phone_mult[c] + 104_729) % t.capacity[c]
    span = t.span[c]
    out = Customers(idx, [], [], [], [], [], [], [], [], [], [], [])
    fs, ls, fp, lp, subs = t.first.flat, t.last.flat, t.first_plain, t.last_plain, t.subs.flat
    doms = t.domains.flat
    rows = zip(
        idx.tolist(),
        c.tolist(),
        first.tolist(),
        last.tolist(),
        sub.tolist(),
        (t.accents[c] & (pct[6] < 10)).tolist(),
        t.family_first[c].tolist(),
        (pct[4] % 6).tolist(),
        (pct[7] % 100 < 5).tolist(),
        (pct[11] % 10 == 0).tolist(),
        tag.tolist(),
        domain.tolist(),
        strict=True,
    )
    for i, ci, fi, li, si, accented, fam, style, mixed, short, n, d in rows:
        out.customer_id.append(f"C{i + 1:08d}")
        f, la = fs[fi], ls[li]
        out.first_name.append(f)
        out.full_name.append(f"{la} {f}" if fam else f"{f} {la}")
        s = subs[si] if si >= 0 else ""
        if short and s and t.nanp[ci]:
            s = s[3:]  # "ON" for "CA-ON": the importer adds the country
        out.subdivision.append(s)
        if accented:
            a, b = f.lower().replace(" ", ""), la.lower().replace(" ", "")
        else:
            a, b = fp[fi], lp[li]
        dom = doms[d]
        if mixed:
            a, b, dom = a.title(), b.title(), dom[:1].upper() + dom[1:]
        local = _LOCAL[style].format(a=a, b=b, i=a[:1], n=n)
        out.email.append(f"{local}@{dom}")
    cl = c.tolist()
    out.country = [t.code[x] for x in cl]
    out.entity = [t.entity[x] for x in cl]
    out.locale = [t.locales.flat[x] for x in locale.tolist()]
    has_phone = (pct[10] % 100 < PHONE_SHARE).tolist()
    prefix = (t.prefixes.offset[c] + u // span).tolist()
    body = (t.lowest[c] + u % span).tolist()
    styles = (pct[7] // 100 % 4).tolist()
    for ci, ok, pi, b, digits, style in zip(
        cl, has_phone, prefix, body, t.digits[c].tolist(), styles, strict=True
    ):
        if not ok:
            out.phone.append("")
            out.phone_e164.append("")
            out.phone_display.append("")
            continue
        p, num, cc = t.prefixes.flat[pi], f"{b:0{digits}d}", t.calling[ci]
        half = digits // 2
        display = f"{cc} {p} {num[:half]} {num[half:]}"
        if style == 0:
            written = f"{cc}{p}{num}"
        elif style == 1:
            written = display
        elif t.nanp[ci]:
            written = f"({p}) {num[:3]}-{num[3:]}"
        else:
            written = f"{t.trunk[ci]}{p} {num}"
        out.phone.append(written)
        out.phone_e164.append(f"{cc}{p}{num}")
        out.phone_display.append(display)
    return out


@dataclass(frozen=True)
class PlantedReject:
    row: int  # data row number in the CSV (the header is not a row)
    severity: str  # "rejected" or "warning"
    field: str
    customer_id: str


BadRow = Callable[[list[str], int], list[str]]


def _set(col: str, value: str) -> BadRow:
    def make(row: list[str], k: int) -> list[str]:
        row = row.copy()
        row[COLUMNS.index(col)] = value
        return row

    return make


def _no_at(row: list[str], k: int) -> list[str]:
    return _set("email", row[1].replace("@", ".at."))(row, k)


def _two_at(row: list[str], k: int) -> list[str]:
    return _set("email", row[1].replace("@", "@@"))(row, k)


def _extra_column(row: list[str], k: int) -> list[str]:
    return [*row, "unexpected"]


# (make, severity, field): a bad row is made from a fresh customer with its own id
BAD_ROWS: list[tuple[BadRow, str, str]] = [
    (_no_at, "rejected", "email"),
    (_set("email", ""), "rejected", "email"),
    (_two_at, "rejected", "email"),
    (_set("country", "UK"), "rejected", "country"),
    (_set("entity", "shop-xx"), "rejected", "entity"),
    (_set("full_name", ""), "rejected", "full_name"),
    (_extra_column, "rejected", "row"),
    (_set("phone", "n/a"), "warning", "phone"),
    (_set("subdivision", "ZZ-ZZZZ"), "warning", "subdivision"),
    (_set("locale", "xx_QQ"), "warning", "locale"),
]


def _bad_row(seed: int, k: int, n: int) -> list[str]:
    """A customer outside the valid range, with an id and email of its own."""
    c = derive(seed, np.array([k % n], dtype=np.int64))
    row = c.row(0)
    row[0] = f"C9{k:07d}"
    local, _, domain = row[1].partition("@")
    row[1] = f"{local.rstrip('0123456789.')}.w{k}@{domain}"
    return row


def write_registry(
    path: Path, n: int, seed: int = 1, chunk: int = 100_000, bad_rows: bool = True
) -> list[PlantedReject]:
    """Write ``n`` customers (indexes ``0..n-1``) plus the bad rows; return what was planted."""
    if not 0 < n <= MAX_CUSTOMERS:
        raise ValueError(f"n must be in 1..{MAX_CUSTOMERS}")
    plan = BAD_ROWS if bad_rows else []
    # bad row k goes after valid row at[k]; a repeated id goes last, after its original
    at = [(k + 1) * n // (len(plan) + 2) for k in range(len(plan))]
    planted: list[PlantedReject] = []
    written = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(COLUMNS)
        k = 0
        for start in range(0, n, chunk):
            c = derive(seed, np.arange(start, min(n, start + chunk), dtype=np.int64))
            rows = [c.row(i) for i in range(len(c))]
            pos = 0
            while k < len(plan) and at[k] < start + len(rows):
                cut = at[k] - start + 1
                w.writerows(rows[pos:cut])
                written += cut - pos
                pos = cut
                make, severity, field = plan[k]
                bad = make(_bad_row(seed, k, n), k)
                w.writerow(bad)
                written += 1
                planted.append(PlantedReject(written, severity, field, bad[0]))
                k += 1
            w.writerows(rows[pos:])
            written += len(rows) - pos
        if bad_rows:
            again = derive(seed, np.array([n - 1], dtype=np.int64)).row(0)
            w.writerow(again)
            written += 1
            planted.append(PlantedReject(written, "warning", "customer_id", again[0]))
    return planted
