"""CLI start-up: wall time of ``breachdesk --help``, ``scans`` and ``incident list``
against a bare ``python -c pass`` from the same venv, best of N, in one run.

    .venv/bin/python -m bench.cli_startup [--runs 15]

Each command runs in a fresh process on a small migrated SQLite workspace (made
first, not timed). Figures and the ratio to the bare interpreter go to stdout as a
Markdown table for bench/RESULTS.md; the load average is printed with them.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def best(argv: list[str], runs: int, env: dict[str, str], cwd: str) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - t)
    times.sort()
    return times[0], times[len(times) // 2]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="bd-startup-")
    env = dict(os.environ, BREACHDESK_WORKSPACE=f"{work}/ws", COLUMNS="100")
    bd = str(BIN / "breachdesk")
    subprocess.run([bd, "init"], env=env, cwd=work, stdout=subprocess.DEVNULL, check=True)
    load = os.getloadavg()
    base, base_med = best([sys.executable, "-c", "pass"], args.runs, env, work)
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; runs: {args.runs}")
    print("| command | best (s) | median (s) | best / bare python | target |")
    print("|---|---|---|---|---|")
    print(f"| `python -c pass` | {base:.3f} | {base_med:.3f} | 1.0x | |")
    floor = "import typer, rich.table, sqlalchemy.orm, pydantic"
    b, m = best([sys.executable, "-c", floor], args.runs, env, work)
    print(
        f"| `python -c '{floor}'` (floor of a store command) | {b:.3f} | {m:.3f} "
        f"| {b / base:.1f}x | |"
    )
    for argv, target in (
        (["--help"], "15x"),
        (["scans"], "25x"),
        (["incident", "list"], "25x"),
    ):
        b, m = best([bd, *argv], args.runs, env, work)
        print(f"| `breachdesk {' '.join(argv)}` | {b:.3f} | {m:.3f} | {b / base:.1f}x | {target} |")
    load = os.getloadavg()
    print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
