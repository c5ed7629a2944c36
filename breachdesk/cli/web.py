"""``breachdesk serve``, ``breachdesk user add`` and ``breachdesk passwords import``.

The web stack (FastAPI, uvicorn, argon2) is imported inside the commands, so
``breachdesk --help`` does not pay for it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from breachdesk.cli.context import console, err_console, open_store, settings
from breachdesk.errors import UsageError

user_app = typer.Typer(help="Operator accounts of the web dashboard.", no_args_is_help=True)
passwords_app = typer.Typer(help="Leaked-password hashes for the range API.", no_args_is_help=True)


def serve_cmd(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", help="Port to listen on.", min=1, max=65535)
    ] = 8080,
    proxy_headers: Annotated[
        bool,
        typer.Option(help="Trust X-Forwarded-For/-Proto from a local reverse proxy (TLS)."),
    ] = False,
) -> None:
    """Serve the customer portal, the operator dashboard and the range API."""
    import uvicorn

    from breachdesk.web.app import create_app

    cfg = settings()
    with open_store(cfg) as store:
        app = create_app(cfg, store, run_worker=True)
        console.print(f"breachdesk web on http://{host}:{port}/ (dashboard: /dashboard)")
        uvicorn.run(
            app,
            host=host,
            port=port,
            proxy_headers=proxy_headers,
            forwarded_allow_ips="127.0.0.1" if proxy_headers else None,
            access_log=False,  # paths carry no PII, but keep the log to the app's own lines
            log_level="warning",
        )


@user_app.command("add")
def user_add_cmd(
    username: Annotated[str, typer.Argument(help="The operator's user name.")],
    role: Annotated[str, typer.Option("--role", help="operator (may act) or viewer.")] = "viewer",
    password: Annotated[
        str | None,
        typer.Option(
            "--password",
            help="Leave out to be asked (or to get a random one printed once).",
            envvar="BREACHDESK_NEW_PASSWORD",
        ),
    ] = None,
    generate: Annotated[
        bool, typer.Option("--generate", help="Make a random password and print it once.")
    ] = False,
) -> None:
    """Create a dashboard account (argon2id password hash; audited)."""
    from breachdesk.store.audit import default_actor
    from breachdesk.web.users import add_user, new_password

    if generate:
        password = new_password()
    elif password is None:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    cfg = settings()
    with open_store(cfg) as store:
        add_user(store, username, password, role, default_actor(cfg))
    console.print(f"user {username} ({role}) added")
    if generate:
        console.print(f"password (shown once): {password}")


@passwords_app.command("import")
def passwords_import_cmd(
    files: Annotated[
        list[Path],
        typer.Argument(help="HIBP downloader files or folders (HASH:COUNT lines).", exists=True),
    ],
) -> None:
    """Import SHA-1/NTLM hash files as the HIBP downloader writes them."""
    from breachdesk.web.range_api.importer import import_hash_files

    for path in files:
        if not path.exists():
            raise UsageError(f"{path}: no such file or folder")
    cfg = settings()
    with open_store(cfg) as store:
        result = import_hash_files(store, files)
    for p in result.problems[:50]:
        err_console.print(f"[yellow]problem[/] {p}", soft_wrap=True)
    if len(result.problems) > 50:
        err_console.print(f"... and {len(result.problems) - 50} more problems")
    counts = ", ".join(f"{n:,} {m}" for m, n in sorted(result.hashes.items())) or "no hashes"
    console.print(f"imported {counts} from {result.files} files")
    if result.problems:
        raise typer.Exit(3)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_cmd)
    app.add_typer(user_app, name="user")
    app.add_typer(passwords_app, name="passwords")
