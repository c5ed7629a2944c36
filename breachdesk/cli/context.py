"""What every command needs: the settings, the console, and an opened, migrated store."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer

from breachdesk.errors import ExitCode, StrictModeError
from breachdesk.settings import Settings

if TYPE_CHECKING:  # imported when a store is opened: `scan` starts its workers first
    from rich.console import Console

    from breachdesk.store import Store

    console: Console
    err_console: Console


def __getattr__(name: str) -> Console:
    """``console`` and ``err_console``, made on first use: rich is not loaded before
    `scan` forks its workers (``from breachdesk.cli import context``, then
    ``context.console``)."""
    if name not in ("console", "err_console"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from rich.console import Console

    made = Console(stderr=name == "err_console", highlight=False)
    globals()[name] = made
    return made


def settings() -> Settings:
    return Settings.load()


@contextmanager
def open_store(cfg: Settings | None = None) -> Iterator[Store]:
    """Open the configured store, migrate it to the newest schema, and dispose afterwards."""
    from breachdesk.store import Store

    cfg = cfg or Settings.load()
    store = Store.open(cfg.database_url)
    try:
        store.migrate()
        yield store
    finally:
        store.dispose()


def finish(problems: int, what: str, strict: bool = False) -> None:
    """End a command whose result is stored: exit 3 when it met problems (1 under --strict)."""
    if not problems:
        return
    noun = "problem" if problems == 1 else "problems"
    if strict:
        raise StrictModeError(what, f"{problems:,} {noun} (--strict)")
    print(
        f"breachdesk: {what} done with {problems:,} {noun}; the rest is stored",
        file=sys.stderr,
    )
    raise typer.Exit(ExitCode.PROBLEMS)
