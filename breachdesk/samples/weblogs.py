"""Response-log JSONL with a cache bug, and the ground truth of what it exposed.

One HTTP response per line, in the documented format: ``ts``, ``viewer`` (the
signed-in customer's id, or null), ``ip``, ``method``, ``url``, ``status``,
``content_type`` and ``body`` or ``body_b64``.

Normal traffic shows a signed-in customer their *own* name and email (self-views,
which the scanner counts but does not report). During the cache-bug window, a
share of account, order and ``/api/me`` responses serve the page cached for
another customer (the "victim") to whoever asked: another signed-in customer or
an anonymous visitor. Each such line is written to the ground truth with the file,
line number, victim, viewer and the fields shown.

Timestamps follow the byte position in the whole corpus, so files can be
written in parallel and still form one timeline.
"""

from __future__ import annotations

import base64
import json
import random
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from breachdesk.samples import pages
from breachdesk.samples.customers import Customers, derive

KINDS = (  # (kind, weight)
    ("product", 36),
    ("category", 11),
    ("api_products", 8),
    ("css", 5),
    ("js", 5),
    ("png", 6),
    ("account", 7),
    ("order", 5),
    ("api_me", 6),
    ("login", 3),
    ("redirect", 4),
    ("missing", 4),
)
CACHEABLE = ("account", "order", "api_me")
_BATCH = 2048


@dataclass(frozen=True)
class LogSpec:
    customers: int  # indexes 0..customers-1 of the registry written with the same seed
    size_bytes: int
    seed: int = 1
    files: int = 1
    exposure_rate: float = 0.001  # share of all responses that expose another customer
    start: datetime = datetime(2026, 11, 20, tzinfo=UTC)
    days: float = 3.0
    window_start: datetime = datetime(2026, 11, 21, 13, 5, tzinfo=UTC)
    window_end: datetime = datetime(2026, 11, 21, 16, 50, tzinfo=UTC)
    signed_in_share: float = 0.45
    b64_share: float = 0.03  # HTML bodies logged as base64 (images always are)
    refresh: float = 0.35  # chance the cached page gets a new owner at each exposure

    @property
    def cache_hit_rate(self) -> float:
        """Chance that a cacheable response in the window serves someone else's page."""
        total = sum(w for _, w in KINDS)
        cacheable = sum(w for k, w in KINDS if k in CACHEABLE) / total
        window = (self.window_end - self.window_start) / timedelta(days=self.days)
        return min(0.95, self.exposure_rate / (window * cacheable))


@dataclass(frozen=True)
class Exposure:
    file: str
    line: int
    customer_id: str  # whose data was shown
    viewer: str | None  # to whom: a customer id, or None for an anonymous visitor
    ip: str
    ts: str
    url: str
    fields: list[str]


@dataclass
class LogSummary:
    files: list[str] = field(default_factory=list)
    bytes: int = 0
    lines: int = 0
    exposures: int = 0
    exposed_customers: int = 0
    self_views: int = 0  # lines showing the signed-in customer their own identifiers
    b64_lines: int = 0
    truth: str = ""


def _person(c: Customers, i: int, with_phone: bool = True) -> pages.Person:
    return pages.Person(
        c.customer_id[i],
        c.first_name[i],
        c.full_name[i],
        c.email[i],
        c.phone_display[i] if with_phone else "",
        c.country[i],
        c.entity[i],
    )


def _ip(rng: random.Random) -> str:
    first = rng.choice((24, 73, 81, 86, 92, 109, 176, 203))
    return f"{first}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


