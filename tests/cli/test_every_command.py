"""Every command of the CLI, read from the app itself (a new command is covered without
touching this file), gets a missing path, an unwritable output, a file that is not
UTF-8 and a negative number for each numeric option. Each answer is one line on
stderr, no traceback, and the documented exit code (docs/cli.md)."""

from __future__ import annotations

import typing
from pathlib import Path
from typing import Any

import pytest

from breachdesk.cli.main import root_command, run
from breachdesk.cli.reference import walk
from breachdesk.errors import ExitCode
from breachdesk.settings import Settings

NOT_UTF8 = b"\xff\xfe caf\xe9 \x80\x81 not UTF-8\n"
MISSING = "/nonexistent/dir/x"
UNWRITABLE = "/proc/nope/x"
OUTPUTS = {"out", "charts"}
# Valid values for required parameters, so that only the parameter under test is wrong.
VALID: dict[str, str] = {
    "incident_id": "1",
    "obligation": "1",
    "title": "t",
    "cause": "unknown",
    "became_aware_at": "2026-03-01T09:00Z",
    "to": "Acme",
    "by": "j.doe",
    "purpose": "campaign",
    "reason": "review",
}
STATUS = {"incident status": "contained", "obligation status": "done"}
# Options some commands need to be valid at all (one of several is required).
EXTRA = {"incident attach": ["--all-unattached"], "incident edit": ["--description", "x"]}


def _kind(param: Any) -> type | None:
    ann = param.type_descriptor.annotation
    for _ in range(3):
        args = [a for a in typing.get_args(ann) if a is not type(None)]
        if not args:
            break
        ann = args[0]
    return ann if isinstance(ann, type) else None


def commands() -> list[tuple[str, Any]]:
    return [
        (" ".join(path), cmd)
        for path, cmd in walk(root_command())[1:]
        # a group that runs on its own (``findings``) is a command with options too
        if not hasattr(cmd, "list_commands") or (cmd.invoke_without_command and cmd.params)
    ]


COMMANDS = commands()


