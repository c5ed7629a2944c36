"""What-if files: a parser, so it is fuzzed: any JSON either loads or fails as InputError."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from breachdesk.errors import InputError
from breachdesk.law.whatif import load_what_if

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
KEYS = st.sampled_from(
    [
        "residents",
        "groups",
        "elements",
        "cause",
        "became_aware_at",
        "risk",
        "risk_answers",
        "entity",
        "entities",
        "encrypted",
        "title",
    ]
)


def _load(doc: object, suffix: str = ".json") -> None:
    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / f"w{suffix}"
        f.write_text(json.dumps(doc))
        load_what_if(f)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(KEYS, JSON, max_size=8))
def test_any_document_loads_or_fails_as_input_error(doc: dict[str, object]) -> None:
    try:
        _load(doc)
    except InputError as exc:
        assert "\n" not in str(exc)


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["GB", "DE", "US-CA", "JP", "CA-QC", "XX"]),
        st.integers(min_value=0, max_value=10**6),
        min_size=1,
    ),
    st.sets(st.sampled_from(["name", "email", "ssn", "credentials", "health"]), max_size=3),
)
def test_residents_become_groups_with_the_same_counts(
    residents: dict[str, int], elements: set[str]
) -> None:
    doc = {
        "residents": residents,
        "elements": sorted(elements),
        "cause": "attack",
        "became_aware_at": "2026-03-01T09:00:00Z",
    }
    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "w.yaml"
        f.write_text(json.dumps(doc))  # JSON is YAML
        wi = load_what_if(f)
    assert {g.jurisdiction: g.count for g in wi.situation.groups} == residents
    assert wi.risk is not None and wi.situation.risk == wi.risk.level
    assert wi.situation.entities["controller"].country == ""
