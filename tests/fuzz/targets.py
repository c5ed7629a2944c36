"""Fuzz targets: every reader of a user's file, fed arbitrary bytes.

Each target's ``one(data)`` returns quietly for any input the reader handles (a
result, or a recorded problem, or the one documented error) and raises for a
crash. The same functions run over the committed seed corpora in the tests
(``test_seeds.py``) and under atheris in ``python -m tests.fuzz.run``.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from breachdesk.errors import InputError

CORPUS = Path(__file__).parent / "corpus"
CUSTOMERS = [
    ("c1", "alice@example.com", "Alice Smith", "GB", "", "shop-uk", "+44 20 7946 0018"),
    ("c2", "bob@bücher.de", "Bob Müller", "DE", "DE-BY", "shop-de", ""),
    ("c3", "carol@example.com", "Carol Jones", "US", "US-CA", "shop-us", "(201) 555-0123"),
]


@dataclass
class Workspace:
    root: Path
    settings: object
    store: object


_ws: Workspace | None = None


def workspace() -> Workspace:
    """One throwaway workspace per process: a SQLite store and a small indexed registry."""
    global _ws
    if _ws is not None:
        return _ws
    from breachdesk.registry.entities import load_entities
    from breachdesk.registry.importer import import_registry
    from breachdesk.registry.index import build_index
    from breachdesk.settings import Settings
    from breachdesk.store import Store
    from breachdesk.workspace import hasher, init_workspace

    root = Path(tempfile.mkdtemp(prefix="bd-fuzz-"))
    cfg = Settings(workspace=root / "ws", database_url=f"sqlite:///{root / 'bd.db'}")
    init_workspace(cfg)
    store = Store.open(cfg.database_url)
    store.migrate()
    src = root / "customers.csv"
    with src.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(
            ["customer_id", "email", "full_name", "country", "subdivision", "entity", "phone"]
        )
        w.writerows(CUSTOMERS)
    import_registry(store, src, load_entities(cfg.entities_path), cfg.rejects_dir)
    build_index(store, hasher(cfg), cfg.index_dir)
    _ws = Workspace(root, cfg, store)
    return _ws


def _file(name: str, data: bytes) -> Path:
    d = workspace().root / "in"
    d.mkdir(exist_ok=True)
    for old in d.iterdir():
        old.unlink()
    path = d / name
    path.write_bytes(data)
    return path


# Inputs are named by their first byte so one target covers several formats.
SCAN_NAMES = ("in.jsonl", "in.har", "in.warc", "in.zip", "in.gz", "in.txt", "in.jsonl.gz")


def scan_one(data: bytes) -> None:
    """Scanner formats and containers: never an exception, never an UNEXPECTED problem."""
    from breachdesk.detect.formats.base import UNEXPECTED
    from breachdesk.detect.scanner import scan_paths

    ws = workspace()
    name = SCAN_NAMES[data[0] % len(SCAN_NAMES)] if data else "in.txt"
    path = _file(name, data[1:])
    summary = scan_paths(ws.store, ws.settings, [path], workers=1)  # type: ignore[arg-type]
    bad = [p.line() for p in summary.problems if UNEXPECTED in p.reason]
    assert not bad, bad


def dump_one(data: bytes) -> None:
    """The dump reader behind ``attribute``: blocks and problems, never an exception."""
    from breachdesk.insider.dump_reader import DumpProblem, read_dump

    name = ("dump.txt", "dump.json", "dump.zip", "dump.gz")[data[0] % 4] if data else "d.txt"
    path = _file(name, data[1:])
    for item in read_dump([path], 200, 1 << 30):
        if isinstance(item, DumpProblem):
            assert "\n" not in item.reason


def registry_one(data: bytes) -> None:
    """Registry readers and validation: rows or rejects, or one InputError for the file."""
    from breachdesk.registry.entities import load_entities
    from breachdesk.registry.importer import import_registry

    ws = workspace()
    name = ("r.csv", "r.jsonl", "r.parquet")[data[0] % 3] if data else "r.csv"
    path = _file(name, data[1:])
    cfg = ws.settings
    try:
        import_registry(
            ws.store,  # type: ignore[arg-type]
            path,
            load_entities(cfg.entities_path),  # type: ignore[attr-defined]
            cfg.rejects_dir,  # type: ignore[attr-defined]
        )
    except InputError as exc:
        assert "\n" not in str(exc)


def whatif_one(data: bytes) -> None:
    """The what-if loader: a WhatIf, or one InputError naming the file."""
    from breachdesk.law.whatif import load_what_if

    name = "w.json" if data[:1] == b"{" else "w.yaml"
    path = _file(name, data)
    try:
        load_what_if(path)
    except InputError as exc:
        assert "\n" not in str(exc), str(exc)


def tripwire_one(data: bytes) -> None:
    """The tripwire's message handling: subject, headers and problems, never an exception."""
    from breachdesk.insider.tripwire import _parse, raw_headers

    subject, headers, problems = _parse(data)
    assert len(headers) <= 100 and all(len(v) <= 998 for _, v in headers)
    assert subject is None or isinstance(subject, str)
    assert isinstance(problems, list)
    raw_headers(data)


@dataclass(frozen=True)
class Target:
    name: str
    one: Callable[[bytes], None]
    instrument: tuple[str, ...]
    runs: int  # inputs in the reproducible run of ``make test`` (about 20 s on 2 cores)

    @property
    def seeds(self) -> Path:
        return CORPUS / self.name


TARGETS = {
    t.name: t
    for t in (
        Target(
            "scanner",
            scan_one,
            ("breachdesk.detect.formats", "breachdesk.detect.containers"),
            1_800,
        ),
        Target("dump", dump_one, ("breachdesk.insider.dump_reader", "breachdesk.detect"), 50_000),
        Target("registry", registry_one, ("breachdesk.registry",), 2_200),
        Target("whatif", whatif_one, ("breachdesk.law.whatif",), 120_000),
        Target("tripwire", tripwire_one, ("breachdesk.insider.tripwire", "email.header"), 35_000),
    )
}
