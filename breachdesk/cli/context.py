"""What every command needs: the settings, the console, and an opened, migrated store."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console

from breachdesk.settings import Settings
from breachdesk.store import Store

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


def settings() -> Settings:
    return Settings()


@contextmanager
def open_store(cfg: Settings | None = None) -> Iterator[Store]:
    """Open the configured store, migrate it to the newest schema, and dispose afterwards."""
    cfg = cfg or Settings()
    store = Store.open(cfg.database_url)
    try:
        store.migrate()
        yield store
    finally:
        store.dispose()
