"""A rich progress bar with live counters around ``deliver`` (used by the CLI and the demo)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from breachdesk.notify.sender import Progress as SendProgress
from breachdesk.notify.sender import Sender, SendOptions
from breachdesk.notify.spec import TEMPLATES_DIR
from breachdesk.settings import Settings
from breachdesk.store import Store


def deliver_with_progress(
    store: Store,
    cfg: Settings,
    incident_id: int,
    opts: SendOptions,
    console: Console,
    templates: Path = TEMPLATES_DIR,
    bar: bool = True,
) -> SendProgress:
    sender = Sender(store, cfg, incident_id, opts, templates)  # checks approval first
    if not bar:
        return asyncio.run(sender.run())
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("sending", total=None)

        def update(p: SendProgress) -> None:
            progress.update(
                task,
                total=p.total,
                completed=p.done_before + p.sent + p.failed,
                description=f"sent {p.sent} · retrying {p.retried} · failed {p.failed} · "
                f"in flight {p.in_flight}",
            )

        sender.on_progress = update
        return asyncio.run(sender.run())


def summary(incident_id: int, p: SendProgress) -> str:
    states = ", ".join(f"{k} {v}" for k, v in sorted(p.states.items()))
    return f"incident {incident_id}: this run sent {p.sent}, failed {p.failed}; now {states}"
