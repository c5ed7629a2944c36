"""What-if files: a hypothetical incident for tabletop exercises, in YAML or JSON.

::

    residents: {GB: 120, DE: 40, US-CA: 812}     # ISO 3166-1 or 3166-2 -> count
    elements: [name, email]
    cause: technical-error                        # technical-error|insider|attack|unknown
    became_aware_at: 2026-03-27T09:00:00Z
    risk: risk                                    # optional: unlikely|risk|high (else ENISA)
    risk_answers: {recipients: known}             # optional ENISA answers
    entity: {id: shop-uk, legal_name: Shop Ltd, country: GB}   # optional
    encrypted: false                              # optional: data encrypted ...
    key_compromised: false                        # ... and was the key also taken?
    redacted: false                               # optional; unusable: false likewise
    answers: {br-large-scale: yes}                # optional: unmodelled criteria, by id

For several holding entities give ``entities: [{id, legal_name, country}, ...]`` and
``groups: [{jurisdiction, entity, count}, ...]`` instead of ``entity`` and ``residents``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from breachdesk.errors import InputError
from breachdesk.law.risk import RiskAnswers, RiskResult, assess_risk
from breachdesk.law.situation import AffectedGroup, EntityEstablishment, Situation
from breachdesk.law.yaml_errors import syntax_error_line

DEFAULT_ENTITY = "controller"
_KEYS = {
    "residents",
    "groups",
    "elements",
    "cause",
    "became_aware_at",
    "risk",
    "risk_answers",
    "entity",
    "entities",
    "encrypted",
    "key_compromised",
    "redacted",
    "unusable",
    "answers",
    "incident_ref",
    "title",
}


MAX_BYTES = 1024 * 1024  # a what-if file is a few lines
MAX_DEPTH = 64


def _check_nesting(text: str) -> None:
    """Refuse deep bracket nesting before a parser recurses into it (slowly)."""
    depth = 0
    for ch in re.findall(r"[\[\]{}]", text):
        depth = depth + 1 if ch in "[{" else max(0, depth - 1)
        if depth > MAX_DEPTH:
            raise RecursionError


@dataclass(frozen=True)
class WhatIf:
    situation: Situation
    risk: RiskResult | None  # set when the risk level was computed, not given


def _read(path: Path) -> dict[str, Any]:
    """Parse the file; anything hostile (bytes, dates, keys, nesting) is one InputError."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise InputError(str(path), f"over {MAX_BYTES:,} bytes; a what-if file is a few lines")
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(str(path), f"cannot read: {exc.strerror}") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(
            str(path),
            f"not UTF-8 text (byte 0x{data[exc.start]:02X} on line {line}); re-save as UTF-8",
        ) from None
    kind = "JSON" if path.suffix.lower() == ".json" else "YAML"
    try:
        _check_nesting(text)
        raw = json.loads(text) if kind == "JSON" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise InputError(str(path), f"not valid {kind}: {syntax_error_line(exc)}") from None
    except RecursionError:
        raise InputError(str(path), f"not valid {kind}: nested too deeply") from None
    except (ValueError, TypeError, OverflowError) as exc:  # e.g. a date like 2026-13-45
        reason = " ".join(str(exc).split())[:160].encode("unicode_escape").decode()
        raise InputError(str(path), f"not valid {kind}: {reason}") from None
    if not isinstance(raw, dict):
        raise InputError(
            str(path), "must be a mapping with residents, elements, cause, became_aware_at"
        )
    odd = [k for k in raw if not isinstance(k, str)]
    if odd:
        raise InputError(
            str(path), f"key {odd[0]!r} is not a name; allowed: {', '.join(sorted(_KEYS))}"
        )
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        shown = ", ".join(k.encode("unicode_escape").decode() for k in unknown)
        raise InputError(str(path), f"unknown keys {shown}; allowed: {', '.join(sorted(_KEYS))}")
    return raw


