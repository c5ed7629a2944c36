"""North Dakota and New Hampshire regulator rules: the notice to the Attorney General is of the
same breach as the resident notice, so it carries the resident rule's compared definition and
exemption sources; what stays open is named (checked 2026-12-01)."""

from __future__ import annotations

import pytest

from breachdesk.law.provenance import unverified_reason
from breachdesk.law.rules import RULES_DIR, SOURCE_ELEMENTS, load_file


@pytest.mark.parametrize(
    ("state", "rule_id", "open_element"),
    [("nd", "us-nd-ag", "content"), ("nh", "us-nh-ag", "deadline")],
)
def test_ag_rule_shares_the_resident_definition_and_names_its_gap(
    state: str, rule_id: str, open_element: str
) -> None:
    """N.D. Cent. Code § 51-30-02 and N.H. Rev. Stat. § 359-C:20(I)(b): the Attorney General
    is told of the breach the residents are told of; only ``open_element`` lacks a source."""
    rules = {r.id: r for r in load_file(RULES_DIR / f"us-{state}.yaml").rules}
    ag, ind = rules[rule_id], rules[f"us-{state}-individuals"]
    assert ag.requires == ind.id
    have = {s.element for s in ag.sources}
    assert have == set(SOURCE_ELEMENTS) - {open_element}
    for element in ("definition", "exemptions"):
        urls = {s.url for s in ag.sources if s.element == element}
        assert urls <= {s.url for s in ind.sources if s.element == element}, element
    assert not ag.verified
    assert unverified_reason(ag).endswith(f"no compared source for: {open_element}")
