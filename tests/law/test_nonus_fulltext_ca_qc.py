"""Quebec rules: the parts compared with LégisQuébec section text (CQLR c. P-39.1 ss. 3.6, 3.7;
Regulation respecting confidentiality incidents s. 5); each test cites its provision."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from breachdesk.law.engine import assess
from breachdesk.law.rules import RULES_DIR, load_file
from breachdesk.law.situation import Assessment, Situation

AWARE = "2026-05-04T15:00:00+00:00"


def sit(count: int, elements: set[str], **kw: Any) -> Situation:
    data: dict[str, Any] = {
        "groups": [{"jurisdiction": "CA-QC", "entity": "shop", "count": count}],
        "elements": elements,
        "cause": "attack",
        "became_aware_at": datetime.fromisoformat(AWARE),
        "risk": "high",
        "entities": {"shop": {"id": "shop", "legal_name": "Épicerie Côté inc.", "country": "CA"}},
    }
    data.update(kw)
    return Situation.model_validate(data)


def obligations(a: Assessment) -> dict[str, Any]:
    return {o.key: o for o in a.obligations}


def test_quebec_rules_stay_unverified_with_partial_sources() -> None:
    """s. 3.5 (official text) and Regulation ss. 3-4 were not read: no rule may claim verified."""
    doc = load_file(RULES_DIR / "ca-qc.yaml")
    for rule in doc.rules:
        assert not rule.verified, rule.id
        assert {"definition", "threshold"} <= {s.element for s in rule.sources}, rule.id


def test_quebec_individual_notice_carries_the_six_items_of_regulation_s5() -> None:
    """Regulation respecting confidentiality incidents s. 5(1)-(6): personal information,
    circumstances, date, measures taken, measures suggested, contact information."""
    ob = obligations(assess(sit(40, {"name", "health"})))["CA-QC/individuals/shop"]
    assert len(ob.content_elements) == 6
    text = " ".join(ob.content_elements)
    assert "suggests the person take" in text
    assert "contact information" in text


def test_quebec_investigation_exception_is_asked_and_a_yes_defers_individual_notice() -> None:
    """P-39.1 s. 3.5, third paragraph: no notice to persons concerned while it could hamper a
    criminal or statutory-offence investigation; the CAI is still notified."""
    a = assess(sit(40, {"name", "health"}))
    assert "ca-qc-investigation" in {q.id for q in a.open_questions}
    a = assess(sit(40, {"name", "health"}, answers={"ca-qc-investigation": True}))
    keys = set(obligations(a))
    assert "CA-QC/individuals/shop" not in keys
    assert "CA-QC/CAI/shop" in keys


def test_quebec_no_notice_without_risk_of_serious_injury() -> None:
    """P-39.1 ss. 3.5, 3.7: notices only where the incident presents a risk of serious injury."""
    keys = set(obligations(assess(sit(40, {"name", "email"}, risk="risk"))))
    assert not {"CA-QC/CAI/shop", "CA-QC/individuals/shop"} & keys
