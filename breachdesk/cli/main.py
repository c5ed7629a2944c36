"""Entry point: ``breachdesk``. Commands load lazily, so start-up stays fast.

``COMMANDS`` names every top-level command, the module under ``breachdesk.cli`` that
registers it, and its one-line help. ``--help`` is drawn from that table alone; a
command's module (and the libraries it needs: SQLAlchemy, the scanner, matplotlib,
WeasyPrint...) is imported only when that command runs. A test checks the table
against the modules, so the help shown here cannot drift from the commands.

Adding commands: write ``breachdesk/cli/<area>.py`` with ``register(app)`` and add one
line per command it registers to ``COMMANDS``.

Exit codes (documented in docs/cli.md): 0 success; 1 failure (or problems under
``--strict``); 2 usage error; 3 done with problems, a partial result was stored;
130 interrupted. Errors never reach the user as a traceback.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any, NamedTuple

import typer
from typer import _click
from typer._click.exceptions import ClickException, NoArgsIsHelpError
from typer._click.exceptions import UsageError as ClickUsageError
from typer.core import TyperCommand, TyperGroup

from breachdesk.errors import BreachdeskError, ExitCode


class Entry(NamedTuple):
    name: str  # the command as typed
    module: str  # breachdesk.cli.<module> has register(app)
    help: str  # first line of the command's help


# fmt: off
COMMANDS: tuple[Entry, ...] = (
    Entry("init", "workspace", "Create the workspace (secret key 0600, entities.yaml) and migrate the store."),  # noqa: E501
    Entry("registry", "registry", "The customer registry and its keyed matching index."),
    Entry("scan", "scan", "Find exposed customers in response logs (JSONL, HAR, WARC) and any text file."),  # noqa: E501
    Entry("findings", "scan", "List findings, export them as JSONL, or retract wrong ones."),
    Entry("scans", "scan", "List scan runs, or every problem one scan met."),
    Entry("export", "exports", "Write a customer extract with canaries blended in, and register it."),  # noqa: E501
    Entry("attribute", "exports", "Find registry customers and canaries in a leaked list, and name its source export(s)."),  # noqa: E501
    Entry("tripwire", "exports", "Run the SMTP tripwire: mail to a canary raises an alert; others are refused."),  # noqa: E501
    Entry("access", "exports", "Employee data-access anomalies."),
    Entry("incident", "incident", "Open, attach to, move and inspect incidents."),
    Entry("scope", "scope", "Who is affected, where, which data elements, when, and seen by how many."),  # noqa: E501
    Entry("risk", "risk", "ENISA 2013 severity SE = DPC x EI + CB, each input explained; overrides are audited."),  # noqa: E501
    Entry("obligations", "obligations", "Assess the incident, store each obligation with its status, and list them."),  # noqa: E501
    Entry("obligation", "obligations", "Change the status of an obligation."),
    Entry("assess", "law", "Who must be told, by whom and by when, for a hypothetical incident. No store is used."),  # noqa: E501
    Entry("rules", "law", "Validate every rules file and list what each covers (fails on the first bad file)."),  # noqa: E501
    Entry("report", "report", "Write a numbered report for one obligation (Markdown, JSON, PDF with charts); audited."),  # noqa: E501
    Entry("register", "report", "The breach register (GDPR Art. 33(5))."),
    Entry("notify", "notify", "Render, approve and deliver customer notices."),
    Entry("audit", "audit", "The hash-chained audit log."),
    Entry("serve", "web", "Serve the customer portal, the operator dashboard and the range API."),
    Entry("user", "web", "Operator accounts of the web dashboard."),
    Entry("passwords", "web", "Leaked-password hashes for the range API."),
)
# fmt: on


def load_module_commands(module: str) -> dict[str, _click.Command]:
    """Import ``breachdesk.cli.<module>`` and return the click commands it registers."""
    mod = importlib.import_module(f"breachdesk.cli.{module}")
    sub = typer.Typer()
    mod.register(sub)
    return dict(typer.main.get_group(sub).commands)


class _Commands(dict[str, _click.Command]):
    """``group.commands[name]`` loads a lazy command too (for code written for click)."""

    def __init__(self, group: LazyGroup, loaded: dict[str, _click.Command]) -> None:
        super().__init__(loaded)
        self.group = group

    def __missing__(self, name: str) -> _click.Command:
        cmd = self.group.load(name)
        if cmd is None:
            raise KeyError(name)
        return cmd


class LazyGroup(TyperGroup):
    """A group that lists commands from ``COMMANDS`` and imports one only to run it."""

    table: tuple[Entry, ...] = COMMANDS

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self._listing = False
        self._by_name = {e.name: e for e in self.table}
        self._loaded = _Commands(self, dict(self.commands))
        self.commands = self._loaded

    def load(self, cmd_name: str) -> _click.Command | None:
        """Import the module of ``cmd_name`` and keep every command it registers."""
        entry = self._by_name.get(cmd_name)
        if entry is None:
            return None
        for name, cmd in load_module_commands(entry.module).items():
            self._loaded.setdefault(name, cmd)  # (setdefault and get never load)
        return self._loaded.get(cmd_name)

    def list_commands(self, ctx: _click.Context) -> list[str]:
        extra = [n for n in self.commands if n not in self._by_name]
        return [e.name for e in self.table] + extra

    def get_command(self, ctx: _click.Context, cmd_name: str) -> _click.Command | None:
        if cmd_name in self._loaded:
            return self._loaded.get(cmd_name)
        entry = self._by_name.get(cmd_name)
        if entry is None:
            return None
        if self._listing:  # --help of the root: the table's line is enough
            return TyperCommand(name=cmd_name, help=entry.help)
        return self.load(cmd_name)

    def format_help(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False

    def resolve_command(
        self, ctx: _click.Context, args: list[str]
    ) -> tuple[str | None, _click.Command | None, list[str]]:
        try:
            return self._click_resolve_command(ctx, args)
        except ClickUsageError as e:
            from difflib import get_close_matches

            matches = get_close_matches(args[0], list(self._by_name)) if args else []
            if matches:
                suggestions = ", ".join(repr(m) for m in matches)
                e.message = f"{e.message.rstrip('.')}. Did you mean {suggestions}?"
            raise


app = typer.Typer(
    cls=LazyGroup,
    name="breachdesk",
    help="Scope, decide and notify on the day customer data leaks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """Scope, decide and notify on the day customer data leaks."""


def root_command() -> LazyGroup:
    """The click group behind ``breachdesk`` (for the docs renderer and the tests)."""
    group = typer.main.get_command(app)
    assert isinstance(group, LazyGroup)
    return group


def _say(message: str) -> None:
    """One line on stderr: newlines inside a message are flattened."""
    print("breachdesk: " + " ".join(message.split()), file=sys.stderr)


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and return the exit code (used by the console script and the tests).

    Files and folders a command creates hold PII (the store, exports, missing lists,
    previews, reports), so they are created private: umask 077 gives files 0600 and
    folders 0700 while the command runs. SIGINT always interrupts (exit 130).
    """
    old_umask = os.umask(0o077)
    _interruptible()
    try:
        return _run(argv)
    finally:
        os.umask(old_umask)


