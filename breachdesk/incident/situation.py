"""Turn an incident's affected set into the law engine's :class:`Situation`.

Groups are per jurisdiction (the ISO 3166-2 subdivision when the registry knows
it, else the country) and per holding entity, so each person is notified by the
entity that holds their account and regulators follow each entity's establishment.
Exposed fields map to the engine's data elements; an email or username exposed
together with a password or security answer is also ``credentials``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import cast

from breachdesk.incident.affected import AffectedCustomer
from breachdesk.incident.fields import FIELD_ELEMENTS
from breachdesk.incident.law_answers import criterion_answers, key_compromised
from breachdesk.law.situation import (
    AffectedGroup,
    DataElement,
    EntityEstablishment,
    RiskLevel,
    Situation,
)
from breachdesk.registry.entities import Entity
from breachdesk.store.models.incidents import Incident


def elements_of(fields: Iterable[str]) -> frozenset[DataElement]:
    """The data elements a set of exposed fields amounts to (unknown names are skipped
    by the caller's validation; see ``attach.KNOWN_FIELDS``)."""
    out: set[DataElement] = {
        cast(DataElement, FIELD_ELEMENTS[f]) for f in fields if f in FIELD_ELEMENTS
    }
    if out & {"email", "username"} and out & {"password", "security_qa"}:
        out.add("credentials")
    return frozenset(out)


def jurisdiction_of(c: AffectedCustomer) -> str:
    return c.subdivision or c.country


def groups_of(people: Sequence[AffectedCustomer]) -> list[AffectedGroup]:
    counts = Counter((jurisdiction_of(c), c.entity) for c in people)
    return [
        AffectedGroup(jurisdiction=j, entity=e, count=n) for (j, e), n in sorted(counts.items())
    ]


def _involved(people: Sequence[AffectedCustomer], entities: Mapping[str, Entity]) -> list[Entity]:
    """Entities holding affected accounts; all entities when nobody is known affected yet,
    so each still records the breach in its register."""
    held = {c.entity for c in people}
    return [e for e in entities.values() if e.id in held] or list(entities.values())


def build_situation(
    inc: Incident,
    people: Sequence[AffectedCustomer],
    entities: Mapping[str, Entity],
    risk: RiskLevel,
) -> Situation:
    elements: set[DataElement] = set()
    for c in people:
        elements |= elements_of(c.fields)
    return Situation(
        groups=groups_of(people),
        elements=frozenset(elements),
        cause=inc.cause,
        became_aware_at=inc.became_aware_at,
        risk=risk,
        entities={
            e.id: EntityEstablishment(id=e.id, legal_name=e.legal_name, country=e.country)
            for e in _involved(people, entities)
        },
        encrypted=inc.encrypted,
        key_compromised=key_compromised(inc),
        answers=criterion_answers(inc),
        incident_ref=f"incident:{inc.id}",
    )
