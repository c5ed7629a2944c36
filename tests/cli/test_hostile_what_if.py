"""`assess --what-if` on the files fuzzing broke it with: one line, exit 1, a reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from breachdesk.cli.main import run

GOOD = (
    "residents: {GB: 3}\nelements: [email]\ncause: attack\nbecame_aware_at: 2026-03-27T09:30:00Z\n"
)


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("latin1.yaml", GOOD.encode() + b"title: caf\xe9\n", "not UTF-8 text (byte 0xE9 on line 5"),
        ("date.yaml", GOOD.replace("2026-03-27T09:30:00Z", "2026-13-45").encode(), "month must be"),
        ("numkey.yaml", GOOD.encode() + b"1: 2\n", "key 1 is not a name"),
        ("boolkey.yaml", GOOD.encode() + b"true: 1\n", "key True is not a name"),
        ("deep.yaml", b"residents: " + b"[" * 5000, "nested too deeply"),
        ("deep.json", b'{"residents": ' + b"[" * 5000 + b"]" * 5000 + b"}", "nested too deeply"),
    ],
)
def test_hostile_what_if(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, data: bytes, reason: str
) -> None:
    f = tmp_path / name
    f.write_bytes(data)
    assert run(["assess", "--what-if", str(f)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"breachdesk: error: {f}: ") and reason in err[0]
