"""Render one customer's notice (subject, plain text, HTML) in ONE language.

Templates are Jinja data files (see ``templates/notice.yaml``); every required
content element is a block of the same name in both the text and the HTML
template. Dates and numbers are formatted with Babel for the customer's full
locale (en-GB is not en-US), in the sending entity's time zone. Operator texts
come per language (``IncidentFacts.texts``); a language without them is written in
the fallback language the operator approved, never half in one and half in another.
Authorities are named from ``templates/regulators.yaml``; the paragraphs a
jurisdiction's rules require (police report, security freeze...) come from
``notice.yaml`` and the law rules. ``check`` is what ``notify preview`` runs.
"""

from __future__ import annotations

import gettext
import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, cached_property
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pycountry
from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_decimal
from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    Template,
    TemplateError,
    select_autoescape,
)
from markupsafe import Markup, escape

from breachdesk.errors import RulesError
from breachdesk.notify.catalogs import LOCALES_DIR, babel_locale, language, translations
from breachdesk.notify.facts import TEXT_FIELDS, IncidentFacts
from breachdesk.notify.home_regulator import home_regulator
from breachdesk.notify.shaping import content_shaping
from breachdesk.notify.spec import (
    TEMPLATES_DIR,
    NoticeSpec,
    RegulatorName,
    Shaping,
    load_regulators,
    load_shaping,
    load_spec,
    shaping_for,
)
from breachdesk.registry.entities import Entity

__all__ = ["IncidentFacts", "Rendered", "Renderer", "about", "effective_locale"]

_NAME, _CODE = "\x00name\x00", "\x00code\x00"
_LINK = re.compile(r"https?://|<a\s|www\.|href=|src=", re.IGNORECASE)


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    language: str = ""  # the locale the notice is written in (its Content-Language)


def effective_locale(facts: IncidentFacts, locale: str) -> str:
    """The locale a notice is written in: the customer's, unless the operator wrote a
    text that this language lacks and approved a fallback language for it."""
    written = {name for _, name, _ in facts.texts} | {
        n for n in TEXT_FIELDS if facts.has_text("en", n)
    }
    if all(facts.has_text(locale, n) for n in written):
        return locale
    return facts.fallback(locale) or locale


@cache
def _subdivision_names(lang: str) -> gettext.NullTranslations:
    try:
        return gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=[lang])
    except OSError:
        return gettext.NullTranslations()


def place_name(code: str | None, locale: str) -> str:
    """A country (localised by Babel) or a subdivision (ISO 3166-2, localised by the
    iso-codes catalogs that ship with pycountry)."""
    if not code:
        return ""
    if "-" in code:
        sub = pycountry.subdivisions.get(code=code)  # type: ignore[no-untyped-call]
        if sub is None:
            return code
        return _subdivision_names(language(locale)).gettext(str(sub.name))
    try:
        return str(Locale.parse(babel_locale(locale)).territories.get(code, code))
    except (ValueError, UnknownLocaleError):
        return code


def about(n: int) -> int:
    """Round a count for "about N": exact below 100, else two significant digits."""
    if n < 100:
        return n
    digits = len(str(n)) - 2
    return round(n, -digits)


def _paragraphs(value: str) -> Markup:
    """Lay out macro output as HTML: lines become paragraphs, "- " lines a list.

    The macro output is already escaped (autoescape), so it stays ``Markup``.
    """
    out: list[Markup] = []
    items: list[Markup] = []
    for line in escape(value).splitlines():
        line = line.strip()
        if line.startswith("- "):
            items.append(Markup("<li>{}</li>").format(line[2:]))
            continue
        if items:
            out.append(Markup("<ul>{}</ul>").format(Markup("").join(items)))
            items = []
        if line:
            out.append(Markup("<p>{}</p>").format(line))
    if items:
        out.append(Markup("<ul>{}</ul>").format(Markup("").join(items)))
    return Markup("\n").join(out)


