"""Small builders for law tests: a situation from a few facts, and lookups by key."""

from __future__ import annotations

from datetime import datetime

from breachdesk.law.engine import assess
from breachdesk.law.situation import (
    AffectedGroup,
    Assessment,
    EntityEstablishment,
    NonObligation,
    Obligation,
    Situation,
)


def situation(
    groups: dict[tuple[str, str], int],
    elements: set[str],
    cause: str,
    aware: str,
    risk: str,
    entities: dict[str, str],
    encrypted: bool = False,
) -> Situation:
    """``groups``: (jurisdiction, entity) -> count; ``entities``: id -> country."""
    return Situation.model_validate(
        {
            "groups": [
                AffectedGroup(jurisdiction=j, entity=e, count=n) for (j, e), n in groups.items()
            ],
            "elements": elements,
            "cause": cause,
            "became_aware_at": datetime.fromisoformat(aware),
            "risk": risk,
            "entities": {
                i: EntityEstablishment(id=i, legal_name=f"{i} Ltd", country=c)
                for i, c in entities.items()
            },
            "encrypted": encrypted,
        }
    )


def by_key(a: Assessment) -> dict[str, Obligation]:
    keys = [o.key for o in a.obligations]
    assert len(keys) == len(set(keys)), f"duplicate obligation keys: {keys}"
    return {o.key: o for o in a.obligations}


def non_index(a: Assessment) -> dict[tuple[str, str | None], NonObligation]:
    return {(n.jurisdiction, n.rule_id): n for n in a.non_obligations}


def run(
    s: Situation,
) -> tuple[Assessment, dict[str, Obligation], dict[tuple[str, str | None], NonObligation]]:
    a = assess(s)
    return a, by_key(a), non_index(a)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text)