class _Writer:
    """Writes one file of the corpus; the cache-bug state lives here."""

    def __init__(self, spec: LogSpec, k: int, path: Path) -> None:
        self.spec, self.k, self.path = spec, k, path
        self.rng = random.Random(f"{spec.seed}:{k}")
        self.sites = pages.sites()
        self.site_of = {s.entity: s for s in self.sites}
        self.products = pages.catalogue(random.Random(spec.seed))
        self.kinds = [k for k, _ in KINDS]
        self.weights = [w for _, w in KINDS]
        self.victim: pages.Person | None = None
        self.per_file = spec.size_bytes // spec.files
        self.origin = k * self.per_file
        self.span = timedelta(days=spec.days)
        self.hit_rate = spec.cache_hit_rate
        self.summary = LogSummary(files=[str(path)])
        self.truth: list[Exposure] = []
        self.victims: set[str] = set()

    def ts(self, written: int) -> datetime:
        frac = (self.origin + written) / max(1, self.spec.size_bytes)
        jitter = timedelta(milliseconds=self.rng.randrange(1000))
        return self.spec.start + self.span * frac + jitter

    def run(self) -> tuple[LogSummary, list[Exposure]]:
        written = 0
        line = 0
        with self.path.open("w", encoding="utf-8") as fh:
            while written < self.per_file:
                batch = self._batch()
                out: list[str] = []
                for viewer, victim in batch:
                    line += 1
                    rec = self._record(viewer, victim, written, line)
                    text = json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n"
                    out.append(text)
                    written += len(text.encode("utf-8"))
                    if written >= self.per_file:
                        break
                fh.write("".join(out))
        self.summary.bytes = self.path.stat().st_size
        self.summary.lines = line
        self.summary.exposures = len(self.truth)
        self.summary.exposed_customers = len(self.victims)
        return self.summary, self.truth

    def _batch(self) -> list[tuple[pages.Person | None, pages.Person]]:
        """Viewers for the next lines (None: anonymous) and a victim candidate for each."""
        n = self.spec.customers
        idx = np.array([self.rng.randrange(n) for _ in range(2 * _BATCH)], dtype=np.int64)
        c = derive(self.spec.seed, idx)
        shown = [self.rng.random() < 0.8 for _ in range(2 * _BATCH)]
        people = [_person(c, i, shown[i]) for i in range(2 * _BATCH)]
        return [
            (
                people[2 * j] if self.rng.random() < self.spec.signed_in_share else None,
                people[2 * j + 1],
            )
            for j in range(_BATCH)
        ]

    def _record(
        self, viewer: pages.Person | None, candidate: pages.Person, written: int, line: int
    ) -> dict[str, object]:
        rng = self.rng
        ts = self.ts(written)
        kind = rng.choices(self.kinds, self.weights)[0]
        site = self.site_of[viewer.entity] if viewer else rng.choice(self.sites)
        ip = _ip(rng)
        status, ctype = 200, "text/html; charset=utf-8"
        shown: pages.Person | None = None  # whose identifiers the body carries
        exposed = (
            kind in CACHEABLE
            and self.spec.window_start <= ts < self.spec.window_end
            and rng.random() < self.hit_rate
        )
        if exposed:
            if self.victim is None or rng.random() < self.spec.refresh:
                self.victim = candidate
            shown = self.victim
            site = self.site_of[shown.entity]
        elif kind in CACHEABLE and viewer is not None:
            shown = viewer
        path, body = self._body(kind, site, viewer, shown)
        if body is None:
            status, ctype, kind = 302, "text/html; charset=utf-8", "redirect"
            body = f'<a href="https://{site.host}/login">Found</a>'
        if kind == "missing":
            status = 404
        ctype = _CTYPES.get(kind, ctype)
        url = f"https://{site.host}{path}"
        rec: dict[str, object] = {
            "ts": ts.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "viewer": viewer.customer_id if viewer else None,
            "ip": ip,
            "method": "GET",
            "url": url,
            "status": status,
            "content_type": ctype,
        }
        if isinstance(body, bytes) or (kind != "api_me" and rng.random() < self.spec.b64_share):
            raw = body if isinstance(body, bytes) else body.encode("utf-8")
            rec["body_b64"] = base64.b64encode(raw).decode("ascii")
            self.summary.b64_lines += 1
        else:
            rec["body"] = body
        if shown is not None:
            if viewer is not None and shown.customer_id == viewer.customer_id:
                self.summary.self_views += 1
            else:
                fields = ["email", "name"] + (["phone"] if shown.phone else [])
                self.truth.append(
                    Exposure(
                        self.path.name,
                        line,
                        shown.customer_id,
                        viewer.customer_id if viewer else None,
                        ip,
                        str(rec["ts"]),
                        url,
                        sorted(fields),
                    )
                )
                self.victims.add(shown.customer_id)
        return rec

    def _body(
        self, kind: str, site: pages.Site, viewer: pages.Person | None, shown: pages.Person | None
    ) -> tuple[str, str | bytes | None]:
        rng = self.rng
        if kind == "product":
            p = rng.choice(self.products)
            return f"/p/{p.sku.lower()}", pages.product_page(rng, site, p, viewer)
        if kind == "category":
            items = rng.sample(self.products, 24)
            return "/c/new?page=" + str(rng.randint(1, 9)), pages.category_page(
                rng, site, items, viewer
            )
        if kind == "api_products":
            return "/api/products?limit=20", pages.api_products(rng, rng.sample(self.products, 20))
        if kind == "css":
            return "/static/css/site.4f9a1c.css", pages.SHOP_CSS * 3
        if kind == "js":
            return "/static/js/app.b71e02.js", pages.SHOP_JS * 4
        if kind == "png":
            return f"/static/img/{rng.randrange(10**6):06d}.png", pages.png(rng)
        if kind == "login":
            return "/login", pages.login_page(site)
        if kind == "redirect":
            return "/checkout", None
        if kind == "missing":
            return f"/p/sku-{rng.randint(90000, 99999)}", pages.not_found(site)
        if shown is None:
            return ("/account", None) if kind != "api_me" else ("/api/me", None)
        if kind == "account":
            orders = [str(rng.randint(4_000_000, 4_999_999)) for _ in range(3)]
            return "/account", pages.account_page(site, shown, orders)
        if kind == "order":
            order = str(rng.randint(4_000_000, 4_999_999))
            return f"/orders/{order}", pages.order_page(
                site, shown, order, rng.sample(self.products, 3)
            )
        return "/api/me", pages.api_me(shown)


