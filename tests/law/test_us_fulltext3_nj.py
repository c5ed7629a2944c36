"""New Jersey provenance (2026-12-01): the Ansvar-Systems/US-law-mcp repository is not a trusted
copy of statute text, so it is not a compared source for any rule; the New Jersey rules keep
their behaviour and say what was read where."""

from __future__ import annotations

from breachdesk.law.rules import RULES_DIR, load_file


def test_no_rule_counts_the_untrusted_repository_as_compared_text() -> None:
    """Issue 11 standards: a compared source names a text read in full for the provision; the
    Ansvar-Systems/US-law-mcp seed files are paraphrased or scraped copies."""
    for path in sorted(RULES_DIR.glob("*.yaml")):
        for rule in load_file(path).rules:
            assert all("Ansvar-Systems" not in s.url for s in rule.sources), rule.id


def test_nj_rules_say_where_each_text_was_read() -> None:
    """N.J. Stat. § 56:8-161 and § 56:8-163(b)-(g) were read only in the untrusted copy and
    § 56:8-163(a) in none, so every New Jersey rule stays unverified and says so."""
    for rule in load_file(RULES_DIR / "us-nj.yaml").rules:
        assert not rule.verified and not rule.sources, rule.id
        reason = next(n for n in rule.notes if n.startswith("unverified:"))
        assert "untrusted" in reason and "56:8-163(a)" in reason, rule.id