@pytest.fixture
def ws(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """A workspace with a registry, incident 1, and one valid file of each input kind."""
    monkeypatch.chdir(tmp_path)
    files = {
        "registry": tmp_path / "customers.csv",
        "log": tmp_path / "log.jsonl",
        "whatif": tmp_path / "w.yaml",
        "text": tmp_path / "dump.txt",
    }
    files["registry"].write_text(
        "customer_id,email,full_name,country,entity\nc1,a@example.com,A,GB,shop-uk\n", "utf-8"
    )
    files["log"].write_text('{"viewer":null,"body":"hi","ts":"2018-11-20T10:00:00Z"}\n', "utf-8")
    files["whatif"].write_text(
        "residents: {GB: 3}\nelements: [email]\ncause: attack\n"
        "became_aware_at: 2026-03-27T09:30:00Z\n",
        "utf-8",
    )
    files["text"].write_text("a@example.com\n", "utf-8")
    assert run(["registry", "import", str(files["registry"])]) == 0
    assert run(["incident", "open", "--title", "t", "--cause", "unknown",
                "--became-aware-at", "2026-03-01T09:00Z"]) == 0  # fmt: skip
    return files


def _valid_path(name: str, param: Any, files: dict[str, Path], tmp: Path) -> str:
    if param.name in OUTPUTS:
        return str(tmp / f"out-{name.replace(' ', '-')}")
    key = {"registry import": "registry", "assess": "whatif", "scan": "log",
           "access scan": "log"}.get(name, "text")  # fmt: skip
    return str(files[key])


def argv(
    name: str, cmd: Any, files: dict[str, Path], tmp: Path, bad: tuple[str, str] | None = None
) -> list[str]:
    """Required parameters with valid values, plus ``bad`` = (param name, value)."""
    opts: list[str] = []
    args: list[str] = []
    for p in cmd.params:
        if p.name == "help":
            continue
        is_bad = bad is not None and p.name == bad[0]
        if not (p.required or is_bad):
            continue
        if getattr(p, "is_flag", False):
            opts.append(p.opts[0])
            continue
        if is_bad:
            value = bad[1]  # type: ignore[index]
        elif _kind(p) is Path:
            value = _valid_path(name, p, files, tmp)
        elif p.name == "status":
            value = STATUS[name]
        else:
            value = VALID[p.name]
        if p.param_type_name == "argument":
            args.append(value)
        else:
            opts += [p.opts[0], value]
    return [*name.split(), *EXTRA.get(name, []), *opts, "--", *args]


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, lines
    assert "Traceback" not in err and "internal error" not in err
    return lines[0]


def _cases(kind: str) -> list[tuple[str, str]]:
    out = []
    for name, cmd in COMMANDS:
        for p in cmd.params:
            k = _kind(p)
            chosen = {
                "missing": k is Path and p.name not in OUTPUTS,
                "unwritable": k is Path and p.name in OUTPUTS,
                "number": k in (int, float) and not getattr(p, "is_flag", False),
            }[kind]
            if chosen:
                out.append((name, p.name))
    return out


def _cmd(name: str) -> Any:
    return dict(COMMANDS)[name]


def test_the_walk_sees_every_kind_of_parameter() -> None:
    assert len(COMMANDS) >= 30
    assert ("scan", "paths") in _cases("missing")
    assert ("scope", "charts") in _cases("unwritable")
    assert ("findings", "limit") in _cases("number")


@pytest.mark.parametrize(("name", "param"), _cases("missing"))
def test_missing_path_is_a_usage_error(
    ws: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, param: str
) -> None:
    capsys.readouterr()
    rc = run(argv(name, _cmd(name), ws, tmp_path, (param, MISSING)))
    line = _one_line(capsys.readouterr().err)
    assert rc == ExitCode.USAGE and MISSING in line


@pytest.mark.parametrize(("name", "param"), _cases("unwritable"))
def test_unwritable_output_is_a_usage_error(
    ws: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, param: str
) -> None:
    capsys.readouterr()
    rc = run(argv(name, _cmd(name), ws, tmp_path, (param, UNWRITABLE)))
    line = _one_line(capsys.readouterr().err)
    assert rc == ExitCode.USAGE and "/proc/nope" in line
    assert not Path(UNWRITABLE).parent.exists()


@pytest.mark.parametrize(("name", "param"), _cases("unwritable"))
def test_output_given_an_existing_file_or_missing_folder(
    ws: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, param: str
) -> None:
    nested = tmp_path / "no-such-folder" / "deeper" / "x"
    capsys.readouterr()
    rc = run(argv(name, _cmd(name), ws, tmp_path, (param, str(nested))))
    _one_line(capsys.readouterr().err)
    assert rc == ExitCode.USAGE and not (tmp_path / "no-such-folder").exists()


@pytest.mark.parametrize(("name", "param"), _cases("missing"))
def test_file_that_is_not_utf8(
    ws: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, param: str
) -> None:
    bad = tmp_path / "not-utf8.txt"
    bad.write_bytes(NOT_UTF8)
    capsys.readouterr()
    rc = run(argv(name, _cmd(name), ws, tmp_path, (param, str(bad))))
    err = capsys.readouterr().err
    assert "Traceback" not in err and "internal error" not in err
    assert len(err.strip().splitlines()) <= 1, err
    assert rc in (ExitCode.OK, ExitCode.FAILURE, ExitCode.USAGE, ExitCode.PROBLEMS)
    if rc != ExitCode.OK:
        assert err.strip(), "a non-zero exit says why on stderr"


@pytest.mark.parametrize(("name", "param"), _cases("number"))
def test_negative_number_is_a_usage_error(
    ws: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, param: str
) -> None:
    capsys.readouterr()
    rc = run(argv(name, _cmd(name), ws, tmp_path, (param, "-5")))
    line = _one_line(capsys.readouterr().err)
    p = next(p for p in _cmd(name).params if p.name == param)
    named = p.opts[0] if p.param_type_name == "option" else p.name
    assert rc == ExitCode.USAGE and ("-5" in line or named in line.lower()), line


@pytest.mark.parametrize(
    "cmd",
    [["scope", "--charts"], ["report", "--for", "ICO", "--out"], ["notify", "preview", "--out"]],
)
def test_folder_option_given_an_existing_file(
    ws: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], cmd: list[str]
) -> None:
    f = tmp_path / "a-file"
    f.write_text("x")
    capsys.readouterr()
    rc = run([*cmd, str(f), "--", "1"])
    line = _one_line(capsys.readouterr().err)
    assert rc == ExitCode.USAGE and "not a folder" in line


@pytest.mark.parametrize(
    "name", [n for n, c in COMMANDS if any(p.name == "incident_id" for p in c.params)]
)
def test_an_incident_that_does_not_exist(
    ws: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    """`notify status 99` printed zeros: every command taking an incident id refuses it."""
    capsys.readouterr()
    rc = run(argv(name, _cmd(name), ws, tmp_path, ("incident_id", "99")))
    line = _one_line(capsys.readouterr().err)
    assert rc == ExitCode.USAGE and "incident 99" in line, line
