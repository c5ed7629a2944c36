"""Every committed seed (small valid files and each crash issue 12 listed) goes through
its target: the regression suite of the fuzzing. The atheris runs themselves are
``python -m tests.fuzz.run`` (``make test`` bounded, ``make fuzz`` longer)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fuzz.targets import TARGETS

CASES = [(name, seed) for name, t in TARGETS.items() for seed in sorted(t.seeds.iterdir())]


def test_every_target_has_seeds_and_crash_cases() -> None:
    for name, target in TARGETS.items():
        files = [p.name for p in target.seeds.iterdir()]
        assert len(files) >= 4, name
        assert any(f.startswith("crash-") for f in files), name


@pytest.mark.parametrize(("target", "seed"), CASES, ids=[f"{n}/{s.name}" for n, s in CASES])
def test_seed(target: str, seed: Path) -> None:
    TARGETS[target].one(seed.read_bytes())
