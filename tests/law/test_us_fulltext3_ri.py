"""Rhode Island rules: R.I. Gen. Laws § 11-49.3-3(a)(1)-(6) compared on 2026-12-01 with the
current text (counselstack copy, numbering after the 2023-24 amendments); each test cites the
provision it checks."""

from __future__ import annotations

from breachdesk.law.engine import assess
from breachdesk.law.rules import RULES_DIR, load_file
from breachdesk.law.situation import Situation
from tests.law.builders import by_key, situation

AWARE = "2026-05-04T15:00:00+00:00"


def sit(count: int, elements: set[str], **kw: bool) -> Situation:
    s = situation({("US-RI", "shop"): count}, elements, "attack", AWARE, "high", {"shop": "US"})
    return s.model_copy(update=kw)


def test_ri_encryption_is_cited_to_a_4_as_now_numbered() -> None:
    """§ 11-49.3-3(a)(4) is 'encrypted' since 'classified data' and 'cybersecurity incident'
    were inserted as (a)(2)-(3); the exemptions element now has a compared source on every
    Rhode Island rule, and only the personal-information definition stays open."""
    for rule in load_file(RULES_DIR / "us-ri.yaml").rules:
        assert not rule.verified, rule.id
        elements = {s.element for s in rule.sources}
        assert "exemptions" in elements and "definition" not in elements, rule.id
        assert any("(a)(4)" in s.citation for s in rule.sources), rule.id
    ind = load_file(RULES_DIR / "us-ri.yaml").rules[0]
    assert "(a)(4)" in ind.exemptions[0].citation and "(a)(8)" not in ind.exemptions[0].citation


def test_ri_encrypted_data_taken_with_its_key_is_not_encrypted() -> None:
    """§ 11-49.3-3(a)(4): data is not encrypted 'if it is acquired in combination with any
    key, security code, or password that would permit access to the encrypted data'."""
    assert "US-RI/individuals/shop" not in by_key(assess(sit(10, {"name", "ssn"}, encrypted=True)))
    a = assess(sit(10, {"name", "ssn"}, encrypted=True, key_compromised=True))
    assert "US-RI/individuals/shop" in by_key(a)


def test_ri_agencies_told_above_500_residents() -> None:
    """§ 11-49.3-4(a)(2): 'more than five hundred (500) Rhode Island residents' brings notice
    to the attorney general and the major credit reporting agencies of the timing, content and
    distribution of the notices."""
    low = by_key(assess(sit(500, {"name", "ssn"})))
    assert "US-RI/AG/shop" not in low and "US-RI/CRA/shop" not in low
    high = by_key(assess(sit(501, {"name", "ssn"})))
    assert "US-RI/AG/shop" in high and "US-RI/CRA/shop" in high
    assert any("distribution" in c for c in high["US-RI/CRA/shop"].content_elements)
