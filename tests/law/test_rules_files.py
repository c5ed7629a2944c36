"""Every shipped rules file loads and carries its citations; bad files fail clearly."""

from __future__ import annotations

import shutil
from pathlib import Path

import pycountry
import pytest

from breachdesk.errors import RulesError
from breachdesk.law.engine import UNVERIFIED_NOTE, assess
from breachdesk.law.rules import RULES_DIR, load_file, load_rulebook
from tests.law.builders import situation

US_STATES = [
    s.code for s in pycountry.subdivisions.get(country_code="US") if s.type in ("State", "District")
]
REQUIRED = ["GB", "CA", "CA-QC", "AU", "NZ", "SG", "JP", "KR", "BR", "IN", "CH", "US-PR"]
EU = [
    "AT",
    "BE",
    "BG",
    "HR",
    "CY",
    "CZ",
    "DK",
    "EE",
    "FI",
    "FR",
    "DE",
    "GR",
    "HU",
    "IE",
    "IT",
    "LV",
    "LT",
    "LU",
    "MT",
    "NL",
    "PL",
    "PT",
    "RO",
    "SK",
    "SI",
    "ES",
    "SE",
]
SHIPPED = sorted(RULES_DIR.glob("*.yaml"))


def test_coverage_all_states_dc_pr_and_the_required_countries() -> None:
    assert len(US_STATES) == 51  # 50 states + DC
    rb = load_rulebook()
    for code in [*US_STATES, *REQUIRED, *EU]:
        assert rb.for_code(code), f"no rules file covers {code}"
    eu = rb.files["eu-gdpr"]
    assert set(EU) <= set(eu.covers) and set(eu.covers) == set(eu.authorities)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_file_loads_and_every_rule_is_cited(path: Path) -> None:
    jr = load_file(path)
    assert jr.schema_version == 1
    assert jr.rules, f"{path.name} has no rules"
    for rule in jr.rules:
        assert len(rule.citation) >= 5, rule.id
        if rule.verified:  # the date compared; a rule never compared carries none
            assert rule.last_verified is not None, rule.id
        assert rule.id.startswith(jr.jurisdiction.lower()), rule.id
    if jr.record_keeping is not None:
        assert jr.record_keeping.citation
    if jr.jurisdiction.startswith("US-"):
        assert jr.definition is not None  # negatives are explained with the defined term
        assert jr.rules[0].recipient_kind == "individuals"


def test_unverified_rows_say_so_in_their_obligation() -> None:
    s = situation(
        {("US-TX", "shop"): 200},
        {"name", "ssn"},
        "attack",
        "2026-05-04T15:00:00+00:00",
        "high",
        {"shop": "US"},
    )
    a = assess(s)
    tx = [o for o in a.obligations if o.jurisdiction == "US-TX"]
    assert tx and all(not o.verified for o in tx)
    assert all(UNVERIFIED_NOTE in o.notes for o in tx)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    d = tmp_path / "rules"
    d.mkdir(exist_ok=True)
    (d / name).write_text(text, encoding="utf-8")
    return d


MINIMAL = """\
schema_version: 1
jurisdiction: MX
name: Mexico
law: LFPDPPP Art. 20
covers: [MX]
timezone: America/Mexico_City
rules:
  - id: mx-individuals
    recipient_kind: individuals
    recipient: affected data subjects in Mexico
    triggers:
      - when: a breach that significantly affects patrimonial or moral rights
        min_risk: high
    deadline: {standard: immediately, clock: awareness}
    citation: LFPDPPP Art. 20
    last_verified: 2026-11-23
"""


