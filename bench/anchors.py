"""Anchors measured on the same bytes as the scanner.

- Presidio: ``AnalyzerEngine`` with only its email recognizer and the no-op NLP
  engine (no model), on each response body, followed by a lookup of every address
  it reports in the same keyed index the scanner uses. One core.
- A raw pass: one compiled email regex over the whole corpus with hyperscan and
  with RE2, counting matches. One core. A near-floor for the raw scan.
"""

from __future__ import annotations

import base64
import json
import mmap
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

EMAIL = rb"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+"
BLOCK = 64 << 20


@dataclass
class Rate:
    name: str
    bytes: int
    seconds: float
    matches: int
    note: str = ""

    @property
    def mb_s(self) -> float:
        return self.bytes / 1e6 / self.seconds if self.seconds else 0.0


def _offline_tldextract() -> None:
    """Presidio's email validation uses tldextract; keep it on its bundled suffix list."""
    import tldextract.tldextract as tx

    tx.TLD_EXTRACTOR = tx.TLDExtract(suffix_list_urls=())


def presidio(sample: Path, index_dir: Path, key: bytes) -> Rate:
    import warnings

    _offline_tldextract()
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NoOpNlpEngine
    from presidio_analyzer.predefined_recognizers import EmailRecognizer

    from breachdesk.registry.index import MatchIndex
    from breachdesk.registry.keyed import KeyedHasher
    from breachdesk.registry.normalize import NormaliseError, normalise_email

    engine = NoOpNlpEngine(models=[{"lang_code": "en", "model_name": "no_op"}])
    engine.load()
    registry = RecognizerRegistry(supported_languages=["en"])
    registry.add_recognizer(EmailRecognizer())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "no context words with NoOpNlpEngine": known
        analyzer = AnalyzerEngine(nlp_engine=engine, registry=registry, supported_languages=["en"])
    index = MatchIndex(index_dir)
    hasher = KeyedHasher(key)
    analyzer.analyze(text="warm up: a@b.example", entities=["EMAIL_ADDRESS"], language="en")
    size = hits = 0
    started = time.perf_counter()
    with sample.open("rb") as fh:
        for line in fh:
            size += len(line)
            rec = json.loads(line)
            if rec.get("body_b64") is not None:
                text = base64.b64decode(rec["body_b64"]).decode("utf-8", errors="replace")
            else:
                text = rec.get("body") or ""
            hashes = []
            for r in analyzer.analyze(text=text, entities=["EMAIL_ADDRESS"], language="en"):
                try:
                    hashes.append(hasher.email(normalise_email(text[r.start : r.end])))
                except NormaliseError:
                    continue
            hits += len(index.lookup(hashes))
    return Rate(
        "Presidio email recognizer + keyed lookup", size, time.perf_counter() - started, hits
    )


def _blocks(files: list[Path]) -> list[tuple[Path, int]]:
    return [(f, off) for f in files for off in range(0, f.stat().st_size, BLOCK)]


def _hyperscan_db() -> Any:
    import hyperscan

    db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    # without start-of-match tracking hyperscan reports each end offset once; the
    # closing non-domain byte makes that one report per address
    db.compile(expressions=[EMAIL + rb"\.?[^A-Za-z0-9.\-]"], ids=[1], flags=[0])
    return db


def _hyperscan_blocks(db: Any, blocks: list[tuple[Path, int]]) -> tuple[int, int]:
    """Scan these 64 MB blocks; (bytes, matches)."""
    count = [0]

    def on_match(*_: object) -> None:
        count[0] += 1

    size = 0
    for f, off in blocks:
        with f.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            chunk = mm[off : off + BLOCK]
            size += len(chunk)
            db.scan(chunk, match_event_handler=on_match)
    return size, count[0]


def hyperscan_pass(files: list[Path]) -> Rate:
    db = _hyperscan_db()
    started = time.perf_counter()
    size, matches = _hyperscan_blocks(db, _blocks(files))
    return Rate("hyperscan, one email regex", size, time.perf_counter() - started, matches)


def _hyperscan_share(blocks: list[tuple[Path, int]], ready: Any, out: Any) -> None:
    db = _hyperscan_db()
    ready.wait()  # both processes compiled: the clock starts for both at once
    out.put(_hyperscan_blocks(db, blocks))


def hyperscan_parallel(files: list[Path], procs: int = 2) -> Rate:
    """The same pass in ``procs`` processes at once, each on a contiguous share of the
    blocks: how well this machine's cores scale a job with no Python per byte, the
    ceiling for the scanner's ``2 ÷ 1``."""
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    blocks = _blocks(files)
    per = -(-len(blocks) // procs)
    ready, out = ctx.Barrier(procs + 1), ctx.Queue()
    workers = [
        ctx.Process(target=_hyperscan_share, args=(blocks[i * per : (i + 1) * per], ready, out))
        for i in range(procs)
    ]
    for w in workers:
        w.start()
    ready.wait()
    started = time.perf_counter()
    parts = [out.get() for _ in workers]
    seconds = time.perf_counter() - started
    for w in workers:
        w.join()
    return Rate(
        f"hyperscan, one email regex, {procs} processes",
        sum(p[0] for p in parts),
        seconds,
        sum(p[1] for p in parts),
    )


def re2_pass(files: list[Path]) -> Rate:
    import re2

    rx = re2.compile(EMAIL)
    size = matches = 0
    started = time.perf_counter()
    for f in files:
        with f.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            for off in range(0, len(mm), BLOCK):
                chunk = mm[off : off + BLOCK]
                size += len(chunk)
                matches += sum(1 for _ in rx.finditer(chunk))
    return Rate("RE2, one email regex", size, time.perf_counter() - started, matches)


def cut_sample(src: Path, dst: Path, size: int) -> int:
    """The first whole lines of ``src`` up to ``size`` bytes; returns the bytes written."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with src.open("rb") as fh, dst.open("wb") as out:
        for line in fh:
            out.write(line)
            written += len(line)
            if written >= size:
                break
    return written
