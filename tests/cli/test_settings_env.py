"""Settings come from ``BREACHDESK_*`` variables; a bad one is one line naming it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import SecretStr

from breachdesk.errors import ExitCode, UsageError
from breachdesk.settings import Settings


def test_variables_in_any_case_set_fields_and_given_values_win(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("BREACHDESK_SCAN_WORKERS", "3")
    monkeypatch.setenv("breachdesk_smtp_starttls", "true")
    monkeypatch.setenv("BREACHDESK_WORKSPACE", str(tmp_path / "from-env"))
    monkeypatch.setenv("BREACHDESK_SMTP_TIMEOUT", "2.5")
    monkeypatch.setenv("BREACHDESK_NOT_A_SETTING", "ignored")  # e.g. BREACHDESK_DEBUG
    cfg = Settings(workspace=tmp_path / "given")
    assert cfg.scan_workers == 3
    assert cfg.smtp_starttls is True
    assert cfg.smtp_timeout == 2.5
    assert cfg.workspace == tmp_path / "given"  # a value given in code beats the variable
    assert isinstance(cfg.workspace, Path)
    assert cfg.smtp_port == 25  # the default where nothing is set
    assert not hasattr(cfg, "not_a_setting")


def test_a_secret_from_the_environment_is_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BREACHDESK_SMTP_PASSWORD", "hunter2-secret")
    cfg = Settings()
    assert isinstance(cfg.smtp_password, SecretStr)
    assert cfg.smtp_password.get_secret_value() == "hunter2-secret"
    assert "hunter2" not in repr(cfg) and "hunter2" not in str(cfg)


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("BREACHDESK_SCAN_WORKERS", "hunter2", "valid integer"),
        ("BREACHDESK_NOTIFY_DKIM_SIGNER", "openssl-hunter2", "'cryptography' or 'dkimpy'"),
        ("BREACHDESK_SMTP_TLS", "hunter2", "valid boolean"),
    ],
)
def test_a_bad_variable_is_one_line_naming_it_not_its_value(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, says: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(UsageError) as err:
        Settings.load()
    msg = str(err.value)
    assert msg.startswith(f"{variable}: ") and says in msg
    assert "hunter2" not in msg and "\n" not in msg


def test_a_bad_value_given_in_code_names_the_setting() -> None:
    with pytest.raises(UsageError, match=r"^setting smtp_port: .*valid integer"):
        Settings.load(smtp_port="hunter2")


def test_the_cli_exits_2_with_one_line_for_a_bad_variable(tmp_path: Path) -> None:
    env = dict(os.environ, BREACHDESK_WORKSPACE=str(tmp_path / "ws"), BREACHDESK_SCAN_WORKERS="x")
    env.pop("BREACHDESK_DEBUG", None)
    out = subprocess.run(
        [sys.executable, "-m", "breachdesk", "scans"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    assert out.returncode == ExitCode.USAGE
    assert out.stderr.splitlines() == [
        "breachdesk: usage error: BREACHDESK_SCAN_WORKERS: Input should be a valid integer, "
        "unable to parse string as an integer"
    ]
    assert not (tmp_path / "breachdesk.db").exists()  # nothing was opened or created
