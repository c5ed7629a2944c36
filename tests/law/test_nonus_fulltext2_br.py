"""Brazil: LGPD Art. 48 and Resolução CD/ANPD nº 15/2024 (Regulamento Arts. 3-10) compared
with their text; each test cites its provision."""

from __future__ import annotations

from breachdesk.law.rules import RULES_DIR, SOURCE_ELEMENTS, load_file
from breachdesk.law.situation import Situation
from tests.law.builders import run, situation

AWARE = "2026-06-01T12:00:00+00:00"


def _br(elements: set[str], risk: str = "high", **update: object) -> Situation:
    s = situation({("BR", "loja"): 40}, elements, "attack", AWARE, risk, {"loja": "BR"})
    return Situation.model_validate({**s.model_dump(), **update}) if update else s


def test_br_rules_are_verified_with_a_source_per_element() -> None:
    """LGPD Art. 48 and Res. 15/2024 Arts. 4-10 were read in full."""
    doc = load_file(RULES_DIR / "br.yaml")
    for rule in doc.rules:
        assert rule.verified and {s.element for s in rule.sources} == set(SOURCE_ELEMENTS)
    assert doc.record_keeping is not None and doc.record_keeping.verified


def test_br_identity_number_alone_is_not_a_criterion_but_secrecy_is_asked() -> None:
    """Res. 15/2024 Art. 5(V) and Art. 3(IX), (X): the criterion is data protected by legal,
    judicial or professional secrecy, not identity documents as such; an ID number with a
    name is no ANPD communication until the DPO says the data are under secrecy."""
    a, obs, non = run(_br({"name", "government_id"}))
    assert "BR/ANPD/loja" not in obs and "BR/individuals/loja" not in obs
    assert any(q.id == "br-secrecy" for q in a.open_questions)
    assert "open question br-secrecy" in non[("BR", "br-anpd")].reason
    _, obs, _ = run(_br({"name", "government_id"}, answers={"br-secrecy": True}))
    assert "BR/ANPD/loja" in obs and "BR/individuals/loja" in obs


def test_br_login_account_is_authentication_data() -> None:
    """Res. 15/2024 Art. 3(VI): authentication data include login accounts, tokens and
    passwords, so a leaked username with significant effect is communicated (Art. 5(IV))."""
    _, obs, _ = run(_br({"username"}))
    assert "BR/ANPD/loja" in obs


def test_br_elderly_persons_are_a_criterion_asked_of_the_dpo() -> None:
    """Res. 15/2024 Art. 5(II): data of children, adolescents OR the elderly; breachdesk has
    no element for the elderly, so it asks, and a yes at 'high' makes the ANPD due."""
    a, obs, _ = run(_br({"name", "email"}))
    assert "BR/ANPD/loja" not in obs
    assert any(q.id == "br-elderly" for q in a.open_questions)
    _, obs, _ = run(_br({"name", "email"}, answers={"br-elderly": True}))
    assert "BR/ANPD/loja" in obs
    _, obs, _ = run(_br({"name", "email"}, risk="risk", answers={"br-elderly": True}))
    assert "BR/ANPD/loja" not in obs


def test_br_notice_content_follows_art_9_and_public_notice_lasts_three_months() -> None:
    """Res. 15/2024 Art. 9(I)-(VII): seven items, including the security measures used, the
    reasons for any delay and the date of awareness; Art. 9 §3: a public notice stays up at
    least three months (not '90 days'); Art. 6 §2 lists twelve items for the ANPD."""
    rules = {r.id: r for r in load_file(RULES_DIR / "br.yaml").rules}
    ind = rules["br-individuals"]
    assert len(ind.content) == 7
    assert any("reasons for the delay" in c for c in ind.content)
    assert any("became aware" in c for c in ind.content)
    assert any("three months" in n for n in ind.notes) and not any(
        "90 days" in n for n in ind.notes
    )
    assert len(rules["br-anpd"].content) == 12
