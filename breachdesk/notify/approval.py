"""Preview and approval: nothing is sent until an operator approved the rendered templates.

``preview`` renders sample notices for every (entity, locale) of the incident,
checks every required content element, and writes the samples to files.
``approve`` re-runs the same checks, refuses while a language of the affected
customers lacks the operator's texts (description, measures) unless a fallback
language is approved by name (``de=en``), and appends ``notify.approve`` to the
audit log with a digest of the templates and catalogs and one of the operator's
texts; ``is_approved`` requires both digests to match as things are now, so editing
a template or a text after approval needs a new approval.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from breachdesk.errors import UsageError
from breachdesk.incident.lifecycle import get_incident
from breachdesk.notify.adapter import customer_notices, incident_facts
from breachdesk.notify.catalogs import language, shipped_locales, supported_locale
from breachdesk.notify.codes import verification_code
from breachdesk.notify.facts import TEXT_FIELDS, IncidentFacts
from breachdesk.notify.plan import entity_locale
from breachdesk.notify.render import Renderer
from breachdesk.notify.spec import TEMPLATES_DIR, load_shaping
from breachdesk.registry.entities import Entity, load_entities
from breachdesk.settings import Settings
from breachdesk.store import Store
from breachdesk.store.audit import record
from breachdesk.store.models.audit import AuditEntry
from breachdesk.workspace import load_key

ACTION = "notify.approve"
SAMPLE_NAME = "Alex Example"
_SAMPLE_CONTEXT: dict[str, Any] = {
    "fields": ["email", "name", "password", "phone"],
    "first_seen": datetime(2026, 1, 5, 9, 0, tzinfo=UTC).isoformat(),
    "last_seen": datetime(2026, 1, 7, 17, 0, tzinfo=UTC).isoformat(),
    "recipients": 3,
    "public": False,
    "shaping": {"headings": "default", "omit": []},
}


@dataclass
class PreviewResult:
    incident_id: int
    out_dir: Path
    digest: str
    files: list[Path] = field(default_factory=list)
    samples: int = 0
    entities: list[str] = field(default_factory=list)
    locales: list[str] = field(default_factory=list)


def templates_digest(renderer: Renderer) -> str:
    h = hashlib.sha256()
    for path in renderer.digest_sources:
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def _samples(
    store: Store, incident_id: int, entities: dict[str, Entity], templates_dir: Path
) -> tuple[list[tuple[str, str, dict[str, Any]]], int, dict[str, set[str]]]:
    """(entity, variant, context) per entity and shaping of the incident, its total, and
    the full locales (``en-GB``) each entity's customers are written to."""
    facts_notices = customer_notices(store, incident_id, load_shaping(templates_dir))[1]
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    used: dict[str, set[str]] = {}
    for n in facts_notices:
        if n.entity not in entities:
            continue
        chosen = supported_locale(n.locale) if n.locale else None
        if chosen is not None:
            used.setdefault(n.entity, set()).add(chosen)
        shaping = n.context.get("shaping", {})
        variant = shaping.get("headings", "default") + (
            "-omit-" + "-".join(sorted(shaping["omit"])) if shaping.get("omit") else ""
        )
        seen.setdefault((n.entity, variant), n.context)
    if not seen:  # nothing planned yet: one synthetic sample per entity
        synthetic = [
            (e, "default", _SAMPLE_CONTEXT | {"country": entities[e].country, "subdivision": None})
            for e in sorted(entities)
        ]
        return synthetic, 0, used
    return [(e, v, ctx) for (e, v), ctx in sorted(seen.items())], len(facts_notices), used


def preview(
    store: Store,
    cfg: Settings,
    incident_id: int,
    out_dir: Path | None,
    templates_dir: Path = TEMPLATES_DIR,
) -> PreviewResult:
    """Render and check samples per entity in every shipped language and in every full
    locale the entity's customers read (en-GB dates differ from en); write them when
    ``out_dir`` is given."""
    renderer = Renderer(templates_dir)
    entities = load_entities(cfg.entities_path)
    key = load_key(cfg)
    samples, total, used = _samples(store, incident_id, entities, templates_dir)
    facts = incident_facts(store, incident_id, total_affected=total)
    result = PreviewResult(incident_id, out_dir or Path("."), templates_digest(renderer))
    code = verification_code(key, incident_id, "sample")
    for entity_id, variant, ctx in samples:
        entity = entities[entity_id]
        languages = shipped_locales(renderer.locales_dir)
        locales = [*languages, *sorted(used.get(entity_id, set()) - set(languages))]
        for locale in locales:
            rendered = renderer.render(facts, entity, ctx, SAMPLE_NAME, locale, code)
            renderer.check(
                rendered,
                renderer.variables(facts, entity, ctx, SAMPLE_NAME, locale, code),
                locale,
            )
            result.samples += 1
            if out_dir is None:
                continue
            folder = out_dir / f"incident-{incident_id}" / entity_id
            folder.mkdir(parents=True, exist_ok=True)
            stem = f"{locale}.{variant}"
            txt, html = folder / f"{stem}.txt", folder / f"{stem}.html"
            txt.write_text(f"Subject: {rendered.subject}\n\n{rendered.text}", encoding="utf-8")
            html.write_text(rendered.html, encoding="utf-8")
            result.files += [txt, html]
    result.entities = sorted({e for e, _, _ in samples})
    result.locales = list(shipped_locales(renderer.locales_dir))
    result.locales += sorted(set().union(*used.values()) - set(result.locales)) if used else []
    return result


