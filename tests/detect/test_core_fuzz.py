"""The compiled core under AddressSanitizer and UBSan, fuzzed for a bounded time.

The harness (``_native/fuzz_core.c``) is built with gcc, or with clang's libFuzzer where
``BREACHDESK_LIBFUZZER=1``. ``BREACHDESK_FUZZ_SECONDS`` sets the budget (20 s by default;
``make fuzz-core`` runs it for 5 minutes).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

import breachdesk.detect

NATIVE = Path(breachdesk.detect.__file__).parent / "_native"
SANITIZE = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-fno-omit-frame-pointer"]


def build(out: Path) -> Path:
    cc = shutil.which("gcc") or shutil.which("cc")
    if cc is None:
        pytest.fail("no C compiler: the core cannot be built or fuzzed")
    exe = out / "fuzz_core"
    cmd = [cc, "-g", "-O1", "-std=c11", "-DBD_FUZZ_DRIVER", *SANITIZE]
    core = sorted(str(p) for p in NATIVE.glob("bd_*.c") if p.name != "bd_module.c")
    cmd += [str(NATIVE / "fuzz_core.c"), *core, "-o", str(exe)]
    subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=120)
    return exe


def test_fuzz_core_finds_no_crash_and_no_sanitizer_report(tmp_path: Path) -> None:
    seconds = float(os.environ.get("BREACHDESK_FUZZ_SECONDS", "20"))
    exe = build(tmp_path)
    env = dict(
        os.environ,
        ASAN_OPTIONS="detect_leaks=1:abort_on_error=0",
        UBSAN_OPTIONS="print_stacktrace=1",
    )
    done = subprocess.run(
        [str(exe), str(seconds), str(os.getpid())],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        env=env,
    )
    report = done.stderr[-4000:]
    assert done.returncode == 0, report
    assert "Sanitizer" not in done.stderr and "runtime error" not in done.stderr, report
    runs = int(done.stdout.split("fuzz-core: ", 1)[1].split()[0])
    assert runs > 1000, done.stdout