def test_adding_a_jurisdiction_is_adding_a_file(tmp_path: Path) -> None:
    d = _write(tmp_path, "mx.yaml", MINIMAL)
    shutil.copy(RULES_DIR / "gb.yaml", d / "gb.yaml")
    rb = load_rulebook(d)
    s = situation(
        {("MX", "tienda"): 9, ("GB", "tienda"): 1, ("US-CA", "tienda"): 2},
        {"name", "email"},
        "attack",
        "2026-05-04T15:00:00+00:00",
        "high",
        {"tienda": "MX"},
    )
    a = assess(s, rb)
    keys = {o.key for o in a.obligations}
    assert "MX/individuals/tienda" in keys and "GB/ICO/tienda" in keys
    assert [(u.jurisdiction, u.residents) for u in a.unknown] == [("US-CA", 2)]
    assert (
        a.unknown[0].reason == "no rules file covers US-CA; take legal advice for these residents"
    )


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("schema_version: 1", "schema_version: 2"),
            "field schema_version: is 2, this breachdesk reads 1",
        ),
        (
            ("timezone: America/Mexico_City", "timezone: Mars/Olympus"),
            "field timezone: Value error, unknown IANA time zone 'Mars/Olympus'",
        ),
        (
            ("    citation: LFPDPPP Art. 20\n", ""),
            "field rules[0] (id mx-individuals).citation: Field required",
        ),
        (
            ("min_risk: high", "min_risk: severe"),
            "field rules[0] (id mx-individuals).triggers.0.min_risk",
        ),
        (
            ("min_risk: high", "threshold: {op: '=>', count: 500}"),
            "field rules[0] (id mx-individuals).triggers.0.threshold.op",
        ),
        (
            ("min_risk: high", "elements_any_of: [[name, shoe_size]]"),
            "field rules[0] (id mx-individuals).triggers.0.elements_any_of.0.1",
        ),
        (
            ("{standard: immediately, clock: awareness}", "{amount: 3, clock: awareness}"),
            "amount and unit go together",
        ),
        (
            (
                "    last_verified: 2026-11-23\n",
                "    last_verified: 2026-11-23\n    requires: mx-ag\n",
            ),
            "rule mx-individuals requires mx-ag, which is not an earlier rule",
        ),
        (
            ("    recipient_kind: individuals", "    recipient_kind: newspaper"),
            "field rules[0] (id mx-individuals).recipient_kind",
        ),
        (("law: LFPDPPP Art. 20", "law: LFPDPPP Art. 20\nlaww: typo"), "field laww: Extra inputs"),
    ],
)
def test_invalid_file_names_file_field_and_reason(
    tmp_path: Path, change: tuple[str, str], expected: str
) -> None:
    old, new = change
    assert old in MINIMAL
    d = _write(tmp_path, "mx.yaml", MINIMAL.replace(old, new, 1))
    with pytest.raises(RulesError) as err:
        load_rulebook(d)
    msg = str(err.value)
    assert msg.startswith(f"{d / 'mx.yaml'}: "), msg
    assert expected in msg, msg
    assert "\n" not in msg


def test_yaml_syntax_error_and_non_mapping(tmp_path: Path) -> None:
    d = _write(tmp_path, "mx.yaml", "schema_version: 1\nrules: [\n")
    with pytest.raises(RulesError, match=r"mx\.yaml: not valid YAML: line 3, column 1: ") as err:
        load_rulebook(d)
    assert "\n" not in str(err.value)
    d = _write(tmp_path, "mx.yaml", "- just a list\n")
    with pytest.raises(RulesError, match="must be a mapping"):
        load_rulebook(d)


def test_two_files_covering_one_code_are_refused(tmp_path: Path) -> None:
    d = _write(tmp_path, "mx.yaml", MINIMAL)
    (d / "mx2.yaml").write_text(MINIMAL.replace("jurisdiction: MX", "jurisdiction: MX"))
    with pytest.raises(
        RulesError, match=r"mx2\.yaml: field covers: MX is already covered by mx\.yaml"
    ):
        load_rulebook(d)


def test_empty_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match="no rules files"):
        load_rulebook(tmp_path)


def test_unknown_codes_are_reported_with_counts_never_dropped() -> None:
    groups = {
        ("UK", "shop"): 7,
        ("XX", "shop"): 2,
        ("US", "shop"): 4,
        ("US-ZZ", "shop"): 1,
        ("MX", "shop"): 3,
        ("PR", "shop"): 5,
        ("FR", "shop"): 0,
    }
    s = situation(
        groups, {"name", "ssn"}, "attack", "2026-05-04T15:00:00+00:00", "high", {"shop": "US"}
    )
    a = assess(s)
    assert {(u.jurisdiction, u.residents, u.reason) for u in a.unknown} == {
        ("UK", 7, "UK is not an ISO 3166-1 code; use GB"),
        ("XX", 2, "XX is not an ISO 3166-1 alpha-2 country code"),
        (
            "US",
            4,
            "US residents without a state: the 50 state laws differ; give ISO 3166-2 (US-CA)",
        ),
        ("US-ZZ", 1, "US-ZZ is not an ISO 3166-2 subdivision code"),
        ("MX", 3, "no rules file covers MX; take legal advice for these residents"),
    }
    keys = {o.key for o in a.obligations}
    assert "PR/individuals/shop" in keys  # ISO 3166-1 PR is Puerto Rico's law too
    assert not any(n.jurisdiction == "FR" for n in a.non_obligations)  # zero residents


def test_rules_sharing_a_short_name_get_distinct_keys(tmp_path: Path) -> None:
    second = MINIMAL.split("rules:\n", 1)[1].replace("mx-individuals", "mx-individuals-2")
    d = _write(tmp_path, "mx.yaml", MINIMAL + second)
    s = situation(
        {("MX", "t"): 1}, {"name"}, "attack", "2026-05-04T15:00:00+00:00", "high", {"t": "MX"}
    )
    keys = sorted(o.key for o in assess(s, load_rulebook(d)).obligations)
    assert keys == [
        "*/register/t",
        "MX/individuals/t#mx-individuals",
        "MX/individuals/t#mx-individuals-2",
    ]
