"""Issue 11: exemptions and answers as inputs, from a what-if file, the CLI and an incident.

Each test names the provision it checks.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from breachdesk.cli.context import console
from breachdesk.cli.main import run
from breachdesk.errors import InputError
from breachdesk.incident.law_answers import set_law_answers
from breachdesk.incident.obligations import assess_incident
from breachdesk.incident.risk import add_overrides
from breachdesk.law.engine import default_rulebook
from breachdesk.law.rules import criteria_ids
from breachdesk.law.whatif import load_what_if
from breachdesk.store.audit import entries
from tests.incident.conftest import World, case_2018

BR_FILE = """\
residents: {BR: 2000000}
elements: [name, email, phone]
cause: attack
became_aware_at: 2026-06-01T12:00:00Z
risk: high
entity: {id: loja, legal_name: Loja Ltda, country: BR}
"""


@pytest.fixture
def wide(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BREACHDESK_DATABASE_URL", f"sqlite:///{tmp_path / 'unused.db'}")
    monkeypatch.setenv("BREACHDESK_WORKSPACE", str(tmp_path / "ws"))
    monkeypatch.setattr(console, "width", 220)
    return tmp_path


def test_what_if_reads_encryption_key_and_answers(tmp_path: Path) -> None:
    """GDPR Art. 34(3)(a), Res. CD/ANPD 15/2024 art. 5: the what-if file carries
    `encrypted`, `key_compromised` and yes/no `answers` by criterion id."""
    f = tmp_path / "w.yaml"
    f.write_text(
        BR_FILE + "encrypted: true\nkey_compromised: true\nanswers: {br-large-scale: yes}\n",
        encoding="utf-8",
    )
    s = load_what_if(f, criteria_ids(default_rulebook())).situation
    assert s.encrypted and s.key_compromised and s.answers == {"br-large-scale": True}


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ("{br-huge: yes}", "br-huge is not a criterion of any rule"),
        ("{br-large-scale: perhaps}", "is not yes or no"),
    ],
)
def test_what_if_rejects_unknown_or_unclear_answers(
    tmp_path: Path, answers: str, message: str
) -> None:
    """Res. CD/ANPD 15/2024 art. 5: an answer must name a real criterion and be yes or no;
    the error names the file and the field."""
    f = tmp_path / "w.yaml"
    f.write_text(BR_FILE + f"answers: {answers}\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_what_if(f, criteria_ids(default_rulebook()))
    assert message in str(err.value) and str(f) in str(err.value)


def test_cli_assess_shows_the_question_then_the_answer_changes_the_result(
    wide: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Res. CD/ANPD 15/2024 art. 5: `assess` prints the large-scale question next to BR;
    with `answers: {br-large-scale: yes}` the ANPD notice is due."""
    f = wide / "br.yaml"
    f.write_text(BR_FILE, encoding="utf-8")
    assert run(["assess", "--what-if", str(f), "--now", "2026-06-01T13:00Z"]) == 0
    out = capsys.readouterr().out
    assert "questions for the DPO" in out and "br-large-scale" in out and "BR (loja)" in out
    assert "BR/ANPD/loja" not in out
    f.write_text(BR_FILE + "answers: {br-large-scale: yes}\n", encoding="utf-8")
    assert run(["assess", "--what-if", str(f), "--json", "--now", "2026-06-01T13:00Z"]) == 0
    data = json.loads(capsys.readouterr().out)
    keys = {o["key"] for o in data["obligations"]}
    assert {"BR/ANPD/loja", "BR/individuals/loja"} <= keys
    assert data["open_questions"] == []


def test_incident_answers_are_stored_audited_and_change_obligations(world: World) -> None:
    """GDPR Art. 34(3)(b): answered for an incident (stored beside the risk answers and
    audited), a yes removes the notices to data subjects in the EU."""
    iid = case_2018(world)
    add_overrides(world.store, iid, [("level", "high")], "names shown next to orders", "t")
    before = assess_incident(world.store, world.settings, iid)
    eu_ind = {o.key for o in before.obligations if o.rule_id == "eu-individuals"}
    assert eu_ind and any(q.id == "eu-subsequent-measures" for q in before.open_questions)
    set_law_answers(world.store, iid, {"eu-subsequent-measures": True}, "dpo")
    after = assess_incident(world.store, world.settings, iid)
    assert not [o for o in after.obligations if o.rule_id == "eu-individuals"]
    assert any(o.rule_id == "eu-sa" for o in after.obligations)
    log = [e for e in entries(world.store, f"incident:{iid}") if e.action == "law.answers"]
    assert log and log[-1].details["answers"] == {"eu-subsequent-measures": True}
    assert log[-1].actor == "dpo"


def test_cli_risk_answer_criterion_and_key_compromised(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    """GDPR Art. 34(3)(b) and (a): `breachdesk risk ID --answer ID=yes|no` stores law
    answers next to the ENISA answers; a bad value is a usage error (exit 2)."""
    iid = case_2018(world)
    assert run(["risk", str(iid), "--answer", "eu-subsequent-measures=maybe"]) == 2
    assert "answer yes or no" in capsys.readouterr().err
    assert (
        run(
            [
                "risk",
                str(iid),
                "--answer",
                "eu-subsequent-measures=no",
                "--answer",
                "key_compromised=yes",
                "--answer",
                "recipients=known",
            ]
        )
        == 0
    )
    capsys.readouterr()
    s = assess_incident(world.store, world.settings, iid).situation
    assert s.answers == {"eu-subsequent-measures": False} and s.key_compromised
    actions = [e.action for e in entries(world.store, f"incident:{iid}")]
    assert "law.answers" in actions and "risk.answers" in actions
