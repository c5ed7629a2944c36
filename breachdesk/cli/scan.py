"""``breachdesk scan`` and ``breachdesk findings`` (filled in with the scanner)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    del app
