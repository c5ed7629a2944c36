"""Fast start: the CLI imports an area only when one of its commands runs.

A timing would be flaky on a shared machine, so this guards the cause instead: the
heavy libraries are not imported by ``breachdesk.cli.main`` nor by ``--help``.
The figures are in bench/RESULTS.md ("CLI start-up").
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from breachdesk.cli.main import COMMANDS, LazyGroup, load_module_commands, root_command, run

HEAVY = ("matplotlib", "weasyprint", "pyarrow", "numpy")
# Not heavy libraries, but not needed to list things either.
NOT_FOR_LISTING = (*HEAVY, "alembic", "breachdesk.detect.scanner", "breachdesk.reports.generate")


def _imported_after(
    code: str,
    watch: tuple[str, ...] = HEAVY,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> set[str]:
    probe = f"{code}\nimport sys\nprint(' '.join(m for m in {watch!r} if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=cwd, env=env
    ).stdout
    return set(out.split())


def test_importing_the_cli_imports_no_heavy_library() -> None:
    assert _imported_after("import breachdesk.cli.main") == set()


def test_help_imports_no_heavy_library_and_no_command_module() -> None:
    code = (
        "import sys, contextlib, io\n"
        "from breachdesk.cli.main import run\n"
        "with contextlib.redirect_stdout(io.StringIO()) as buf:\n"
        "    assert run(['--help']) == 0\n"
        "assert 'notify' in buf.getvalue() and 'scan' in buf.getvalue()\n"
        "loaded = [m for m in sys.modules if m.startswith('breachdesk.cli.')]\n"
        "assert loaded == ['breachdesk.cli.main'], loaded\n"
        "assert 'sqlalchemy' not in sys.modules\n"
    )
    assert _imported_after(code) == set()


@pytest.mark.parametrize("argv", [["scans"], ["incident", "list"], ["audit", "log"]])
def test_everyday_commands_load_no_heavy_library(argv: list[str], tmp_path: Path) -> None:
    env = dict(os.environ, BREACHDESK_WORKSPACE=str(tmp_path / "ws"))
    env.pop("BREACHDESK_DATABASE_URL", None)
    init = [sys.executable, "-m", "breachdesk", "init"]
    subprocess.run(init, cwd=tmp_path, env=env, capture_output=True, check=True)
    code = (
        "import contextlib, io\n"
        "from breachdesk.cli.main import run\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    assert run({argv!r}) == 0\n"
    )
    assert _imported_after(code, NOT_FOR_LISTING, cwd=tmp_path, env=env) == set()


def test_table_matches_the_commands_modules_register() -> None:
    """--help is drawn from COMMANDS: each line must be the command's own help."""
    modules = {e.module for e in COMMANDS}
    registered: dict[str, str] = {}
    for module in modules:
        for name, cmd in load_module_commands(module).items():
            registered[name] = module
            entry = next((e for e in COMMANDS if e.name == name), None)
            assert entry is not None, f"{name} (breachdesk.cli.{module}) missing from COMMANDS"
            assert entry.module == module
            first = (cmd.help or "").strip().split("\n\n")[0].replace("\n", " ")
            assert entry.help == first, f"COMMANDS help of {name} differs from its docstring"
    assert sorted(registered) == sorted(e.name for e in COMMANDS)


def test_every_cli_module_with_commands_is_in_the_table() -> None:
    import breachdesk.cli

    folder = Path(breachdesk.cli.__file__).parent
    with_register = {
        f.stem for f in folder.glob("*.py") if "\ndef register(" in f.read_text("utf-8")
    }
    assert with_register == {e.module for e in COMMANDS}


def test_root_is_lazy_and_complete(capsys: pytest.CaptureFixture[str]) -> None:
    root = root_command()
    assert isinstance(root, LazyGroup)
    assert run(["--help"]) == 0
    out = capsys.readouterr().out
    for e in COMMANDS:
        assert e.name in out
    # click-style access still works and loads on demand
    assert isinstance(typer.main.get_command(root_command_app()), LazyGroup)
    assert root.commands["scan"].name == "scan"


def root_command_app() -> typer.Typer:
    from breachdesk.cli.main import app

    return app


def test_a_typo_suggests_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["incidnet"]) == 2
    assert "Did you mean 'incident'" in capsys.readouterr().err


def test_scan_forks_its_workers_before_the_store_is_imported() -> None:
    """`scan` starts its workers first and opens the store while they work, so the
    store's imports (SQLAlchemy: a good part of a second) overlap the scanning. The
    command module and everything ``start_scan`` needs must not import SQLAlchemy, and
    forked workers then never inherit a database connection."""
    code = (
        "import typer, rich.progress, breachdesk.detect.launch\n"
        "from breachdesk.cli.main import load_module_commands\n"
        "assert 'scan' in load_module_commands('scan')\n"  # the module and its register()
    )
    assert _imported_after(code, ("sqlalchemy", "breachdesk.store")) == set()


def test_before_scan_forks_nothing_it_does_not_need_is_loaded(tmp_path: Path) -> None:
    """Everything imported before the workers fork is paid once, serially, by every
    scan: no store, no phone metadata (loaded by a worker that meets a phone), no YAML or
    entities models, no progress bar or console (rich), no WARC reader (loaded for a WARC
    input), no pydantic plugin look-up, and no pydantic-settings (with the asyncio it
    imports): the settings read the environment themselves."""
    sample = tmp_path / "log.jsonl"
    sample.write_text('{"url": "/", "body": "hello"}\n', encoding="utf-8")
    code = (
        "import os, sys\n"
        "import breachdesk.cli.main as cli\n"
        "load = cli.load_module_commands\n"
        "def load_module_commands(module):\n"  # patch start_scan once `scan` is loaded
        "    commands = load(module)\n"
        "    import breachdesk.detect.launch as launch\n"
        "    launch.start_scan = start_scan\n"
        "    return commands\n"
        "def start_scan(*a, **k):\n"
        "    watch = ('sqlalchemy', 'breachdesk.store', 'phonenumbers', 'yaml',\n"
        "             'breachdesk.registry.entities', 'rich', 'warcio',\n"
        "             'pydantic_settings', 'asyncio')\n"
        "    from pydantic.plugin import _loader\n"
        "    plugins = [] if _loader._plugins is None else ['pydantic plugins']\n"
        "    print(' '.join([m for m in watch if m in sys.modules] + plugins), flush=True)\n"
        "    os._exit(0)\n"
        "cli.load_module_commands = load_module_commands\n"
        "sys.argv = ['breachdesk', 'scan', sys.argv[1]]\n"
        "cli.main()\n"
    )
    env = dict(os.environ, BREACHDESK_WORKSPACE=str(tmp_path / "ws"))
    env.pop("PYDANTIC_DISABLE_PLUGINS", None)
    out = subprocess.run(
        [sys.executable, "-c", code, str(sample)],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        env=env,
    )
    assert out.stdout == "\n", out.stdout + out.stderr
