"""Build leaked files from an export the way leaks look: sampled, reordered, noisy."""

from __future__ import annotations

import csv
import random
from pathlib import Path

NOISE = [
    "found this on a forum lol, fresh list 2026",
    "contact support@help.example.org for removal",
    "random.person@unrelated.example.net,Someone Else,ZZ",
    "@media screen and (max-width: 600px) { body { margin: 0 } }",
    "",
]


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def leak_csv(
    rows: list[dict[str, str]],
    out: Path,
    columns: list[str],
    rng: random.Random,
    noise: int = 20,
) -> Path:
    """Write ``rows`` with ``columns`` in that order, no header, with noise: case changes,
    stray spaces, duplicated rows and unrelated lines mixed in."""
    lines = []
    for r in rows:
        cells = [r[c] for c in columns]
        if rng.random() < 0.2:  # shouting and stray spaces, as copied lists have
            cells = [f" {c.upper()} " for c in cells]
        lines.append(",".join(cells))
        if rng.random() < 0.1:  # the same person twice
            lines.append(lines[-1])
    lines += rng.choices(NOISE, k=noise)
    rng.shuffle(lines)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def sample(rows: list[dict[str, str]], fraction: float, rng: random.Random) -> list[dict[str, str]]:
    k = max(1, round(len(rows) * fraction))
    return rng.sample(rows, k)
