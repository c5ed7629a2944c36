"""Plan an incident's notices: one outbox row per (incident, customer, channel).

The affected set is read in chunks of ``CHUNK`` customers (by ``customer_pk``):
each chunk's contexts, addresses and existing rows are loaded, written and
dropped before the next, so memory does not grow with the incident.

Idempotent: rows that exist are left as they are (their Message-ID never
changes), except ``held`` rows, which are re-checked and released when the
registry has since been fixed. A customer without a valid address, with an
unknown locale or with an unknown entity is held back with the reason; the
rest go.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from babel import Locale, UnknownLocaleError
from sqlalchemy import select, update

from breachdesk.notify.adapter import CustomerNotice, iter_customer_notices
from breachdesk.notify.catalogs import supported_locale
from breachdesk.notify.codes import message_id, verification_code
from breachdesk.notify.dkim_keys import sender_domain
from breachdesk.notify.spec import TEMPLATES_DIR, load_shaping
from breachdesk.registry.entities import Entity, load_entities
from breachdesk.registry.normalize import NormaliseError, normalise_email
from breachdesk.settings import Settings
from breachdesk.store import Store
from breachdesk.store.models import Customer
from breachdesk.store.models.base import utcnow
from breachdesk.store.models.outbox import OutboxRow
from breachdesk.workspace import load_key

CHANNEL = "email"
CHUNK = 5000


@dataclass
class PlanResult:
    incident_id: int
    affected: int = 0
    created: int = 0
    released: int = 0
    held: Counter[str] = field(default_factory=Counter)

    def to_json(self) -> dict[str, Any]:
        return {
            "incident": self.incident_id,
            "affected": self.affected,
            "created": self.created,
            "released": self.released,
            "held": dict(self.held),
        }


def entity_locale(entity: Entity) -> str:
    try:
        return Locale.parse(f"und_{entity.country}").language or "en"
    except (ValueError, UnknownLocaleError):
        return "en"


def check_recipient(
    email: str | None, locale: str | None, entity_id: str, entities: dict[str, Entity]
) -> tuple[str, str | None]:
    """(locale to use, None) when the customer can be notified, else ("", reason)."""
    entity = entities.get(entity_id)
    if entity is None:
        return "", f"unknown entity {entity_id!r}"
    try:
        normalise_email(email or "")
    except NormaliseError as exc:
        return "", f"no valid email address ({exc})"
    if not locale:
        chosen = supported_locale(entity_locale(entity)) or "en"
        return chosen, None
    chosen_or_none = supported_locale(locale)
    if chosen_or_none is None:
        return "", f"unknown locale {locale!r}"
    return chosen_or_none, None


def _emails(store: Store, pks: list[int]) -> dict[int, str]:
    with store.session() as s:
        rows = s.execute(select(Customer.id, Customer.email).where(Customer.id.in_(pks)))
        return {pk: email for pk, email in rows}


def _row(
    key: bytes, incident_id: int, n: CustomerNotice, entities: dict[str, Entity], email: str | None
) -> dict[str, Any]:
    locale, reason = check_recipient(email, n.locale, n.entity, entities)
    entity = entities.get(n.entity)
    domain = sender_domain(entity) if entity else "held.invalid"
    now = utcnow()
    return {
        "incident_id": incident_id,
        "customer_pk": n.customer_pk,
        "channel": CHANNEL,
        "entity": n.entity,
        "locale": locale or (n.locale or "")[:16],
        "state": "held" if reason else "pending",
        "reason": reason or "",
        "message_id": message_id(key, incident_id, n.customer_pk, CHANNEL, domain),
        "verification": verification_code(key, incident_id, n.customer_id),
        "context": n.context,
        "attempts": 0,
        "last_reply": "",
        "created_at": now,
        "updated_at": now,
    }


def _existing(store: Store, incident_id: int, pks: list[int]) -> dict[int, str]:
    """customer_pk -> state of the outbox rows that already exist for ``pks``."""
    with store.session() as s:
        rows = s.execute(
            select(OutboxRow.customer_pk, OutboxRow.state).where(
                OutboxRow.incident_id == incident_id,
                OutboxRow.channel == CHANNEL,
                OutboxRow.customer_pk.between(min(pks), max(pks)),
            )
        ).all()
    return {pk: state for pk, state in rows}


def plan(store: Store, cfg: Settings, incident_id: int) -> PlanResult:
    """Create the missing outbox rows of ``incident_id`` and release fixed ``held`` rows."""
    key = load_key(cfg)
    entities = load_entities(cfg.entities_path)
    result = PlanResult(incident_id)
    for part in iter_customer_notices(store, incident_id, load_shaping(TEMPLATES_DIR), CHUNK):
        if not part:
            continue
        result.affected += len(part)
        pks = [n.customer_pk for n in part]
        existing = _existing(store, incident_id, pks)
        emails = _emails(store, pks)
        rows = [_row(key, incident_id, n, entities, emails.get(n.customer_pk)) for n in part]
        new = [r for r in rows if r["customer_pk"] not in existing]
        # held and fixed since, or withdrawn and affected again (evidence re-attached)
        again = ("held", "withdrawn")
        fixed = [r for r in rows if existing.get(r["customer_pk"]) in again and not r["reason"]]
        with store.session() as s:
            store.upsert(
                s, OutboxRow, new, key=["incident_id", "customer_pk", "channel"], update=[]
            )
            for r in fixed:
                s.execute(
                    update(OutboxRow)
                    .where(
                        OutboxRow.incident_id == incident_id,
                        OutboxRow.customer_pk == r["customer_pk"],
                        OutboxRow.state.in_(again),
                    )
                    .values(
                        state="pending",
                        reason="",
                        locale=r["locale"],
                        entity=r["entity"],
                        context=r["context"],
                        message_id=r["message_id"],
                        updated_at=r["updated_at"],
                    )
                )
        result.created += len(new)
        result.released += len(fixed)
        for r in rows:
            if r["reason"] and (r in new or existing.get(r["customer_pk"]) == "held"):
                result.held[r["reason"].split(" (")[0]] += 1
    return result