@cache
def _environment(templates_dir: Path, locales_dir: Path, locale: str) -> Environment:
    """One Jinja environment per folder and locale, shared so templates compile once."""
    env = Environment(
        loader=FileSystemLoader(templates_dir),
        extensions=["jinja2.ext.i18n"],
        autoescape=select_autoescape(["html.j2"], default_for_string=False),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
    )
    env.filters["paragraphs"] = _paragraphs
    env.install_gettext_translations(  # type: ignore[attr-defined]
        translations(language(locale), locales_dir), newstyle=True
    )
    return env


class Renderer:
    def __init__(self, templates_dir: Path = TEMPLATES_DIR, locales_dir: Path = LOCALES_DIR):
        self.templates_dir = templates_dir
        self.locales_dir = locales_dir
        self.spec: NoticeSpec = load_spec(templates_dir)
        self._envs: dict[str, tuple[Environment, Template, Template, Template]] = {}
        self._shared: dict[tuple[IncidentFacts, str, str, str], Rendered] = {}

    def _env(self, locale: str) -> tuple[Environment, Template, Template, Template]:
        locale = language(locale)  # one environment per catalog language
        got = self._envs.get(locale)
        if got is None:
            env = _environment(self.templates_dir, self.locales_dir, locale)
            try:
                got = (
                    env,
                    env.get_template(self.spec.subject),
                    env.get_template(self.spec.text),
                    env.get_template(self.spec.html),
                )
            except TemplateError as exc:
                raise RulesError(f"{self.templates_dir}: template error: {exc}") from None
            self._envs[locale] = got
        return got

    @cached_property
    def digest_sources(self) -> list[Path]:
        """Every file whose content an approval covers."""
        files = sorted(self.templates_dir.glob("*.j2")) + sorted(self.templates_dir.glob("*.yaml"))
        return files + sorted(self.locales_dir.glob("*/LC_MESSAGES/*.po"))

    @cached_property
    def place_rules(self) -> dict[str, Shaping]:
        return load_shaping(self.templates_dir)

    @cached_property
    def regulators(self) -> dict[str, RegulatorName]:
        return load_regulators(self.templates_dir)

    def authority(self, key: str, short: str, locale: str) -> str:
        """The authority's name in the notice's language, or "" (the template then says
        "the competent authority" with the short id)."""
        found = self.regulators.get(key) or self.regulators.get(short)
        if found is None:
            return ""
        return found.names.get(language(locale), "")

    def variables(
        self,
        facts: IncidentFacts,
        entity: Entity,
        ctx: dict[str, Any],
        name: str,
        locale: str,
        code: str,
    ) -> dict[str, Any]:
        tr = translations(locale, self.locales_dir)
        tz = ZoneInfo(entity.timezone)
        fmt_locale = babel_locale(locale)

        def day(value: str | datetime | None) -> str | None:
            if value is None:
                return None
            dt = datetime.fromisoformat(value) if isinstance(value, str) else value
            local: date = dt.astimezone(tz).date()
            return format_date(local, format="long", locale=fmt_locale)

        shaping = ctx.get("shaping", {})
        style = shaping.get("headings", "default")
        heads = self.spec.headings.get(style) or self.spec.headings["default"]
        fields = list(ctx.get("fields", []))
        labels = self.spec.data_labels
        country, subdivision = ctx.get("country"), ctx.get("subdivision")
        omit, paragraphs = content_shaping(
            country, subdivision, self.spec.content_blocks, self.spec.content_paragraphs
        )
        # the jurisdiction rules of shaping.yaml hold whatever the planned context says
        place_rule = shaping_for(self.place_rules, country or "", subdivision)
        omit |= set(shaping.get("omit", [])) | set(place_rule.omit)
        home = home_regulator(facts, country or "", subdivision, entity.id, entity.country)
        cause_msg = self.spec.causes.get(facts.cause, self.spec.causes.get("unknown", ""))
        role = self.spec.roles.get(entity.country) or self.spec.roles["default"]
        exposed = set(fields)
        not_exposed = [f for f in facts.not_exposed if f not in exposed]
        return {
            "locale": locale,
            "lang": language(locale),
            "entity": entity,
            "customer_name": name,
            "headings": {"style": style}
            | {k: (tr.gettext(v) if v else "") for k, v in heads.model_dump().items()},
            "omit": omit,
            "cause_text": tr.gettext(cause_msg) if cause_msg else "",
            "description": facts.text(locale, "description"),
            "exposed_from": day(ctx.get("first_seen") or facts.window_start),
            "exposed_to": day(ctx.get("last_seen") or facts.window_end),
            "became_aware": day(facts.became_aware_at),
            "fields": fields,
            "data_items": [tr.gettext(labels[f]) if f in labels else f for f in sorted(fields)],
            "not_exposed_items": [tr.gettext(labels[f]) if f in labels else f for f in not_exposed],
            "credentials": any(f in self.spec.credential_elements for f in fields),
            "public": bool(ctx.get("public", False)),
            "recipient_count": int(ctx.get("recipients", 0)),
            "total_about": format_decimal(about(facts.total_affected), locale=fmt_locale),
            "home": home,
            "authority": self.authority(home.authority, home.short, locale),
            "authority_short": home.short,
            "informed_on": day(home.done_at),
            "place": place_name(home.place, locale),
            "at_least": format_decimal(home.at_least, locale=fmt_locale),
            "paragraphs": [tr.gettext(self.spec.content_paragraphs[i]) for i in paragraphs],
            "role": tr.gettext(role),
            "measures": facts.text(locale, "measures").strip(),
            "verification_code": code,
        }

    def render(
        self,
        facts: IncidentFacts,
        entity: Entity,
        ctx: dict[str, Any],
        name: str,
        locale: str,
        code: str,
    ) -> Rendered:
        """Render one notice. Customers whose context is the same share one rendering with
        the name and code as tokens, which are then replaced (escaped for HTML)."""
        locale = effective_locale(facts, locale)
        key = (facts, entity.id, locale, json.dumps(ctx, sort_keys=True, default=str))
        shared = self._shared.get(key)
        if shared is None:
            if len(self._shared) >= 4096:
                self._shared.clear()
            shared = self._shared[key] = self._render(facts, entity, ctx, _NAME, locale, _CODE)
        html_name, html_code = str(escape(name)), str(escape(code))
        return Rendered(
            shared.subject.replace(_NAME, name).replace(_CODE, code),
            shared.text.replace(_NAME, name).replace(_CODE, code),
            shared.html.replace(_NAME, html_name).replace(_CODE, html_code),
            locale,
        )

    def _render(
        self,
        facts: IncidentFacts,
        entity: Entity,
        ctx: dict[str, Any],
        name: str,
        locale: str,
        code: str,
    ) -> Rendered:
        _, subj_t, text_t, html_t = self._env(locale)
        v = self.variables(facts, entity, ctx, name, locale, code)
        subject = " ".join(subj_t.render(v).split())
        v["subject"] = subject
        text = re.sub(r"\n{3,}", "\n\n", text_t.render(v)).strip() + "\n"
        html = html_t.render(v)
        return Rendered(subject, text, html, locale)

    def check(self, rendered: Rendered, v: dict[str, Any], locale: str) -> None:
        """Fail naming the first required element missing from, or empty in, a template."""
        _, _, text_t, html_t = self._env(locale)
        v = {**v, "subject": rendered.subject}
        omit: set[str] = v.get("omit", set())
        for tmpl, fname in ((text_t, self.spec.text), (html_t, self.spec.html)):
            path = self.templates_dir / fname
            ctx = tmpl.new_context(v)
            "".join(tmpl.root_render_func(ctx))  # runs the top-level imports the blocks use
            for element in self.spec.required_elements:
                block = tmpl.blocks.get(element)
                if block is None:
                    raise RulesError(f"{path}: missing required content element {element!r}")
                if element in omit:
                    continue
                body = "".join(block(ctx))
                if not re.sub(r"<[^>]+>", "", body).strip():
                    raise RulesError(
                        f"{path}: required content element {element!r} renders empty ({locale})"
                    )
        for part, body in (("text", rendered.text), ("html", rendered.html)):
            if _LINK.search(body):
                raise RulesError(
                    f"{self.templates_dir}: the {part} part contains a link; notices carry none"
                )
