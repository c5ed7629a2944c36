"""Issue 11 §4 / issue 8: each jurisdiction's required and forbidden notice content (the
law rules' ``content_required_ids`` and ``content_forbidden``) shapes the notice.
Massachusetts (Mass. Gen. Laws c. 93H § 3(b)): no nature of the breach, no number of
residents affected; the police-report and security-freeze paragraphs are required."""

from __future__ import annotations

from breachdesk.incident.lifecycle import set_locale_texts, update_text
from breachdesk.incident.obligations import refresh_obligations
from breachdesk.notify.adapter import customer_notices
from breachdesk.notify.facts import incident_facts
from breachdesk.notify.render import Rendered, Renderer
from breachdesk.notify.shaping import content_rules
from breachdesk.notify.spec import load_shaping, load_spec
from breachdesk.registry.entities import load_entities
from breachdesk.settings import Settings
from breachdesk.store import Store
from tests.notify.conftest import make_incident

DESCRIPTION = "Cached order pages were shown to other signed-in shoppers."
ROWS = [
    ("ma1", "mary@example.com", "Mary Lee", "US", "US-MA", "shop-us", "en-US", "email,name,ssn"),
    ("ma-de", "uwe@example.com", "Uwe Kühn", "US", "US-MA", "shop-us", "de-DE", "email,name,ssn"),
    ("ca1", "carol@example.com", "Carol Jo", "US", "US-CA", "shop-us", "en-US", "email,name,ssn"),
]


def _notices(store: Store, settings: Settings) -> dict[str, Rendered]:
    iid = make_incident(store, ROWS)
    update_text(store, iid, "t", description=DESCRIPTION)
    set_locale_texts(store, iid, "t", {"de": {"description": "Bestellseiten wurden angezeigt."}})
    refresh_obligations(store, settings, iid, "t")
    _, notices = customer_notices(store, iid, load_shaping())
    facts = incident_facts(store, iid, len(notices))
    entities = load_entities(settings.entities_path)
    r = Renderer()
    out = {}
    for n in notices:
        locale = "de-DE" if n.locale == "de-DE" else "en-US"
        # the planned context's own shaping is left empty: the law rules alone must hold
        ctx = n.context | {"shaping": {"headings": "default", "omit": []}}
        out[n.customer_id] = r.render(facts, entities[n.entity], ctx, "Pat", locale, "X")
    return out


def test_massachusetts_notice_has_no_description_and_the_required_paragraphs(
    store: Store, settings: Settings
) -> None:
    rules = content_rules("US-MA")
    assert {"police_report", "security_freeze"} <= set(rules.required)
    assert "breach_description" in rules.forbidden
    paragraphs = load_spec().content_paragraphs
    got = _notices(store, settings)
    ma = got["ma1"]
    for part in (ma.text, ma.html.replace("&#39;", "'")):
        assert DESCRIPTION not in part
        assert "Because of a technical error" not in part  # the nature of the breach
        assert "customers affected" not in part and "You are one of about" not in part
        assert paragraphs["police_report"] in part
        assert paragraphs["security_freeze"] in part
    # the same paragraphs, localised, for a Massachusetts resident who reads German
    de = got["ma-de"].text
    assert "Polizeibericht" in de and "Sperre" in de
    assert "Bestellseiten wurden angezeigt." not in de and "Aufgrund eines technischen" not in de
    # a Californian is told what happened, and gets no Massachusetts paragraphs
    ca = got["ca1"].text
    assert DESCRIPTION in ca and paragraphs["police_report"] not in ca
    assert paragraphs["security_freeze"] not in ca
