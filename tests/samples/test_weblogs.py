"""The response-log generator: documented JSONL, deterministic, truth is what was planted."""

from __future__ import annotations

import base64
import json
import re
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from breachdesk.registry.normalize import normalise_email
from breachdesk.samples.customers import Customers, derive
from breachdesk.samples.weblogs import LogSpec, LogSummary, read_truth, write_logs

N = 3000
SPEC = LogSpec(customers=N, size_bytes=3_000_000, seed=9, files=2, exposure_rate=0.02)
FIELDS = {"ts", "viewer", "ip", "method", "url", "status", "content_type"}
EMAIL = re.compile(r"[^\s<>\"'@:;,()\[\]]+@[^\s<>\"'@:;,()\[\]/]+\.[^\s<>\"'@:;,()\[\]/]+")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, LogSummary]:
    out = tmp_path_factory.mktemp("logs") / "logs"
    return out, write_logs(SPEC, out)


@pytest.fixture(scope="module")
def people() -> Customers:
    return derive(SPEC.seed, np.arange(N, dtype=np.int64))


def _records(out: Path) -> list[tuple[str, int, dict[str, object], str]]:
    rows = []
    for path in sorted(out.glob("*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, start=1):
                rec = json.loads(line)
                if "body_b64" in rec:
                    body = base64.b64decode(rec["body_b64"]).decode("utf-8", errors="replace")
                else:
                    body = rec["body"]
                rows.append((path.name, n, rec, body))
    return rows


def test_lines_follow_the_documented_format(
    corpus: tuple[Path, LogSummary], people: Customers
) -> None:
    out, summary = corpus
    ids = set(people.customer_id)
    records = _records(out)
    assert len(records) == summary.lines
    assert sum(p.stat().st_size for p in out.glob("*.jsonl")) == summary.bytes
    b64 = 0
    for _, _, rec, _ in records:
        assert rec.keys() >= FIELDS
        assert ("body" in rec) != ("body_b64" in rec)
        b64 += "body_b64" in rec
        assert datetime.fromisoformat(str(rec["ts"])).tzinfo is not None
        assert rec["viewer"] is None or rec["viewer"] in ids
        assert str(rec["url"]).startswith("https://shop.example.")
    assert b64 == summary.b64_lines > 0
    assert not list(out.glob("*truth*")), "the truth is kept outside the scanned folder"


def test_same_spec_writes_the_same_bytes(tmp_path: Path, corpus: tuple[Path, LogSummary]) -> None:
    out, _ = corpus
    again = write_logs(SPEC, tmp_path / "again", workers=2)
    for a in sorted(out.glob("*.jsonl")):
        assert (tmp_path / "again" / a.name).read_bytes() == a.read_bytes()
    assert Path(again.truth).read_text() == Path(str(out) + ".truth.jsonl").read_text()


def test_truth_is_exactly_what_was_planted(
    corpus: tuple[Path, LogSummary], people: Customers
) -> None:
    out, summary = corpus
    by_email = {normalise_email(e): i for i, e in enumerate(people.email)}
    truth = {(e.file, e.line): e for e in read_truth(Path(summary.truth))}
    assert len(truth) == summary.exposures > 0
    self_views = 0
    for file, n, rec, body in _records(out):
        shown = {by_email[e] for e in map(_norm, EMAIL.findall(body)) if e in by_email}
        viewer = rec["viewer"]
        others = {i for i in shown if people.customer_id[i] != viewer}
        self_views += len(shown) - len(others)
        exposure = truth.get((file, n))
        if exposure is None:
            assert not others, f"{file}:{n} shows a customer the truth does not list"
            continue
        assert [people.customer_id[i] for i in others] == [exposure.customer_id]
        i = next(iter(others))
        assert exposure.viewer == viewer and exposure.viewer != exposure.customer_id
        assert people.full_name[i] in body
        assert ("phone" in exposure.fields) == bool(
            people.phone_display[i] and people.phone_display[i] in body
        )
        ts = datetime.fromisoformat(exposure.ts)
        assert SPEC.window_start <= ts < SPEC.window_end
        assert exposure.ts == rec["ts"] and exposure.ip == rec["ip"]
    assert self_views == summary.self_views > 0
    assert summary.exposed_customers == len({e.customer_id for e in truth.values()})


def _norm(value: str) -> str:
    try:
        return normalise_email(value)
    except ValueError:
        return ""


def test_pages_carry_harmless_at_signs(corpus: tuple[Path, LogSummary]) -> None:
    out, _ = corpus
    text = (out / "responses-001.jsonl").read_text(encoding="utf-8")
    for harmless in ("@media", "@font-face", "@import", "help@shop.example", "@babel/runtime"):
        assert harmless in text
