"""``breachdesk init``: create the workspace, its secret key, entities.yaml and the store."""

from __future__ import annotations

import typer

from breachdesk.cli.context import console, open_store, settings
from breachdesk.workspace import init_workspace


def init() -> None:
    """Create the workspace (secret key 0600, entities.yaml) and migrate the store."""
    cfg = settings()
    result = init_workspace(cfg)
    with open_store(cfg):
        pass
    key = "created (mode 0600)" if result.key_created else "kept (already present)"
    console.print(f"workspace  {result.workspace}")
    console.print(f"secret key {key}")
    ent = "seeded" if result.entities_created else "kept"
    console.print(f"entities   {cfg.entities_path} ({ent})")
    console.print(f"store      {cfg.database_url}")


def register(app: typer.Typer) -> None:
    app.command("init")(init)
