"""The internal breach register: always an obligation, even with no affected residents.

GDPR Art. 33(5) documents every breach; PIPEDA keeps a record of every breach for 24
months; other regimes have their own. An entity with no statutory register duty still
gets one entry, marked as good practice, so no incident goes unrecorded.
"""

from __future__ import annotations

from breachdesk.law.rules import UNVERIFIED_NOTE, JurisdictionRules, RuleBook
from breachdesk.law.situation import Obligation, Situation

EDPB_0121 = "EDPB Guidelines 01/2021 on examples regarding data breach notification"
GOOD_PRACTICE = (
    "no statutory register duty found for this entity's jurisdictions; recorded as good "
    "practice (EDPB Guidelines 01/2021: document every breach)"
)


def register_obligations(
    situation: Situation, rb: RuleBook, applied: dict[str, list[JurisdictionRules]]
) -> list[Obligation]:
    entities = sorted(set(situation.entities) | set(applied) | {g.entity for g in situation.groups})
    if not entities:
        entities = ["controller"]
    out: list[Obligation] = []
    for entity in entities:
        files = list(applied.get(entity, []))
        est = situation.entities.get(entity)
        if est is not None and est.country:
            for jr in rb.for_code(est.country):
                if jr not in files:
                    files.append(jr)
        residents = sum(g.count for g in situation.groups if g.entity == entity)
        with_register = [jr for jr in files if jr.record_keeping is not None]
        for jr in with_register:
            reg = jr.record_keeping
            assert reg is not None
            notes = [f"keep for {reg.retention}"] if reg.retention else []
            if not reg.verified:
                notes.append(UNVERIFIED_NOTE)
            out.append(
                Obligation(
                    key=f"{jr.jurisdiction}/register/{entity}",
                    recipient_kind="internal_register",
                    recipient=f"internal breach register of {entity}",
                    jurisdiction=jr.jurisdiction,
                    entity=entity,
                    residents=residents,
                    due_at=None,
                    timezone="UTC",
                    deadline_text=reg.text,
                    rule_id=f"{jr.jurisdiction.lower()}-register",
                    citation=reg.citation,
                    last_verified=reg.last_verified,
                    verified=reg.verified,
                    notes=notes,
                    content_elements=["facts", "effects", "remedial action"],
                )
            )
        if not with_register:
            out.append(
                Obligation(
                    key=f"*/register/{entity}",
                    recipient_kind="internal_register",
                    recipient=f"internal breach register of {entity}",
                    jurisdiction="*",
                    entity=entity,
                    residents=residents,
                    due_at=None,
                    timezone="UTC",
                    deadline_text="record the breach now",
                    rule_id="good-practice-register",
                    citation=EDPB_0121,
                    last_verified=None,
                    verified=False,
                    notes=[GOOD_PRACTICE],
                    content_elements=["facts", "effects", "remedial action"],
                )
            )
    return out