def _interruptible() -> None:
    """Ctrl-C/SIGINT interrupts, even when the parent left SIGINT ignored (a job started
    in the background by a script, some process managers): the work is then recorded as
    interrupted instead of running on, or being killed unrecorded."""
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.default_int_handler)


def _run(argv: list[str] | None) -> int:
    command = root_command()
    try:
        rv = command.main(args=argv, prog_name="breachdesk", standalone_mode=False)
    except NoArgsIsHelpError:
        return ExitCode.OK
    except typer.Exit as exc:
        return int(exc.exit_code)
    except typer.Abort:
        _say("interrupted")
        return ExitCode.INTERRUPTED
    except ClickUsageError as exc:
        _say(f"usage error: {exc.format_message()}")
        return ExitCode.USAGE
    except ClickException as exc:
        _say(f"error: {exc.format_message()}")
        return exc.exit_code
    except BreachdeskError as exc:
        kinds = {ExitCode.USAGE: "usage error", ExitCode.INTERRUPTED: "interrupted"}
        kind = kinds.get(exc.exit_code, "error")  # type: ignore[call-overload]
        _say(f"{kind}: {exc}")
        return exc.exit_code
    except KeyboardInterrupt:
        _say("interrupted")
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        return ExitCode.OK
    except OSError as exc:  # a file the checks could not foresee (disk full, lost mount)
        where = f"{exc.filename}: " if exc.filename else ""
        _say(f"error: {where}{exc.strerror or exc}")
        return ExitCode.FAILURE
    except Exception as exc:  # a bug: one line, the traceback only on request
        if os.environ.get("BREACHDESK_DEBUG"):
            raise
        _say(
            f"internal error: {type(exc).__name__}: {exc} "
            "(a bug; run again with BREACHDESK_DEBUG=1 for the traceback and report it)"
        )
        return ExitCode.FAILURE
    return rv if isinstance(rv, int) else ExitCode.OK


def main() -> None:
    # pydantic looks for plugins through every installed package's entry points when it
    # first validates (about 10 ms, and importlib.metadata with it); breachdesk uses none
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    code = run()
    # The work is done and stored. At exit the interpreter would run one last cyclic
    # collection over every object the command's libraries made (about 0.1 s for a
    # scan); frozen objects are skipped. Files, connections and atexit handlers are
    # closed as usual: nothing that holds data waits for that collection.
    import gc

    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    main()
