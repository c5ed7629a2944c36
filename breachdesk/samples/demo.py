"""``python -m breachdesk.samples.demo --out DIR``: the whole day of a cache-bug leak, end to end.

In a fresh workspace inside DIR (SQLite ``DIR/breachdesk.db``, the embedded default):
``init``; generate ~200k customers and a few hundred MB of response logs in which a
cache bug served other customers' account pages for a few hours; ``registry
import``; ``scan``; check the findings against the planted ground truth; print the
scope. Then the later scenes (incident, notify, insider) run when their modules
are installed.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import inspect
import os
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.rule import Rule

from breachdesk.samples.customers import write_registry
from breachdesk.samples.weblogs import LogSpec, write_logs

console = Console(highlight=False)


def _cli(*argv: str) -> None:
    from breachdesk.cli.main import run

    console.print(f"[bold]$ breachdesk {' '.join(argv)}[/]")
    code = run(list(argv))
    if code == 3:  # done with problems (the planted bad rows): the result is stored
        console.print("[yellow](exit 3: done, with the problems listed above)[/]")
    elif code != 0:
        raise SystemExit(f"demo: `breachdesk {' '.join(argv)}` exited {code}")


def _step(title: str) -> None:
    console.print()
    console.print(Rule(f"[bold cyan]{title}[/]", align="left"))


def _scene(module: str, name: str) -> Callable[..., Any] | None:
    """The scene function when its module is installed, else None."""
    if importlib.util.find_spec(module) is None:
        return None
    fn = getattr(importlib.import_module(module), name, None)
    return fn if callable(fn) else None


def _call(fn: Callable[..., Any], available: dict[str, Any]) -> Any:
    """Call a scene with the arguments its signature names, from what the demo has."""
    params = inspect.signature(fn).parameters
    missing = [p for p in params if p not in available]
    if missing:
        console.print(f"[yellow]skipped {fn.__module__}: needs {', '.join(missing)}[/]")
        return None
    return fn(**{p: available[p] for p in params})


def _fresh(out: Path) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    workspace, db = out / ".breachdesk", out / "breachdesk.db"
    for old in (workspace, out / "data"):
        shutil.rmtree(old, ignore_errors=True)
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    os.environ["BREACHDESK_WORKSPACE"] = str(workspace)
    os.environ["BREACHDESK_DATABASE_URL"] = f"sqlite:///{db}"
    return workspace, db


def run_demo(out: Path, customers: int, log_mb: int, seed: int) -> None:
    started = time.perf_counter()
    out = out.resolve()
    workspace, db = _fresh(out)
    data = out / "data"
    console.print(f"[bold]breachdesk demo[/] — everything is written to {out}")

    _step("1. a fresh workspace")
    _cli("init")

    _step("2. sample data: a customer registry and three days of response logs")
    t = time.perf_counter()
    registry = data / "customers.csv"
    planted = write_registry(registry, customers, seed=seed)
    console.print(
        f"wrote {registry} — {customers:,} customers in 15 countries, "
        f"plus {len(planted)} deliberately bad rows ({time.perf_counter() - t:.1f} s)"
    )
    t = time.perf_counter()
    spec = LogSpec(
        customers=customers,
        size_bytes=log_mb * 1_000_000,
        seed=seed,
        files=2,
        exposure_rate=0.005,
    )
    logs = write_logs(spec, data / "logs", workers=os.cpu_count() or 1)
    console.print(
        f"wrote {len(logs.files)} response-log files — {logs.bytes / 1e6:,.0f} MB, "
        f"{logs.lines:,} responses ({time.perf_counter() - t:.1f} s). A cache bug from "
        f"{spec.window_start:%Y-%m-%d %H:%M} to {spec.window_end:%H:%M} UTC served "
        f"{logs.exposed_customers:,} customers' pages to others {logs.exposures:,} times "
        f"(ground truth: {logs.truth})"
    )

    _step("3. import the registry (bad rows go to the rejects file)")
    _cli("registry", "import", str(registry))

    _step("4. scan the logs")
    _cli("scan", str(data / "logs"))
    _cli("findings", "--limit", "3")
    _check(Path(logs.truth))

    _step("5. scope")
    from breachdesk.cli.context import open_store
    from breachdesk.settings import Settings

    cfg = Settings()
    incident_scene = _scene("breachdesk.samples.incident_scene", "run_incident_scene")
    notify_scene = _scene("breachdesk.samples.notify_scene", "run_notify_scene")
    insider_scene = _scene("breachdesk.samples.insider_scene", "run_insider_scene")
    with open_store(cfg) as store:
        available: dict[str, Any] = {
            "store": store,
            "cfg": cfg,
            "out_dir": out,
            "console": console,
        }
        if incident_scene is not None:
            result = _call(incident_scene, available)
            incident_id = getattr(result, "incident_id", result)
        else:
            incident_id = _open_incident(spec)
        available["incident_id"] = incident_id
        if notify_scene is not None and isinstance(incident_id, int):
            _step("6. notify")
            _call(notify_scene, available)
        if insider_scene is not None:
            _step("7. insider: an export leaks")
            _call(insider_scene, available)
    _step("8. answer: the portal and the dashboard")
    login, password = _operator(cfg)
    console.print()
    console.print(
        f"[bold green]demo finished in {time.perf_counter() - started:.0f} s.[/] "
        f"Everything is in {out}: the store {db}, the workspace {workspace}, "
        f"the sample data {data}."
    )
    console.print("\nTo answer customers and operators, serve the web app:")
    console.print(
        f"  BREACHDESK_WORKSPACE={workspace} BREACHDESK_DATABASE_URL=sqlite:///{db} "
        "breachdesk serve --host 127.0.0.1 --port 8080",
        soft_wrap=True,
    )
    console.print("  portal: http://127.0.0.1:8080/   dashboard: http://127.0.0.1:8080/dashboard")
    console.print(f"  operator login: {login} / {password}  (the password is shown only this once)")


def _operator(cfg: Any) -> tuple[str, str]:
    """An operator account for the dashboard, with a random password."""
    from breachdesk.cli.context import open_store
    from breachdesk.web.users import add_user, new_password

    password = new_password()
    with open_store(cfg) as store:
        add_user(store, "demo-dpo", password, "operator", "demo")
    console.print("created the dashboard operator demo-dpo (argon2id hash in the store)")
    return "demo-dpo", password


def _open_incident(spec: LogSpec) -> int:
    """Without the incident scene: open an incident, attach the scan, print its scope."""
    _cli(
        "incident",
        "open",
        "--title",
        "Account pages served from cache to other shoppers",
        "--cause",
        "technical-error",
        "--became-aware-at",
        "2026-11-22T09:30:00+00:00",
        "--window-start",
        spec.window_start.isoformat(),
        "--window-end",
        spec.window_end.isoformat(),
    )
    _cli("incident", "attach", "1", "--scan", "1")
    _cli("scope", "1")
    return 1


def _check(truth: Path) -> None:
    """Compare the findings with what the generator planted."""
    from breachdesk.cli.context import open_store
    from breachdesk.detect.findings import iter_findings
    from breachdesk.samples.accuracy import score
    from breachdesk.samples.weblogs import read_truth

    with open_store() as store:
        s = score(iter_findings(store), read_truth(truth))
    console.print(
        f"checked against the planted ground truth: {s.matched:,} of {s.planted:,} exposures "
        f"found (recall {s.recall:.2%}), {s.found - s.matched:,} false findings "
        f"(precision {s.precision:.2%}); viewer wrong {s.wrong_viewer}, fields wrong "
        f"{s.wrong_fields}"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m breachdesk.samples.demo", description=__doc__)
    ap.add_argument("--out", type=Path, default=Path("demo-out"), help="Folder to write to.")
    ap.add_argument("--customers", type=int, default=200_000)
    ap.add_argument("--log-mb", type=int, default=300, help="Size of the response logs in MB.")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    os.umask(0o077)  # the sample registry, logs, notices and mail are PII-shaped: private
    run_demo(args.out, args.customers, args.log_mb, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