_CTYPES = {
    "api_products": "application/json",
    "api_me": "application/json",
    "css": "text/css",
    "js": "application/javascript",
    "png": "image/png",
}


def _write_one(spec: LogSpec, k: int, path: Path) -> tuple[LogSummary, list[Exposure]]:
    return _Writer(spec, k, path).run()


def write_logs(
    spec: LogSpec, out_dir: Path, workers: int = 1, truth: Path | None = None
) -> LogSummary:
    """Write ``spec.files`` JSONL files into ``out_dir`` and the ground truth beside it.

    The truth goes to ``truth`` (default ``<out_dir>.truth.jsonl``), outside the folder
    so that scanning the folder scans only the logs.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    truth = truth or out_dir.with_name(out_dir.name + ".truth.jsonl")
    paths = [out_dir / f"responses-{k + 1:03d}.jsonl" for k in range(spec.files)]
    if workers > 1 and spec.files > 1:
        with ProcessPoolExecutor(min(workers, spec.files)) as pool:
            parts = list(pool.map(_write_one, [spec] * spec.files, range(spec.files), paths))
    else:
        parts = [_write_one(spec, k, p) for k, p in enumerate(paths)]
    total = LogSummary(truth=str(truth))
    victims: set[str] = set()
    with open(total.truth, "w", encoding="utf-8") as fh:
        for s, planted in parts:
            total.files += s.files
            total.bytes += s.bytes
            total.lines += s.lines
            total.exposures += s.exposures
            total.self_views += s.self_views
            total.b64_lines += s.b64_lines
            for e in planted:
                victims.add(e.customer_id)
                fh.write(json.dumps(asdict(e), ensure_ascii=False) + "\n")
    total.exposed_customers = len(victims)
    return total


def read_truth(path: Path) -> list[Exposure]:
    with path.open(encoding="utf-8") as fh:
        return [Exposure(**json.loads(line)) for line in fh if line.strip()]
