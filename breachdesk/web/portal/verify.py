""" "Is this notice genuine?": a notice's or a breach record's code -> who sent it,
when, which data categories it is about and which regulator was told. Nothing
about the recipient. An unknown code gets an answer of the same shape."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from breachdesk.notify.codes import normalise_code
from breachdesk.notify.lookup import find_notice
from breachdesk.registry.entities import Entity
from breachdesk.store import Store
from breachdesk.store.models.incidents import ObligationRow
from breachdesk.store.models.outbox import OutboxRow
from breachdesk.store.models.web import RecordCode
from breachdesk.web.portal.localise import field_labels
from breachdesk.web.portal.record import customer_record, regulators_for


@dataclass
class CodeAnswer:
    genuine: bool = False
    kind: str = ""  # notice | record
    entity: str = ""
    website: str = ""
    date: datetime | None = None
    categories: list[str] = field(default_factory=list)
    regulators: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)  # the categories in the reader's language

    def to_json(self) -> dict[str, object]:
        return {
            "genuine": self.genuine,
            "kind": self.kind or None,
            "entity": self.entity or None,
            "website": self.website or None,
            "date": self.date.isoformat() if self.date else None,
            "data_categories": self.categories,
            "regulators_informed": self.regulators,
        }


def _name(entities: dict[str, Entity], entity_id: str) -> tuple[str, str]:
    e = entities.get(entity_id)
    return (e.legal_name, e.website) if e else (entity_id, "")


def check_code(
    store: Store, key: bytes, entities: dict[str, Entity], text: str, lang: str = "en"
) -> CodeAnswer:
    code = normalise_code(text[:64])
    notice = find_notice(store, key, code)
    if notice is not None:
        with store.session() as s:
            ctx = s.scalar(
                select(OutboxRow.context).where(
                    OutboxRow.verification == code, OutboxRow.incident_id == notice.incident_id
                )
            )
            rows = list(
                s.scalars(
                    select(ObligationRow).where(
                        ObligationRow.incident_id == notice.incident_id,
                        ObligationRow.current.is_(True),
                    )
                )
            )
        ctx = ctx or {}
        done, _ = regulators_for(
            rows, ctx.get("country", ""), ctx.get("subdivision"), notice.entity, lang
        )
        name, site = _name(entities, notice.entity)
        return CodeAnswer(
            True,
            "notice",
            name,
            site,
            notice.sent_at,
            sorted(ctx.get("fields", [])),
            done,
            field_labels(sorted(ctx.get("fields", [])), lang),
        )
    with store.session() as s:
        rec = s.get(RecordCode, code)
    if rec is None:
        return CodeAnswer()
    person = customer_record(store, rec.customer_pk, entities, lang)
    exp = next((e for e in person.exposures if e.incident_id == rec.incident_id), None)
    name, site = _name(entities, rec.entity)
    return CodeAnswer(
        True,
        "record",
        name,
        site,
        rec.issued_at,
        exp.fields if exp else [],
        exp.regulators_done if exp else [],
        exp.labels if exp else [],
    )
