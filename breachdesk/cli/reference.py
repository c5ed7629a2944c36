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

from breachdesk.cli.main import root_command
from breachdesk.errors import ExitCode
from breachdesk.settings import Settings

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"


EXIT_CODES = [
    "## Exit codes",
    "",
    "Every command follows one convention (`breachdesk.errors.ExitCode`). An error is",
    "one line on stderr naming the file, record or option and what to do; never a",
    "traceback.",
    "",
    "| code | meaning |",
    "|---|---|",
    f"| {ExitCode.OK} | success |",
    f"| {ExitCode.FAILURE} | failure, or input problems under `--strict` |",
    f"| {ExitCode.USAGE} | usage error: unknown option, bad value (a negative count, "
    "`--max-record-mb 0`, a `BREACHDESK_*` variable that does not parse), a path that does "
    "not exist, an output that cannot be written |",
    f"| {ExitCode.PROBLEMS} | done with problems: the result was stored, and the problems "
    "(file, record, reason) are listed; e.g. a scan with unreadable files, an import with "
    "rejected rows or an empty file |",
    f"| {ExitCode.INTERRUPTED} | interrupted (Ctrl-C, SIGINT): a scan is recorded as "
    "`interrupted`, a send records how far it got; run the same command again, it is "
    "idempotent |",
    "",
    "Files a command creates (the SQLite store, exports, missing lists, previews, "
    "reports) are created 0600, and folders it creates 0700. Folders are created "
    "only for options that say so (`--out` of `report` and `notify preview`, "
    "`--charts`); a file option needs its folder to exist.",
    "",
]


def walk(cmd: Any, path: list[str] | None = None) -> list[tuple[list[str], Any]]:
    """Every command under ``cmd`` (loading lazy ones), as (path, command), sorted."""
    path = path or []
    out = [(path, cmd)]
    if hasattr(cmd, "list_commands"):
        ctx = typer.Context(cmd)
        for name in sorted(cmd.list_commands(ctx)):
            out.extend(walk(cmd.get_command(ctx, name), [*path, name]))
    return out


def _portable(default: object) -> str:
    """Defaults that point into the installed package, written relative to the repository."""
    return str(default).replace(str(REPO) + "/", "")


def render_cli() -> str:
    root = root_command()
    lines = [
        "# Command reference",
        "",
        "Generated from the code by `python -m breachdesk.cli.reference`.",
        "",
        *EXIT_CODES,
    ]
    for path, cmd in walk(root)[1:]:
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
        "Every setting is an environment variable with the `BREACHDESK_` prefix (any case), "
        "validated by pydantic (`breachdesk.settings.Settings`). A value that does not parse "
        "stops the command with exit 2 and one line naming the variable, never its value. "
        "Secrets are `SecretStr` and never printed.",
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
