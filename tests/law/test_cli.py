"""``breachdesk assess --what-if FILE``: same engine, no store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from breachdesk.cli.context import console
from breachdesk.cli.main import run

WHAT_IF = """\
title: tabletop, 2018 technical error
residents: {GB: 412, DE: 97, FR: 55, US-CA: 230, US-TX: 61, CA-ON: 38, JP: 12, XX: 2, US: 4}
elements: [name, email]
cause: technical-error
became_aware_at: 2026-03-27T09:30:00Z
risk: risk
entity: {id: shop-uk, legal_name: Shop Ltd, country: GB}
"""


@pytest.fixture
def no_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "must-not-exist.db"
    monkeypatch.setenv("BREACHDESK_DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("BREACHDESK_WORKSPACE", str(tmp_path / "ws"))
    monkeypatch.setattr(console, "width", 220)  # rich wraps table cells at the default 80
    return db


def test_what_if_json(tmp_path: Path, no_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "w.yaml"
    f.write_text(WHAT_IF)
    assert run(["assess", "--what-if", str(f), "--json", "--now", "2026-03-28T09:00Z"]) == 0
    out = json.loads(capsys.readouterr().out)
    obs = {o["key"]: o for o in out["obligations"]}
    # a UK controller outside the EU: every SA where subjects live
    assert set(obs) == {
        "GB/ICO/shop-uk",
        "DE/DE-SA/shop-uk",
        "FR/CNIL/shop-uk",
        "GB/register/shop-uk",
        "EU/register/shop-uk",
        "CA/register/shop-uk",
    }
    ico = obs["GB/ICO/shop-uk"]
    assert ico["due_at"] == "2026-03-30T09:30:00Z"
    assert ico["due_at_local"] == "2026-03-30T10:30:00+01:00"
    assert ico["time_left"] == "2d 00h left"
    assert ico["status"] == "due"
    reasons = {(n["jurisdiction"], n["rule_id"]): n["reason"] for n in out["non_obligations"]}
    assert (
        'name + email alone is not "personal information" under Cal. Civ. Code § 1798.82(h)'
        in (reasons[("US-CA", "us-ca-individuals")])
    )
    assert {(u["jurisdiction"], u["residents"]) for u in out["unknown_jurisdictions"]} == {
        ("XX", 2),
        ("US", 4),
    }
    assert "risk" not in out  # given, not computed
    assert not no_store.exists()


def test_what_if_table_from_json_file_computes_risk(
    tmp_path: Path, no_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "w.json"
    f.write_text(
        json.dumps(
            {
                "residents": {"US-CA": 600},
                "elements": ["credentials"],
                "cause": "attack",
                "became_aware_at": "2026-03-01T17:00:00+00:00",
            }
        )
    )
    assert run(["assess", "--what-if", str(f), "--now", "2026-03-02T00:00Z"]) == 0
    out = capsys.readouterr().out
    for text in (
        "ENISA 2013",
        "SE",
        "notify",
        "US-CA/individuals/controller",
        "US-CA/AG/controller",
        "2026-03-31 16:00",
        "PDT",
        "America/Los_Angeles",
        "29d 16h left",
        "us-ca-ag",
        "*/register/controller",
        "[unverified: not",
    ):
        assert text in out, text
    assert not no_store.exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "residents: {GB: 1}\nelements: [name, shoe_size]\ncause: attack\n"
            "became_aware_at: 2026-03-01T09:00Z\n",
            "field elements",
        ),
        (
            "residents: {GB: 1}\nelements: [name]\ncause: attack\n"
            "became_aware_at: 2026-03-01T09:00\n",
            "must carry a time zone",
        ),
        (
            "residents: {GB: -3}\nelements: [name]\ncause: attack\n"
            "became_aware_at: 2026-03-01T09:00Z\n",
            "field count",
        ),
        (
            "residents: [GB]\nelements: [name]\ncause: attack\n"
            "became_aware_at: 2026-03-01T09:00Z\n",
            "residents must map ISO 3166 codes",
        ),
        ("resident: {GB: 1}\n", "unknown keys resident"),
        (
            "groups: [{jurisdiction: GB, entity: nobody, count: 1}]\nelements: [name]\n"
            "cause: attack\nbecame_aware_at: 2026-03-01T09:00Z\n",
            "unknown entities: nobody",
        ),
        ("{not yaml", "not valid YAML: line 1, column 10: expected ',' or '}'"),
    ],
)
def test_bad_what_if_files_fail_in_one_line(
    tmp_path: Path, no_store: Path, capsys: pytest.CaptureFixture[str], text: str, expected: str
) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text(text)
    assert run(["assess", "--what-if", str(f)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"breachdesk: error: {f}"), err
    assert expected in err, err
    assert "\n" not in err and "Traceback" not in err
    assert not no_store.exists()


def test_missing_file_and_bad_now(
    tmp_path: Path, no_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["assess", "--what-if", str(tmp_path / "nope.yaml")]) == 2  # usage error
    assert "nope.yaml' does not exist" in capsys.readouterr().err
    f = tmp_path / "w.yaml"
    f.write_text(WHAT_IF)
    assert run(["assess", "--what-if", str(f), "--now", "yesterday"]) == 2
    assert "--now: not an ISO 8601 time" in capsys.readouterr().err


def test_zero_residents_still_records_the_breach(
    tmp_path: Path, no_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "w.yaml"
    f.write_text(
        "residents: {}\nelements: []\ncause: unknown\nbecame_aware_at: 2026-03-01T09:00Z\n"
        "entity: {id: shop-ca, legal_name: Shop Canada Inc, country: CA}\n"
    )
    assert run(["assess", "--what-if", str(f), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [o["key"] for o in out["obligations"]] == ["CA/register/shop-ca"]
    assert out["obligations"][0]["citation"].startswith("PIPEDA s. 10.3")


@pytest.mark.parametrize("name", ["assess", "rules"])
def test_every_option_is_documented(name: str) -> None:
    import typer

    from breachdesk.cli.main import app

    doc = (Path(__file__).parents[2] / "docs" / "law.md").read_text(encoding="utf-8")
    assert f"breachdesk {name}" in doc
    command = typer.main.get_command(app).commands[name]  # type: ignore[attr-defined]
    for param in command.params:
        for opt in param.opts:
            assert f"`{opt}" in doc, f"{opt} missing from docs/law.md"


def test_rules_lists_and_validates(
    tmp_path: Path, no_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["rules", "--json"]) == 0
    rows = {r["jurisdiction"]: r for r in json.loads(capsys.readouterr().out)}
    assert len(rows) == 64
    assert rows["EU"]["register"] is True and len(rows["EU"]["covers"]) == 30
    assert rows["US-CA"]["rules"] == 2 and 0 <= rows["US-CA"]["verified"] <= 2
    assert run(["rules"]) == 0
    assert "64 rules files, all valid" in capsys.readouterr().out
    bad = tmp_path / "rules"
    bad.mkdir()
    (bad / "zz.yaml").write_text("schema_version: 1\njurisdiction: ZZ\n")
    assert run(["rules", "--rules", str(bad)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"breachdesk: error: {bad / 'zz.yaml'}: field name: Field required")
    assert "\n" not in err


def test_assess_with_own_rules_directory(
    tmp_path: Path, no_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    from breachdesk.law.rules import RULES_DIR

    d = tmp_path / "rules"
    d.mkdir()
    shutil.copy(RULES_DIR / "gb.yaml", d / "gb.yaml")
    f = tmp_path / "w.yaml"
    f.write_text(WHAT_IF)
    assert run(["assess", "--what-if", str(f), "--json", "--rules", str(d)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {o["key"] for o in out["obligations"]} == {"GB/ICO/shop-uk", "GB/register/shop-uk"}
    assert {u["jurisdiction"] for u in out["unknown_jurisdictions"]} >= {"DE", "US-CA", "JP"}
