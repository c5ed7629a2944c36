"""The bench's own tools: the extended index answers like a real one, and the memory sampler."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from bench.big_index import build_big_index, synthetic
from bench.measure import run_measured
from breachdesk.registry.entities import load_entities
from breachdesk.registry.importer import import_registry
from breachdesk.registry.index import MatchIndex, build_index
from breachdesk.registry.normalize import normalise_email
from breachdesk.samples.customers import derive, write_registry
from breachdesk.settings import Settings
from breachdesk.store import Store
from breachdesk.workspace import hasher, load_key


def test_big_index_extends_the_real_one(tmp_path: Path, store: Store, settings: Settings) -> None:
    n, total = 500, 1500
    write_registry(tmp_path / "c.csv", n, seed=2, bad_rows=False)
    import_registry(
        store, tmp_path / "c.csv", load_entities(settings.entities_path), settings.rejects_dir
    )
    build_index(store, hasher(settings), settings.index_dir)
    key = load_key(settings)
    extra = synthetic(tmp_path / "cache", key, 2, n, total, workers=1)
    assert len(list((tmp_path / "cache").glob("synthetic-*.npz"))) == 1
    again = synthetic(tmp_path / "cache", key, 2, n, total, workers=1)  # from the cache
    assert np.array_equal(extra["emails"], again["emails"])
    stats = build_big_index(settings.workspace, tmp_path / "big", extra)
    assert stats["customers"] == total and stats["dropped"] == 0
    small = MatchIndex(settings.index_dir)
    big = MatchIndex(tmp_path / "big" / "index", hasher(settings).fingerprint_of_key)
    people = derive(2, np.array([3, n - 1, n, total - 1], dtype=np.int64))
    h = [hasher(settings).email(normalise_email(e)) for e in people.email]
    assert big.lookup(h[:2]) == small.lookup(h[:2])  # real customers keep their rows
    rows = big.lookup(h[2:])
    base = int(small.names.size)
    assert rows == {h[2]: [base], h[3]: [base + total - 1 - n]}
    assert big.name_of(base) != 0 and len(big) == stats["identifiers"]


def test_run_measured_sees_the_children_memory() -> None:
    code = (
        "import multiprocessing as mp, time\n"
        "def f():\n    b = bytearray(60_000_000); time.sleep(1.0)\n"
        "if __name__ == '__main__':\n"
        "    p = mp.get_context('fork').Process(target=f); p.start(); p.join()\n"
    )
    m = run_measured([sys.executable, "-c", code], interval=0.05)
    assert m.returncode == 0
    assert m.peak_rss >= 60_000_000 and m.peak_pss >= 50_000_000
    assert m.seconds >= 1.0
