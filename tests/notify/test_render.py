"""Each locale renders the per-customer notice; jurisdiction shaping; the template schema."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from hypothesis import given
from hypothesis import strategies as st
from jinja2 import Environment

from breachdesk.errors import RulesError
from breachdesk.notify.approval import preview
from breachdesk.notify.catalogs import (
    LOCALES_DIR,
    shipped_locales,
    supported_locale,
    translations,
)
from breachdesk.notify.codes import check_code, normalise_code, verification_code
from breachdesk.notify.facts import RegulatorFact
from breachdesk.notify.render import IncidentFacts, Renderer, about
from breachdesk.notify.spec import TEMPLATES_DIR, load_spec
from breachdesk.registry.entities import SEED, EntitiesFile

ENTITIES = {
    e.id: e for e in EntitiesFile.model_validate(__import__("yaml").safe_load(SEED)).entities
}
FACTS = IncidentFacts(
    incident_id=7,
    cause="technical-error",
    became_aware_at=datetime(2026, 3, 2, 10, 0, tzinfo=UTC),
    measures="",
    total_affected=12_345,
    regulators=(
        RegulatorFact(
            "ICO",
            "Information Commissioner's Office (ICO)",
            "regulator",
            "GB",
            "shop-uk",
            True,
            datetime(2026, 3, 3, 9, 0, tzinfo=UTC),
        ),
    ),
)
CTX = {
    "fields": ["email", "name", "password"],
    "first_seen": "2026-03-01T08:00:00+00:00",
    "last_seen": "2026-03-01T20:00:00+00:00",
    "recipients": 3,
    "public": False,
    "shaping": {"headings": "default", "omit": []},
    "country": "GB",
    "subdivision": None,
}
# locale -> (localised "12,000", localised month of 1 March 2026, a translated phrase)
EXPECT = {
    "en": ("12,000", "March 1, 2026", "You are one of about"),
    "de": ("12.000", "1. März 2026", "Sie sind einer von etwa"),
    "fr": ("12\u202f000", "1 mars 2026", "Vous faites partie d'environ"),
    "es": ("12.000", "1 de marzo de 2026", "Usted es uno de unos"),
    "it": ("12.000", "1 marzo 2026", "Lei è uno dei circa"),
    "ja": ("12,000", "2026年3月1日", "影響を受けたお客様は約"),
}


def test_ships_the_six_locales() -> None:
    assert set(shipped_locales()) >= set(EXPECT)


@pytest.mark.parametrize("locale", sorted(EXPECT))
def test_each_locale_renders_localised_text_dates_and_numbers(locale: str) -> None:
    r = Renderer().render(FACTS, ENTITIES["shop-uk"], CTX, "Alex Example", locale, "ABCD-EFGH-JKMN")
    number, day, phrase = EXPECT[locale]
    for part in (r.text, r.html):
        assert number in part
        assert day in part
        assert phrase in part.replace("&#39;", "'")
        assert "ABCD-EFGH-JKMN" in part
        assert "shop.example.co.uk" in part  # the domain to type, never a link
        assert "http" not in part and "<a " not in part
    assert "Example Shop UK Ltd" in r.subject
    if locale != "en":  # really translated, not English left over
        assert "Turn on two-factor authentication" not in r.text


def test_catalogs_cover_every_message() -> None:
    spec = load_spec()
    env = Environment(extensions=["jinja2.ext.i18n"])
    wanted: set[str] = set()
    for tmpl in TEMPLATES_DIR.glob("*.j2"):
        for _, _, msg in env.extract_translations(tmpl.read_text(encoding="utf-8")):
            wanted.add(msg if isinstance(msg, str) else msg[0])
    for heads in spec.headings.values():
        wanted |= {v for v in heads.model_dump().values() if v}
    wanted |= set(spec.causes.values()) | set(spec.data_labels.values())
    wanted |= set(spec.roles.values()) | set(spec.content_paragraphs.values())
    for locale in shipped_locales()[1:]:
        po = LOCALES_DIR / locale / "LC_MESSAGES" / "notice.po"
        with po.open("rb") as fh:
            catalog = read_po(fh)
        translated = {
            m.id if isinstance(m.id, str) else m.id[0]
            for m in catalog
            if m.id and (m.string if isinstance(m.string, str) else all(m.string))
        }
        assert sorted(wanted - translated) == [], locale
        assert translations(locale).gettext("Contact")  # compiles and loads


def test_content_fits_the_exposed_data() -> None:
    r = Renderer()
    with_pw = r.render(FACTS, ENTITIES["shop-uk"], CTX, "A", "en", "X")
    no_pw = r.render(FACTS, ENTITIES["shop-uk"], CTX | {"fields": ["email"]}, "A", "en", "X")
    assert "Change your password" in with_pw.text
    assert "Change your password" not in no_pw.text
    for t in (with_pw.text, no_pw.text):
        assert "criminals may imitate this notice" in t
        assert "two-factor authentication" in t
    assert "- password" in with_pw.text and "- password" not in no_pw.text
    assert "seen by 3 other people" in with_pw.text
    assert (
        "On March 3, 2026 we reported the incident to the UK data protection authority "
        "(Information Commissioner's Office, ICO)." in with_pw.text
    )
    assert "You are one of about 12,000 customers" in with_pw.text
    assert "between March 1, 2026 and" not in with_pw.text  # same day shows once
    assert "The exposure happened on March 1, 2026." in with_pw.text


def test_california_headings_and_massachusetts_omissions() -> None:
    r = Renderer()
    ca = r.render(
        FACTS,
        ENTITIES["shop-us"],
        CTX | {"shaping": {"headings": "california", "omit": []}},
        "A",
        "en",
        "X",
    )
    for heading in (
        "Notice of Data Breach",
        "What Happened?",
        "What Information Was Involved?",
        "What We Are Doing.",
        "What You Can Do.",
        "For More Information.",
    ):
        assert heading in ca.text and heading in ca.html
    ma = r.render(
        FACTS,
        ENTITIES["shop-us"],
        CTX | {"shaping": {"headings": "default", "omit": ["what_happened", "scope_count"]}},
        "A",
        "en",
        "X",
    )
    assert "technical error" not in ma.text and "technical error" not in ma.html
    assert "customers affected" not in ma.text and "12,000" not in ma.html
    assert "- email address" in ma.text  # what of theirs is still stated


def test_preview_fails_naming_the_missing_element(world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    broken = tmp_path / "templates"
    shutil.copytree(TEMPLATES_DIR, broken)
    html = broken / "notice.html.j2"
    html.write_text(
        html.read_text(encoding="utf-8").replace(
            "{% block verification %}{{ el.verification()|paragraphs }}{% endblock %}", ""
        ),
        encoding="utf-8",
    )
    with pytest.raises(
        RulesError, match=r"notice\.html\.j2: missing required content element 'verification'"
    ):
        preview(world.store, world.settings, world.incident_id, tmp_path / "out", broken)


def test_preview_fails_when_an_element_renders_empty(world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    broken = tmp_path / "templates"
    shutil.copytree(TEMPLATES_DIR, broken)
    txt = broken / "notice.txt.j2"
    txt.write_text(
        txt.read_text(encoding="utf-8").replace("{{ el.regulator() }}", ""), encoding="utf-8"
    )
    with pytest.raises(RulesError, match="'regulator' renders empty"):
        preview(world.store, world.settings, world.incident_id, None, broken)


def test_preview_writes_samples_per_entity_and_locale(world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = preview(world.store, world.settings, world.incident_id, tmp_path / "out")
    # every shipped language, and the full locales customers read (en-GB is not en)
    assert set(result.locales) >= set(EXPECT) | {"en-GB", "de-DE", "ja-JP"}
    assert "shop-jp" in result.entities and "shop-us" in result.entities
    names = {
        p.relative_to(tmp_path / "out" / f"incident-{world.incident_id}").as_posix()
        for p in result.files
    }
    assert "shop-jp/ja.default.txt" in names and "shop-uk/en-GB.default.txt" in names
    gb = tmp_path / "out" / f"incident-{world.incident_id}" / "shop-uk" / "en-GB.default.txt"
    assert "2 March 2026" in gb.read_text(encoding="utf-8")
    assert "shop-us/en.california.html" in names
    assert "shop-us/en.default-omit-scope_count-what_happened.txt" in names
    assert all(p.stat().st_size > 200 for p in result.files)


def test_about_rounds_counts() -> None:
    assert [about(n) for n in (7, 99, 123, 12_345, 1_049_999)] == [7, 99, 120, 12_000, 1_000_000]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("de-DE", "de-DE"),
        ("fr_CA", "fr-CA"),
        ("ja", "ja"),
        ("en-GB", "en-GB"),
        ("it_IT", "it-IT"),
        ("pl-PL", None),
        ("xx-!!", None),
        (None, None),
    ],
)
def test_supported_locale(value: str | None, expected: str | None) -> None:
    assert supported_locale(value) == expected


@given(st.integers(min_value=1, max_value=10**6), st.text(min_size=1, max_size=40))
def test_verification_code_checks_only_its_customer(incident: int, customer: str) -> None:
    key = b"k" * 32
    code = verification_code(key, incident, customer)
    assert check_code(key, incident, customer, code.lower().replace("-", " "))
    assert not check_code(key, incident + 1, customer, code)
    assert not check_code(b"j" * 32, incident, customer, code)
    assert normalise_code(code) == code


def test_shared_rendering_keeps_each_name_and_code_and_escapes_html() -> None:
    r = Renderer()
    a = r.render(FACTS, ENTITIES["shop-uk"], CTX, "Ann <b>&", "en", "AAAA-AAAA-AAAA")
    b = r.render(FACTS, ENTITIES["shop-uk"], CTX, "Bob", "en", "BBBB-BBBB-BBBB")
    assert "Dear Ann <b>&," in a.text and "Ann &lt;b&gt;&amp;" in a.html
    assert "<b>" not in a.html.split("<body", 1)[1].replace("<b>&", "")
    assert "Dear Bob," in b.text and "BBBB-BBBB-BBBB" in b.html
    assert "Ann" not in b.text + b.html and "AAAA" not in b.text + b.html
    assert "\x00" not in a.text + a.html + b.text + b.html + a.subject
