"""Which reports an incident can have: one per obligation the law engine persisted.

A report is for ONE obligation: one recipient (regulator or attorney general) named
by the catalogue, one entity, and the residents the obligation covers. Several rows
of one entity to one recipient (Japan's preliminary and final reports) are one
reportable obligation; the earliest due row gives the deadline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from breachdesk.errors import UsageError
from breachdesk.incident.affected import AffectedCustomer
from breachdesk.law.rules import JurisdictionRules, RuleBook
from breachdesk.registry.entities import Entity
from breachdesk.reports.catalogue import Catalogue, ReportSpec
from breachdesk.store import Store
from breachdesk.store.models.incidents import ObligationRow

REPORTED_KINDS = ("regulator", "attorney_general")


@dataclass(frozen=True)
class Reportable:
    """One (recipient, entity) obligation; ``rows`` is empty for a voluntary report."""

    spec: ReportSpec
    entity: str
    rows: tuple[ObligationRow, ...]

    @property
    def row(self) -> ObligationRow | None:
        """The row whose deadline comes first."""
        if not self.rows:
            return None
        return min(self.rows, key=lambda r: (r.due_at is None, r.due_at or datetime.max, r.key))

    @property
    def residents(self) -> int | None:
        return max(r.residents for r in self.rows) if self.rows else None

    @property
    def label(self) -> str:
        return f"{self.spec.id} from {self.entity}"


def current_rows(store: Store, incident_id: int) -> list[ObligationRow]:
    with store.session() as s:
        return list(
            s.scalars(
                select(ObligationRow).where(
                    ObligationRow.incident_id == incident_id, ObligationRow.current.is_(True)
                )
            )
        )


def spec_for_row(row: ObligationRow, catalogue: Catalogue) -> ReportSpec | None:
    """The catalogue entry that reports this obligation: by its short name in the key
    (``GB/ICO/shop-uk``), else by jurisdiction (``US-CA`` -> CA-AG)."""
    if row.recipient_kind not in REPORTED_KINDS:
        return None
    parts = row.key.split("#", 1)[0].split("/")
    short = parts[1] if len(parts) > 2 else ""
    for spec in catalogue.reports:
        if spec.id == short:
            return spec
    for spec in catalogue.reports:
        if row.jurisdiction in spec.jurisdictions:
            return spec
    return None


def reportable(rows: Sequence[ObligationRow], catalogue: Catalogue) -> list[Reportable]:
    """Every obligation of the incident that a catalogue template can report."""
    grouped: dict[tuple[str, str], list[ObligationRow]] = {}
    specs: dict[str, ReportSpec] = {}
    for r in rows:
        spec = spec_for_row(r, catalogue)
        if spec is None or not r.entity:
            continue
        specs[spec.id] = spec
        grouped.setdefault((spec.id, r.entity), []).append(r)
    return [
        Reportable(specs[sid], entity, tuple(sorted(rs, key=lambda r: r.key)))
        for (sid, entity), rs in sorted(grouped.items())
    ]


def choose(
    incident_id: int,
    spec: ReportSpec,
    found: Sequence[Reportable],
    entity: str | None,
    entities: dict[str, Entity],
) -> Reportable:
    """The obligation ``--for`` (and ``--entity``) name, or a usage error that lists them."""
    mine = [r for r in found if r.spec.id == spec.id]
    if entity is not None:
        if entity not in entities:
            raise UsageError(f"--entity {entity!r}: no such entity; known: {', '.join(entities)}")
        picked = [r for r in mine if r.entity == entity]
        if picked:
            return picked[0]
        if spec.sample_notice:
            raise UsageError(_none_due(incident_id, spec, found))
        # No obligation recorded (not assessed yet, or not due): a voluntary report.
        return Reportable(spec, entity, ())
    if len(mine) == 1:
        return mine[0]
    if len(mine) > 1:
        listed = "; ".join(
            f"--entity {r.entity} ({r.residents:,} residents)" for r in mine if r.residents
        )
        raise UsageError(
            f"incident {incident_id}: {len(mine)} entities owe {spec.id} a report; "
            f"choose one: {listed}"
        )
    raise UsageError(_none_due(incident_id, spec, found))


def _none_due(incident_id: int, spec: ReportSpec, found: Sequence[Reportable]) -> str:
    what = "no sample notice to" if spec.sample_notice else "no obligation to report to"
    can = ", ".join(f"{r.spec.id} --entity {r.entity}" for r in found) or "none"
    hint = (
        ""
        if spec.sample_notice
        else "; pass --entity ID to write a voluntary report, or run `breachdesk obligations "
        f"{incident_id}` if the assessment is out of date"
    )
    return f"incident {incident_id}: {what} {spec.id} is due (reportable: {can}){hint}"


def _file_of(rule_id: str, rulebook: RuleBook) -> JurisdictionRules | None:
    for jr in rulebook.files.values():
        if any(rule.id == rule_id for rule in jr.rules):
            return jr
    return None


def population(
    ob: Reportable,
    people: Sequence[AffectedCustomer],
    entities: dict[str, Entity],
    rulebook: RuleBook,
) -> list[AffectedCustomer]:
    """The affected customers the obligation covers: the entity's residents of the
    obligation's jurisdiction; for a GDPR lead authority, the entity's residents of
    every state the regime covers (Art. 56)."""
    held = [c for c in people if c.entity == ob.entity]
    row = ob.row
    if row is None:  # voluntary: the entity's residents of the recipient's jurisdictions
        return [c for c in held if ob.spec.covers(c.country, c.subdivision)]
    jr = _file_of(row.rule_id, rulebook)
    home = entities[ob.entity].country if ob.entity in entities else ""
    if (
        jr is not None
        and jr.routing == "one_stop_shop"
        and row.recipient_kind == "regulator"
        and row.jurisdiction == home
    ):
        return [c for c in held if jr in rulebook.for_code(c.subdivision or c.country)]
    return [c for c in held if row.jurisdiction in (c.country, c.subdivision)]
