"""Run a command and measure it: wall time and the peak memory of its whole process tree.

Memory is sampled from /proc every ``interval`` seconds: the sum of RSS over the
process and all its descendants (shared pages such as the memory-mapped index are
counted once per process, so this overstates), the sum of PSS (shared pages split
between the processes that map them: the honest total), and the largest single RSS.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Measured:
    seconds: float
    returncode: int
    stdout: str
    stderr: str
    peak_rss: int = 0  # bytes, summed over the tree
    peak_pss: int = 0  # bytes, summed over the tree
    peak_single_rss: int = 0


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry.name}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _tree(root: int) -> list[int]:
    kids = _children()
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(kids.get(pid, []))
    return out


def _kb(path: str, field: str) -> int:
    try:
        with open(path) as fh:
            for line in fh:
                if line.startswith(field):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def run_measured(
    cmd: list[str], env: dict[str, str] | None = None, interval: float | None = 0.1
) -> Measured:
    """``interval=None``: time only. Sampling /proc costs CPU (a walk of every process
    and the tree's smaps) that a 2-core machine takes from the command being timed."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if interval is None:
        out, err = proc.communicate()
        return Measured(time.perf_counter() - started, proc.returncode, out, err)
    peaks = {"rss": 0, "pss": 0, "single": 0}
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            rss = pss = single = 0
            for pid in _tree(proc.pid):
                r = _kb(f"/proc/{pid}/status", "VmRSS:")
                rss += r
                single = max(single, r)
                pss += _kb(f"/proc/{pid}/smaps_rollup", "Pss:")
            peaks["rss"] = max(peaks["rss"], rss)
            peaks["pss"] = max(peaks["pss"], pss)
            peaks["single"] = max(peaks["single"], single)
            done.wait(interval)

    poller = threading.Thread(target=sample, daemon=True)
    poller.start()
    out, err = proc.communicate()
    seconds = time.perf_counter() - started
    done.set()
    poller.join()
    return Measured(seconds, proc.returncode, out, err, peaks["rss"], peaks["pss"], peaks["single"])
