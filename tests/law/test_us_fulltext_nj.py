"""New Jersey rules compared with N.J. Stat. § 56:8-161 (in full) and § 56:8-163(b)-(g) as
amended by P.L.2019, c.95; each test cites the provision it checks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from breachdesk.law.engine import assess
from breachdesk.law.situation import Assessment, Situation

AWARE = "2026-05-04T15:00:00+00:00"


def sit(count: int, elements: set[str], **kw: Any) -> Situation:
    return Situation.model_validate(
        {
            "groups": [{"jurisdiction": "US-NJ", "entity": "shop", "count": count}],
            "elements": elements,
            "cause": "attack",
            "became_aware_at": datetime.fromisoformat(AWARE),
            "risk": "high",
            "entities": {"shop": {"id": "shop", "legal_name": "Shop Ltd", "country": "US"}},
            **kw,
        }
    )


def obligations(a: Assessment) -> dict[str, Any]:
    return {o.key: o for o in a.obligations}


def test_nj_data_rendered_unreadable_is_not_breached() -> None:
    """§ 56:8-161 'breach of security': only where the information was not secured by
    encryption or any other method that renders it unreadable or unusable."""
    for flag in ("encrypted", "redacted", "unusable"):
        assert "US-NJ/individuals/shop" not in obligations(
            assess(sit(3, {"name", "ssn"}, **{flag: True}))
        ), flag


def test_nj_name_with_online_credentials_counts() -> None:
    """§ 56:8-161 'personal information' (4): the name linked with a user name or e-mail
    address and a password for an online account (P.L.2019, c.95)."""
    assert "US-NJ/individuals/shop" in obligations(assess(sit(3, {"name", "email", "password"})))
    assert "US-NJ/individuals/shop" not in obligations(assess(sit(3, {"email", "password"})))


def test_nj_dissociated_data_is_asked_and_a_yes_fires() -> None:
    """§ 56:8-161: dissociated data is personal information if the means to link it were
    accessed; breachdesk asks, and a yes makes the notice due."""
    a = assess(sit(3, {"ssn"}))
    assert "us-nj-dissociated" in {q.id for q in a.open_questions}
    a = assess(sit(3, {"ssn"}, answers={"us-nj-dissociated": True}))
    assert "US-NJ/individuals/shop" in obligations(a)


def test_nj_state_police_first_and_reporting_agencies_above_1000() -> None:
    """§ 56:8-163(c)(1): report to the State Police 'in advance of the disclosure to the
    customer'; § 56:8-163(f): reporting agencies when 'more than 1,000 persons at one time'."""
    obs = obligations(assess(sit(1001, {"name", "ssn"})))
    assert "before notifying" in obs["US-NJ/NJSP/shop"].deadline_text
    assert "US-NJ/CRA/shop" in obs
    assert "US-NJ/CRA/shop" not in obligations(assess(sit(1000, {"name", "ssn"})))
