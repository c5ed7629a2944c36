"""Preview and approval: nothing is sent until an operator approved the rendered templates.

``preview`` renders sample notices for every (entity, locale) of the incident,
checks every required content element, and writes the samples to files.
``approve`` re-runs the same checks and appends ``notify.approve`` to the audit
log with a digest of the templates and catalogs; ``is_approved`` requires that
digest to match the files as they are now, so editing a template after approval
needs a new approval.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from breachdesk.notify.adapter import customer_notices, incident_facts
from breachdesk.notify.catalogs import shipped_locales
from breachdesk.notify.codes import verification_code
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
    "regulators_done": ["Sample Authority"],
    "regulators_pending": [],
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
) -> tuple[list[tuple[str, str, dict[str, Any]]], int]:
    """(entity, variant, context) per entity and shaping of the incident, and its total."""
    facts_notices = customer_notices(store, incident_id, load_shaping(templates_dir))[1]
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for n in facts_notices:
        if n.entity not in entities:
            continue
        shaping = n.context.get("shaping", {})
        variant = shaping.get("headings", "default") + (
            "-omit-" + "-".join(sorted(shaping["omit"])) if shaping.get("omit") else ""
        )
        seen.setdefault((n.entity, variant), n.context)
    if not seen:  # nothing planned yet: one synthetic sample per entity
        return [(e, "default", _SAMPLE_CONTEXT) for e in sorted(entities)], 0
    return [(e, v, ctx) for (e, v), ctx in sorted(seen.items())], len(facts_notices)


def preview(
    store: Store,
    cfg: Settings,
    incident_id: int,
    out_dir: Path | None,
    templates_dir: Path = TEMPLATES_DIR,
) -> PreviewResult:
    """Render and check samples per entity and locale; write them when ``out_dir`` is given."""
    renderer = Renderer(templates_dir)
    entities = load_entities(cfg.entities_path)
    key = load_key(cfg)
    samples, total = _samples(store, incident_id, entities, templates_dir)
    facts = incident_facts(store, incident_id, total_affected=total)
    result = PreviewResult(incident_id, out_dir or Path("."), templates_digest(renderer))
    code = verification_code(key, incident_id, "sample")
    for entity_id, variant, ctx in samples:
        entity = entities[entity_id]
        for locale in shipped_locales(renderer.locales_dir):
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
    return result


def approve(
    store: Store,
    cfg: Settings,
    incident_id: int,
    actor: str,
    templates_dir: Path = TEMPLATES_DIR,
) -> PreviewResult:
    """Check the templates again and record the approval in the audit log."""
    checked = preview(store, cfg, incident_id, None, templates_dir)
    with store.session() as s:
        record(
            s,
            actor,
            ACTION,
            f"incident:{incident_id}",
            {
                "templates_sha256": checked.digest,
                "samples": checked.samples,
                "entities": checked.entities,
                "locales": checked.locales,
            },
        )
    return checked


def is_approved(store: Store, incident_id: int, digest: str) -> bool:
    with store.session() as s:
        details = s.scalars(
            select(AuditEntry.details).where(
                AuditEntry.action == ACTION, AuditEntry.subject == f"incident:{incident_id}"
            )
        ).all()
    return any(d.get("templates_sha256") == digest for d in details)
