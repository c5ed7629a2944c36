"""Entry point: ``breachdesk``. Each area registers its commands from its own module.

Errors never reach the user as a traceback: a ``BreachdeskError`` prints one line
and exits 1 (2 for usage errors); a click usage error prints one line and exits 2.
"""

from __future__ import annotations

import sys

import typer

# Typer >= 0.29 vendors click; its exceptions live in typer's own module.
from typer._click.exceptions import ClickException, NoArgsIsHelpError
from typer._click.exceptions import UsageError as ClickUsageError

from breachdesk.errors import BreachdeskError

app = typer.Typer(
    name="breachdesk",
    help="Scope, decide and notify on the day customer data leaks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register() -> None:
    from breachdesk.cli import audit as audit_cli
    from breachdesk.cli import exports as exports_cli
    from breachdesk.cli import incident as incident_cli
    from breachdesk.cli import law as law_cli
    from breachdesk.cli import notify as notify_cli
    from breachdesk.cli import obligations as obligations_cli
    from breachdesk.cli import registry as registry_cli
    from breachdesk.cli import report as report_cli
    from breachdesk.cli import risk as risk_cli
    from breachdesk.cli import scan as scan_cli
    from breachdesk.cli import scope as scope_cli
    from breachdesk.cli import workspace as workspace_cli

    workspace_cli.register(app)
    registry_cli.register(app)
    scan_cli.register(app)
    audit_cli.register(app)
    incident_cli.register(app)
    scope_cli.register(app)
    risk_cli.register(app)
    obligations_cli.register(app)
    law_cli.register(app)
    report_cli.register(app)
    exports_cli.register(app)
    notify_cli.register(app)
    __import__("breachdesk.cli.web", fromlist=["register"]).register(app)


_register()


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and return the exit code (used by the console script and the tests)."""
    command = typer.main.get_command(app)
    try:
        code = command.main(args=argv, prog_name="breachdesk", standalone_mode=False)
        if isinstance(code, int):  # click returns typer.Exit's code when not standalone
            return code
    except NoArgsIsHelpError:
        return 0
    except typer.Exit as exc:
        return int(exc.exit_code)
    except typer.Abort:
        print("breachdesk: aborted", file=sys.stderr)
        return 130
    except ClickUsageError as exc:
        print(f"breachdesk: usage error: {exc.format_message()}", file=sys.stderr)
        return 2
    except ClickException as exc:
        print(f"breachdesk: error: {exc.format_message()}", file=sys.stderr)
        return exc.exit_code
    except BreachdeskError as exc:
        print(f"breachdesk: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("breachdesk: interrupted", file=sys.stderr)
        return 130
    return 0


def main() -> None:
    sys.exit(run())


if __name__ == "__main__":
    main()
