from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from breachdesk.cli.main import run
from breachdesk.insider.access import modified_z, scan_access

START = datetime(2026, 3, 1, 8, tzinfo=UTC)
STAFF = [f"agent{i:02d}" for i in range(12)]


def write_log(path: Path, rng: random.Random, bulk: tuple[str, int, int] | None = None) -> Path:
    """Normal days: each agent touches 20-90 customers (some agents busier than others)."""
    lines = []
    for day in range(20):
        for i, emp in enumerate(STAFF):
            n = rng.randint(20, 60) + 3 * i  # steady per-person differences, daily noise
            if bulk and emp == bulk[0] and day == bulk[1]:
                n = bulk[2]
            for _ in range(n):
                ts = START + timedelta(days=day, minutes=rng.randint(0, 480))
                fields = ["name", "email"] if rng.random() < 0.3 else ["name", "orders"]
                if bulk and emp == bulk[0] and day == bulk[1]:
                    fields = ["email"]
                lines.append(
                    json.dumps(
                        {
                            "ts": ts.isoformat(),
                            "employee": emp,
                            "customer_id": f"C{rng.randint(0, 10**6)}",
                            "fields": fields,
                        }
                    )
                )
    lines.append("{not json")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_planted_bulk_pull_is_flagged_and_explained(tmp_path: Path) -> None:
    log = write_log(tmp_path / "access.jsonl", random.Random(3), bulk=("agent04", 13, 2500))
    report = scan_access([log])
    flagged = {(f.employee, f.day, f.measure) for f in report.flags}
    assert flagged == {
        ("agent04", "2026-03-14", "distinct_customers"),
        ("agent04", "2026-03-14", "email_pulls"),
    }
    text = report.flags[0].explain()
    assert "agent04 on 2026-03-14" in text and "own median" in text and "peers' median" in text
    assert report.problems and "line" in report.problems[0]


def test_normal_variation_is_left_alone(tmp_path: Path) -> None:
    for seed in range(5):
        log = write_log(tmp_path / f"normal{seed}.jsonl", random.Random(seed))
        assert scan_access([log]).flags == []


def test_cli_access_scan_json(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    log = write_log(tmp_path / "access.jsonl", random.Random(9), bulk=("agent07", 2, 900))
    assert run(["access", "scan", str(log), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {f["employee"] for f in out["flags"]} == {"agent07"}


@given(st.lists(st.integers(0, 1000), min_size=3, max_size=40), st.integers(0, 1000))
def test_modified_z_is_robust_and_ordered(sample: list[int], x: int) -> None:
    med, z = modified_z(x, sample)
    if x > med:
        assert z > 0
    elif x < med:
        assert z < 0
    else:
        assert z == 0
    # one huge outlier in the sample does not move the median comparison much
    med2, _ = modified_z(x, [*sample, 10**9])
    assert abs(med2 - med) <= max(sample) - min(sample)


def test_days_off_and_a_busier_part_timer_are_not_flagged(tmp_path: Path) -> None:
    rng = random.Random(21)
    log = write_log(tmp_path / "base.jsonl", rng)
    extra = []
    for day in range(0, 20, 3):  # works one day in three, a little busier on those days
        for _ in range(rng.randint(80, 110)):
            ts = START + timedelta(days=day, minutes=rng.randint(0, 480))
            rec = {
                "ts": ts.isoformat(),
                "employee": "parttime",
                "customer_id": f"C{rng.randint(0, 10**6)}",
                "fields": "name,email",
            }
            extra.append(json.dumps(rec))
    with log.open("a", encoding="utf-8") as fh:
        fh.write("\n".join(extra) + "\n")
    report = scan_access([log])
    assert report.employees == len(STAFF) + 1
    assert report.flags == []