def _entities(raw: dict[str, Any]) -> list[Any]:
    if "entities" in raw:
        entities = raw["entities"]
        if not isinstance(entities, list) or not entities:
            raise ValueError("entities must be a non-empty list of {id, legal_name, country}")
        return entities
    if "entity" in raw:
        return [raw["entity"]]
    return [{"id": DEFAULT_ENTITY, "legal_name": "(hypothetical controller)", "country": ""}]


def _groups(raw: dict[str, Any], default_entity: str) -> list[Any]:
    if "groups" in raw:
        groups = raw["groups"]
        if not isinstance(groups, list):
            raise ValueError("groups must be a list of {jurisdiction, entity, count}")
        return groups
    residents = raw.get("residents")
    if not isinstance(residents, dict):
        raise ValueError("residents must map ISO 3166 codes to counts (or give groups)")
    return [
        {"jurisdiction": str(k), "entity": default_entity, "count": v} for k, v in residents.items()
    ]


_YES = {"yes": True, "y": True, "true": True, "no": False, "n": False, "false": False}


def parse_answer(value: object) -> bool:
    """``yes``/``no`` (or YAML booleans) -> bool; anything else is a ValueError."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _YES:
        return _YES[value.strip().lower()]
    raise ValueError(f"answer {value!r} is not yes or no")


def _answers(raw: object, known: frozenset[str] | None) -> dict[str, bool]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ValueError("answers must map criterion ids to yes or no")
    out = {str(k): parse_answer(v) for k, v in raw.items()}
    unknown = sorted(set(out) - known) if known is not None else []
    if unknown:
        raise ValueError(
            f"answers: {unknown[0]} is not a criterion of any rule; "
            f"known: {', '.join(sorted(known or ())) or '(none)'}"
        )
    return out


def load_what_if(path: Path, known_criteria: frozenset[str] | None = None) -> WhatIf:
    """Read and validate a what-if file; every problem names the file and the field.

    ``known_criteria``: the unmodelled criterion ids the rules ask about
    (:func:`breachdesk.law.rules.criteria_ids`); an answer to any other id is an error.
    """
    raw = _read(path)
    field = "entities"
    try:
        entities = [EntityEstablishment.model_validate(e) for e in _entities(raw)]
        field = "residents/groups"
        groups = [AffectedGroup.model_validate(g) for g in _groups(raw, entities[0].id)]
        field = "risk_answers"
        answers = RiskAnswers.model_validate(raw.get("risk_answers") or {})
        field = "answers"
        _answers(raw.get("answers"), known_criteria)
        field = "situation"
        situation = Situation.model_validate(
            {
                "groups": groups,
                "elements": raw.get("elements") or [],
                "cause": raw.get("cause"),
                "became_aware_at": raw.get("became_aware_at"),
                "risk": raw.get("risk") or "risk",
                "entities": {e.id: e for e in entities},
                "encrypted": raw.get("encrypted", False),
                "key_compromised": raw.get("key_compromised", False),
                "redacted": raw.get("redacted", False),
                "unusable": raw.get("unusable", False),
                "answers": _answers(raw.get("answers"), known_criteria),
                "incident_ref": raw.get("incident_ref") or raw.get("title"),
            }
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        # field names come from the user's file: show them escaped, on one line
        where = ".".join(str(p).encode("unicode_escape").decode() for p in first["loc"]) or field
        raise InputError(str(path), f"{first['msg']}", record=f"field {where}") from exc
    except (ValueError, KeyError, TypeError) as exc:
        reason = str(exc).encode("unicode_escape").decode()
        raise InputError(str(path), reason, record=f"field {field}") from exc
    risk_result = None
    if raw.get("risk") is None:
        total = sum(g.count for g in groups)
        risk_result = assess_risk(situation.elements, total, situation.cause, answers)
        situation = situation.model_copy(update={"risk": risk_result.level})
    missing = {g.entity for g in groups} - set(situation.entities)
    if missing:
        raise InputError(
            str(path),
            f"groups name unknown entities: {', '.join(sorted(missing))}",
            record="field groups",
        )
    return WhatIf(situation=situation, risk=risk_result)
