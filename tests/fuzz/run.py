"""Run the fuzz targets under atheris for a bounded time each.

    python -m tests.fuzz.run --seconds 60 --seed 1   # every target, reproducible (make test)
    python -m tests.fuzz.run --seconds 600 scanner   # longer, one target, random (make fuzz)

Each target runs in its own process, starting from its committed seed corpus
(tests/fuzz/corpus/<target>/, read only) plus a scratch corpus; a crash leaves
its input under bench/out/fuzz/ and the run exits 1.

With ``--seed`` the run is reproducible: libFuzzer's seed is fixed, each target
stops after its own number of inputs (``Target.runs``, about 20 s here) and
``PYTHONHASHSEED`` is fixed, so CI explores exactly the inputs a developer's
``make test`` explored; ``--seconds`` is then only a ceiling. Open-ended search
for new crashes is ``make fuzz``, with a random seed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[2] / "bench" / "out" / "fuzz"


def fuzz_one(name: str, seconds: int, seed: int | None) -> None:
    """In this process: instrument the target's modules and let atheris drive it."""
    import atheris

    from tests.fuzz import targets

    target = targets.TARGETS[name]
    with atheris.instrument_imports(include=list(target.instrument)):
        for module in target.instrument:
            __import__(module)
    targets.workspace()
    scratch = tempfile.mkdtemp(prefix=f"bd-fuzz-{name}-")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    argv = [
        sys.argv[0],
        scratch,
        str(target.seeds),
        f"-max_total_time={seconds}",
        "-timeout=20",
        "-rss_limit_mb=3072",
        "-max_len=65536",
        f"-artifact_prefix={ARTIFACTS}/{name}-",
        "-print_final_stats=1",
    ]
    if seed is not None:
        argv += [f"-seed={seed}", f"-runs={target.runs}"]
    atheris.Setup(argv, target.one)
    atheris.Fuzz()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("targets", nargs="*", help="default: all")
    ap.add_argument("--seconds", type=int, default=20, help="per target (a ceiling with --seed)")
    ap.add_argument("--seed", type=int, help="reproducible: this seed and each target's run count")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        fuzz_one(args.one, args.seconds, args.seed)
        return 0
    from tests.fuzz.targets import TARGETS

    names = args.targets or list(TARGETS)
    failed = []
    seeded = [] if args.seed is None else ["--seed", str(args.seed)]
    env = dict(os.environ, PYTHONHASHSEED="0") if args.seed is not None else None
    for name in names:
        started = time.monotonic()
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "tests.fuzz.run",
                "--one",
                name,
                "--seconds",
                str(args.seconds),
                *seeded,
            ],
            capture_output=True,
            text=True,
            env=env,
        )
        runs = [ln for ln in proc.stderr.splitlines() if "stat::number_of_executed_units" in ln]
        took = time.monotonic() - started
        status = "ok" if proc.returncode == 0 else f"CRASH (exit {proc.returncode})"
        count = runs[-1].split(":")[-1].strip() if runs else "?"
        print(f"fuzz {name:9} {status:16} {count:>8} inputs in {took:5.1f} s", flush=True)
        if proc.returncode != 0:
            failed.append(name)
            # atheris prints the Python traceback on stdout, libFuzzer's report on stderr
            print("\n".join(proc.stdout.splitlines()[-30:]), file=sys.stderr)
            print("\n".join(proc.stderr.splitlines()[-15:]), file=sys.stderr)
    if failed:
        print(f"fuzz: crashes in {', '.join(failed)}; inputs under {ARTIFACTS}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
