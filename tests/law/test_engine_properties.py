"""Invariants of the engine over random situations: nothing is dropped, registers
always exist, keys are unique, and no notice is due before awareness."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from breachdesk.law.engine import assess
from breachdesk.law.situation import AffectedGroup, EntityEstablishment, Situation
from tests.law.test_risk import ELEMENTS

CODES = [
    "GB",
    "DE",
    "FR",
    "IE",
    "NO",
    "US-CA",
    "US-TX",
    "US-NY",
    "US-FL",
    "PR",
    "CA-ON",
    "CA-QC",
    "JP",
    "KR",
    "SG",
    "BR",
    "AU",
    "NZ",
    "CH",
    "IN",
    "MX",
    "US",
    "XX",
    "UK",
    "DE-BY",
    "GB-SCT",
]
ENTITIES = {"shop-uk": "GB", "shop-de": "DE", "shop-us": "US", "shop-ca": "CA", "anon": ""}


@st.composite
def situations(draw: st.DrawFn) -> Situation:
    groups = draw(
        st.lists(
            st.builds(
                AffectedGroup,
                jurisdiction=st.sampled_from(CODES),
                entity=st.sampled_from(sorted(ENTITIES)),
                count=st.integers(min_value=0, max_value=20_000),
            ),
            max_size=8,
        )
    )
    aware = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(
        minutes=draw(st.integers(min_value=0, max_value=2 * 366 * 24 * 60))
    )
    return Situation(
        groups=groups,
        elements=frozenset(draw(st.sets(st.sampled_from(ELEMENTS), max_size=5))),
        cause=draw(st.sampled_from(["technical-error", "insider", "attack", "unknown"])),
        became_aware_at=aware,
        risk=draw(st.sampled_from(["unlikely", "risk", "high"])),
        entities={
            i: EntityEstablishment(id=i, legal_name=i, country=c) for i, c in ENTITIES.items()
        },
        encrypted=draw(st.booleans()),
    )


@settings(max_examples=150, deadline=None)
@given(situations())
def test_every_affected_group_is_accounted_for(s: Situation) -> None:
    a = assess(s)
    keys = [o.key for o in a.obligations]
    assert len(keys) == len(set(keys))
    registers = {o.entity for o in a.obligations if o.recipient_kind == "internal_register"}
    assert registers == set(s.entities)
    unknown = {u.jurisdiction for u in a.unknown}
    evaluated = {(o.jurisdiction, o.entity) for o in a.obligations}
    evaluated |= {(n.jurisdiction, n.entity) for n in a.non_obligations}
    for g in s.groups:
        if g.count == 0:
            continue
        # each group with residents is in the unknown list, or its code (or its
        # country, for country-level rules) was evaluated for its holding entity
        country = g.jurisdiction.split("-")[0]
        assert (
            g.jurisdiction in unknown
            or (g.jurisdiction, g.entity) in evaluated
            or (country, g.entity) in evaluated
        ), g
    for o in a.obligations:
        assert o.citation
        assert o.due_at is None or o.due_at >= s.became_aware_at
    assert sum(u.residents for u in a.unknown) <= sum(g.count for g in s.groups)
