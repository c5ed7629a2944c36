"""The docs cannot fall behind the code: every command, option and setting is documented."""

from __future__ import annotations

from pathlib import Path

from breachdesk.cli.reference import DOCS, render_cli, render_settings
from breachdesk.settings import Settings


def test_cli_reference_is_current() -> None:
    assert (DOCS / "cli.md").read_text("utf-8") == render_cli(), (
        "docs/cli.md is stale: run `python -m breachdesk.cli.reference`"
    )


def test_settings_reference_is_current() -> None:
    text = (DOCS / "configuration.md").read_text("utf-8")
    assert text == render_settings(), "docs/configuration.md is stale: regenerate it"
    for name in Settings.model_fields:
        assert f"BREACHDESK_{name.upper()}" in text


def test_every_setting_has_a_description() -> None:
    missing = [n for n, f in Settings.model_fields.items() if not f.description]
    assert missing == []


def test_readme_names_every_top_level_command() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text("utf-8")
    from breachdesk.cli.main import COMMANDS

    for name in (e.name for e in COMMANDS):
        assert f"breachdesk {name}" in readme, f"README does not mention `breachdesk {name}`"