def texts_digest(store: Store, incident_id: int) -> str:
    """A digest of what the operator wrote for the notices (texts per language, the
    base texts, the "not exposed" list)."""
    inc = get_incident(store, incident_id)
    body = {
        "description": inc.description or "",
        "measures": inc.measures or "",
        "texts": inc.texts or {},
        "not_exposed": list(inc.not_exposed or []),
    }
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode("utf-8")).hexdigest()


def affected_languages(store: Store, cfg: Settings, incident_id: int) -> dict[str, int]:
    """Catalog language -> number of affected customers written to in it."""
    entities = load_entities(cfg.entities_path)
    _, notices = customer_notices(store, incident_id, load_shaping(TEMPLATES_DIR))
    counts: dict[str, int] = {}
    for n in notices:
        entity = entities.get(n.entity)
        chosen = supported_locale(n.locale) if n.locale else None
        if chosen is None and not n.locale and entity is not None:
            chosen = supported_locale(entity_locale(entity)) or "en"
        if chosen is None:  # held at planning (unknown locale or entity)
            continue
        counts[language(chosen)] = counts.get(language(chosen), 0) + 1
    return counts


def parse_fallbacks(values: list[str]) -> dict[str, str]:
    """``["de=en", "ja=en"]`` -> ``{"de": "en", "ja": "en"}``."""
    out: dict[str, str] = {}
    for v in values:
        lang, sep, to = v.partition("=")
        lang, to = lang.strip().lower(), to.strip().lower()
        if not sep or not lang or not to or lang == to:
            raise UsageError(f"--fallback {v!r}: write LANGUAGE=FALLBACK, e.g. de=en")
        if to not in shipped_locales() or lang not in shipped_locales():
            raise UsageError(
                f"--fallback {v!r}: languages with a catalog: {', '.join(shipped_locales())}"
            )
        out[lang] = to
    return out


def missing_texts(facts: IncidentFacts, languages: list[str]) -> dict[str, list[str]]:
    """Language -> the operator texts it lacks (texts written in some language only)."""
    written = [
        f for f in TEXT_FIELDS if facts.has_text("en", f) or any(n == f for _, n, _ in facts.texts)
    ]
    out = {}
    for lang in sorted(languages):
        lacks = [f for f in written if not facts.has_text(lang, f)]
        if lacks:
            out[lang] = lacks
    return out


def approve(
    store: Store,
    cfg: Settings,
    incident_id: int,
    actor: str,
    templates_dir: Path = TEMPLATES_DIR,
    fallbacks: dict[str, str] | None = None,
) -> PreviewResult:
    """Check the templates and the operator's texts per language, then record the
    approval (with any language fallback approved by name) in the audit log."""
    fallbacks = dict(fallbacks or {})
    langs = affected_languages(store, cfg, incident_id)
    facts = incident_facts(store, incident_id, total_affected=sum(langs.values()))
    missing = missing_texts(facts, list(langs))
    for lang, to in fallbacks.items():
        if to in missing:
            raise UsageError(
                f"--fallback {lang}={to}: {to} lacks the texts too ({', '.join(missing[to])})"
            )
    uncovered = {lang: f for lang, f in missing.items() if lang not in fallbacks}
    if uncovered:
        what = "; ".join(
            f"{lang} ({langs[lang]:,} customers): no {' or '.join(f)}"
            for lang, f in uncovered.items()
        )
        first = next(iter(uncovered))
        raise UsageError(
            f"incident {incident_id}: notices not approved, texts missing in {what}. "
            f"Give them with `breachdesk incident edit {incident_id} --locale {first} "
            f"--{uncovered[first][0]} ...` (or --texts FILE.yaml), or approve a fallback "
            f"language by name: --fallback {first}=en"
        )
    checked = preview(store, cfg, incident_id, None, templates_dir)
    used = {lang: to for lang, to in fallbacks.items() if lang in missing}
    with store.session() as s:
        record(
            s,
            actor,
            ACTION,
            f"incident:{incident_id}",
            {
                "templates_sha256": checked.digest,
                "texts_sha256": texts_digest(store, incident_id),
                "samples": checked.samples,
                "entities": checked.entities,
                "locales": checked.locales,
                "languages": langs,
                "fallbacks": used,
            },
        )
    return checked


def is_approved(store: Store, incident_id: int, digest: str) -> bool:
    """The latest approval covers these templates and the operator's texts as they are."""
    with store.session() as s:
        details = s.scalars(
            select(AuditEntry.details)
            .where(AuditEntry.action == ACTION, AuditEntry.subject == f"incident:{incident_id}")
            .order_by(AuditEntry.seq.desc())
            .limit(1)
        ).first()
    if not details or details.get("templates_sha256") != digest:
        return False
    texts = details.get("texts_sha256")
    return texts is None or texts == texts_digest(store, incident_id)
