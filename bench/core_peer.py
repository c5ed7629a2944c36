"""``python -m bench.core_peer``: one worker in-process, this scanner against an older commit.

Both scan the same file with the same index, alternately, in fresh child processes
(``breachdesk.detect.worker.run_unit``: no CLI start-up, no store writes), with one
bare hyperscan pass of an email regex over the same bytes before them, so machine
load hits all three alike. Wall and CPU seconds are both recorded: on a shared
machine the CPU seconds are the figure that load does not inflate. The older tree is
exported with ``git archive`` (default: the commit before the compiled core). Prints
one JSON object.

    python -m bench.core_peer --ws bench/out/core/ws --key bench/out/core/bench.key FILE...
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = """
import json, sys, time, multiprocessing as mp
from breachdesk.detect.worker import init_worker, run_unit, Unit
from breachdesk.detect.formats import ScanOptions
key = bytes.fromhex(open(sys.argv[1]).read().strip())
init_worker(key, sys.argv[2], ScanOptions(), mp.Value("q", 0))
t = time.perf_counter(); c = time.process_time()
r = run_unit(Unit(0, sys.argv[3]))
print(json.dumps({"seconds": time.perf_counter() - t, "cpu": time.process_time() - c,
                  "bytes": r.bytes_read, "hits": len(r.hits), "self_views": r.self_views,
                  "unknown": r.unknown_emails}))
"""


def _run(tree: Path | None, key: Path, index: Path, file: Path) -> dict[str, float]:
    env = dict(os.environ)
    if tree is not None:
        env["PYTHONPATH"] = str(tree)
    cwd = str(tree) if tree is not None else None
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            CHILD,
            str(key.resolve()),
            str(index.resolve()),
            str(file.resolve()),
        ],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=cwd,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


HYPERSCAN = """
import json, sys, time
import hyperscan
from bench.anchors import BLOCK, EMAIL
db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
db.compile(expressions=[EMAIL + rb"\\.?[^A-Za-z0-9.\\-]"], ids=[1], flags=[0])
n = [0]
def on(*_):
    n[0] += 1
data = open(sys.argv[1], "rb").read()
t = time.perf_counter(); c = time.process_time()
for off in range(0, len(data), BLOCK):
    db.scan(data[off : off + BLOCK], match_event_handler=on)
print(json.dumps({"seconds": time.perf_counter() - t, "cpu": time.process_time() - c,
                  "bytes": len(data), "matches": n[0]}))
"""


def _hyperscan(file: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", HYPERSCAN, str(file.resolve())],
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("files", nargs="+", type=Path)
    ap.add_argument("--ws", type=Path, required=True)
    ap.add_argument("--key", type=Path, required=True)
    ap.add_argument("--old-ref", default="8f62043")
    ap.add_argument("--rounds", type=int, default=2)
    a = ap.parse_args(argv)
    old = Path(tempfile.mkdtemp(prefix="bd-old-"))
    archive = subprocess.run(
        ["git", "archive", a.old_ref, "breachdesk"], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
    result: dict[str, object] = {"old_ref": a.old_ref, "load_start": os.getloadavg()}
    for f in a.files:
        rows = []
        for _ in range(a.rounds):
            regex = _hyperscan(f)
            new = _run(None, a.key, a.ws / "index", f)
            before = _run(old, a.key, a.ws / "index", f) if a.old_ref else {}
            rows.append({"hyperscan": regex, "new": new, "old": before})
        result[f.name] = rows
    result["load_end"] = os.getloadavg()
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
