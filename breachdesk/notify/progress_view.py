"""A rich progress bar with live counters around ``deliver`` (used by the CLI and the demo),
and what a run's outcome says to the user: the summary, each failure reason with its
count, why the run stopped, and the exit code (0 all done, 3 some sent and some not,
1 nothing could be sent)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from breachdesk.errors import BreachdeskError
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
    sender.on_event = lambda text: console.print(f"[yellow]{escape(text)}[/]", soft_wrap=True)
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


def problems(incident_id: int, p: SendProgress) -> list[str]:
    """One line per reason the run did not reach everyone (empty when it did)."""
    lines = [f"failed {n}: {reason}" for reason, n in p.failures.most_common()]
    left = p.states.get("pending", 0) + p.states.get("sending", 0)
    if p.stopped:
        lines.append(
            f"stopped: {p.stopped}; {left} notices not sent (still pending); "
            f"run `breachdesk notify send {incident_id}` again once that is fixed"
        )
    elif left:
        lines.append(
            f"not finished: {left} notices still pending (a temporary failure's backoff or "
            f"another sender's lease); run `breachdesk notify send {incident_id}` again"
        )
    if p.failures:
        lines.append(
            f"who: `breachdesk notify missing {incident_id} --out missing.csv`; after a fix, "
            f"`breachdesk notify resend {incident_id} --missing`"
        )
    return lines


class NotDelivered(BreachdeskError):
    """A send run that left customers without their notice: exit 3 when some were sent
    this run, 1 when none was (the reasons were printed just before)."""

    def __init__(self, incident_id: int, p: SendProgress) -> None:
        self.exit_code = exit_code(p)
        left = p.states.get("pending", 0) + p.states.get("sending", 0)
        super().__init__(
            f"incident {incident_id}: this run sent {p.sent}; {p.failed} failed and "
            f"{left} not sent yet (reasons above)"
        )


def exit_code(p: SendProgress) -> int:
    """0 when nothing is left undone, 3 when some were sent and some not, 1 when none was."""
    left = p.states.get("pending", 0) + p.states.get("sending", 0)
    if not (p.failed or p.stopped or left):
        return 0
    return 3 if p.sent else 1
