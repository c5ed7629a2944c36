"""Render the CLI reference (``docs/cli.md``) and the settings reference from the code.

``python -m breachdesk.cli.reference`` rewrites both files; a test fails when the
committed files differ from what the code would render, so no command, option or
setting can go undocumented.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from breachdesk.cli.main import app
from breachdesk.settings import Settings

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"


def _walk(cmd: Any, path: list[str]) -> list[tuple[list[str], Any]]:
    out = [(path, cmd)]
    subs = getattr(cmd, "commands", None)
    if subs:
        for name in sorted(subs):
            out.extend(_walk(subs[name], [*path, name]))
    return out


def _portable(default: object) -> str:
    """Defaults that point into the installed package, written relative to the repository."""
    return str(default).replace(str(REPO) + "/", "")


def render_cli() -> str:
    root = typer.main.get_command(app)
    lines = [
        "# Command reference",
        "",
        "Generated from the code by `python -m breachdesk.cli.reference`.",
        "",
    ]
    for path, cmd in _walk(root, [])[1:]:
        if getattr(cmd, "hidden", False):
            continue
        title = "breachdesk " + " ".join(path)
        lines += [f"## `{title}`", ""]
        help_text = (cmd.help or "").strip().split("\n\n")[0].replace("\n", " ")
        if help_text:
            lines += [help_text, ""]
        rows = []
        for p in cmd.params:
            if p.name == "help":
                continue
            names = (
                ", ".join(f"`{o}`" for o in p.opts)
                if p.param_type_name == "option"
                else f"`{p.name.upper()}`"
            )
            kind = "argument" if p.param_type_name == "argument" else "option"
            desc = (getattr(p, "help", None) or "").replace("|", "\\|").replace("\n", " ")
            default = (
                p.default
                if p.param_type_name == "option" and p.default not in (None, False, (), [])
                else ""
            )
            rows.append(f"| {names} | {kind} | {desc} | {_portable(default)} |")
        if rows:
            lines += ["| name | kind | meaning | default |", "|---|---|---|---|", *rows, ""]
    return "\n".join(lines).rstrip() + "\n"


def render_settings() -> str:
    lines = [
        "# Configuration",
        "",
        "Every setting is an environment variable with the `BREACHDESK_` prefix "
        "(pydantic `BaseSettings`). Secrets are `SecretStr` and never printed.",
        "Generated from the code by `python -m breachdesk.cli.reference`.",
        "",
        "| variable | default | meaning |",
        "|---|---|---|",
    ]
    for name, field in Settings.model_fields.items():
        default = field.default if field.default is not None else ""
        if field.annotation is not None and "SecretStr" in str(field.annotation):
            default = "(secret)"
        desc = (field.description or "").replace("|", "\\|")
        lines.append(f"| `BREACHDESK_{name.upper()}` | `{default}` | {desc} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    (DOCS / "cli.md").write_text(render_cli(), encoding="utf-8")
    (DOCS / "configuration.md").write_text(render_settings(), encoding="utf-8")
    print(f"wrote {DOCS / 'cli.md'} and {DOCS / 'configuration.md'}", file=sys.stderr)


if __name__ == "__main__":
    main()
