"""Jurisdiction rules as data: one YAML file per jurisdiction, validated by pydantic.

A file names the jurisdiction codes it covers, the recipient's time zone and holiday
calendar, and a list of rules. A rule fires when ANY of its ``triggers`` matches; a
trigger matches when ALL of its conditions hold (data elements, risk, cause, count).
Adding a jurisdiction means adding a file here; the engine does not change.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from breachdesk.errors import RulesError
from breachdesk.law.rule_parts import SOURCE_ELEMENTS as SOURCE_ELEMENTS
from breachdesk.law.rule_parts import ContentId as ContentId
from breachdesk.law.rule_parts import Exemption as Exemption
from breachdesk.law.rule_parts import ExemptionKind as ExemptionKind
from breachdesk.law.rule_parts import Source as Source
from breachdesk.law.rule_parts import SourceElement as SourceElement
from breachdesk.law.rule_parts import Unmodelled as Unmodelled
from breachdesk.law.situation import Cause, DataElement, RecipientKind, RiskLevel
from breachdesk.law.yaml_errors import syntax_error_line

SCHEMA_VERSION = 1
RULES_DIR = Path(__file__).parent / "rules"

ClockStart = Literal[
    "awareness",
    "discovery",
    "determination",
    "assessment",
    "after_individual_notice",
    "after_regulator_notice",
    "before_individual_notice",
]
RELATIVE_CLOCKS = ("after_individual_notice", "after_regulator_notice", "before_individual_notice")
"""Clocks that run from the due time of the rule named in ``requires``."""
Unit = Literal["hours", "calendar_days", "business_days"]

UNVERIFIED_NOTE = "[unverified] this rule was not compared with the statute text: take legal advice"
"""Note on every obligation from a rule with ``verified: false``."""

_STRICT = ConfigDict(extra="forbid", frozen=True)


class Threshold(BaseModel):
    """Count of affected residents, with the comparison spelled out (">500" is not ">=500")."""

    model_config = _STRICT

    op: Literal[">", ">="]
    count: int = Field(ge=0)

    def met(self, n: int) -> bool:
        return n > self.count if self.op == ">" else n >= self.count

    def text(self) -> str:
        return f"{self.op} {self.count:,}"


class Trigger(BaseModel):
    """All conditions must hold. ``elements_any_of`` lists combinations: the trigger's
    element condition holds when every element of at least one combination was exposed.
    Leave it out to count any personal data (GDPR)."""

    model_config = _STRICT

    when: str = Field(min_length=1, description="plain-language statement of the condition")
    elements_any_of: list[list[DataElement]] | None = None
    min_risk: RiskLevel | None = None
    causes: list[Cause] | None = None
    threshold: Threshold | None = None

    @field_validator("elements_any_of")
    @classmethod
    def _nonempty(cls, v: list[list[DataElement]] | None) -> list[list[DataElement]] | None:
        if v is not None and (not v or any(not combo for combo in v)):
            raise ValueError("must list at least one non-empty combination of data elements")
        return v


class Deadline(BaseModel):
    """``amount`` + ``unit`` from ``clock``, or a ``standard`` with no fixed time, or both
    (GDPR: "without undue delay and, where feasible, not later than 72 hours")."""

    model_config = _STRICT

    amount: int | None = Field(default=None, ge=0)
    unit: Unit | None = None
    clock: ClockStart = "awareness"
    standard: str | None = None

    @model_validator(mode="after")
    def _complete(self) -> Deadline:
        if (self.amount is None) != (self.unit is None):
            raise ValueError("amount and unit go together")
        if (
            self.amount is None
            and self.standard is None
            and self.clock != "before_individual_notice"
        ):
            raise ValueError("give amount + unit, or a standard such as 'without undue delay'")
        return self


class Rule(BaseModel):
    model_config = _STRICT

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    recipient_kind: RecipientKind
    recipient: str = Field(min_length=1)
    short: str | None = Field(default=None, description="short recipient name used in keys")
    triggers: list[Trigger] = Field(min_length=1)
    requires: str | None = Field(default=None, description="id of a rule that must also fire")
    encrypted_exempt: bool = Field(
        default=False, description="shorthand: adds an encryption exemption (see exemptions)"
    )
    deadline: Deadline
    content: list[str] = Field(default_factory=list)
    citation: str = Field(min_length=3)
    last_verified: date | None = None
    verified: bool = False
    effective_from: date | None = Field(
        default=None, description="the rule applies to breaches known from this date"
    )
    notes: list[str] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)
    content_required_ids: list[ContentId] = Field(default_factory=list)
    content_forbidden: list[str] = Field(default_factory=list)
    exemptions: list[Exemption] = Field(default_factory=list)
    unmodelled: list[Unmodelled] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _encrypted_shorthand(cls, data: Any) -> Any:
        """``encrypted_exempt: true`` is shorthand for an encryption exemption that a
        compromised key defeats, cited to the rule's citation."""
        if not isinstance(data, dict) or not data.get("encrypted_exempt"):
            return data
        exemptions = list(data.get("exemptions") or [])
        if not any(isinstance(e, dict) and e.get("kind") == "encryption" for e in exemptions):
            exemptions.append(
                {
                    "kind": "encryption",
                    "defeated_by_key_compromise": True,
                    "citation": data.get("citation") or "(rule citation)",
                    "explain": "encrypted data is not covered unless the key was also "
                    "acquired or compromised",
                }
            )
        return {**data, "exemptions": exemptions}

    @model_validator(mode="after")
    def _provenance(self) -> Rule:
        if self.verified:
            have = {s.element for s in self.sources}
            missing = [e for e in SOURCE_ELEMENTS if e not in have]
            if missing:
                raise ValueError(
                    f"verified: true needs a source for each element; missing {', '.join(missing)}"
                )
            if self.last_verified is None:
                raise ValueError("verified: true needs last_verified (the date compared)")
        kinds = [e.kind for e in self.exemptions]
        dup = {k for k in kinds if kinds.count(k) > 1}
        if dup:
            raise ValueError(f"exemption kinds listed twice: {', '.join(sorted(dup))}")
        ids = [u.id for u in self.unmodelled]
        if len(set(ids)) != len(ids):
            raise ValueError("unmodelled ids must be unique within a rule")
        return self

    def exemption(self, kind: ExemptionKind) -> Exemption | None:
        return next((e for e in self.exemptions if e.kind == kind), None)


class Authority(BaseModel):
    """A supervisory authority of one member state (GDPR files)."""

    model_config = _STRICT

    name: str
    short: str
    timezone: str
    holidays: str | None = None


class Register(BaseModel):
    """The internal breach-record duty of this jurisdiction."""

    model_config = _STRICT

    citation: str = Field(min_length=3)
    text: str
    retention: str | None = None
    last_verified: date | None = None
    verified: bool = False


class Definition(BaseModel):
    """The statute's defined term, used to explain a negative."""

    model_config = _STRICT

    term: str
    citation: str


class JurisdictionRules(BaseModel):
    model_config = _STRICT

    schema_version: Literal[1]
    jurisdiction: str = Field(pattern=r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$|^EU$")
    name: str
    law: str
    covers: list[str] = Field(min_length=1)
    include_subdivisions: bool = Field(
        default=True, description="a country code also covers its ISO 3166-2 subdivisions"
    )
    routing: Literal["residence", "one_stop_shop"] = "residence"
    timezone: str
    holidays: str | None = Field(default=None, description='holidays calendar, "US-CA" or "BR"')
    authorities: dict[str, Authority] = Field(default_factory=dict)
    definition: Definition | None = None
    record_keeping: Register | None = None
    rules: list[Rule] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, v: str) -> str:
        _check_zone(v)
        return v

    @field_validator("authorities")
    @classmethod
    def _zones(cls, v: dict[str, Authority]) -> dict[str, Authority]:
        for a in v.values():
            _check_zone(a.timezone)
        return v

    @model_validator(mode="after")
    def _consistent(self) -> JurisdictionRules:
        ids = [r.id for r in self.rules]
        dup = {i for i in ids if ids.count(i) > 1}
        if dup:
            raise ValueError(f"duplicate rule ids: {', '.join(sorted(dup))}")
        for n, r in enumerate(self.rules):
            if r.requires is not None and r.requires not in ids[:n]:
                raise ValueError(f"rule {r.id} requires {r.requires}, which is not an earlier rule")
            if r.deadline.clock in RELATIVE_CLOCKS and r.requires is None:
                raise ValueError(f"rule {r.id}: clock {r.deadline.clock} needs 'requires'")
        if self.routing == "one_stop_shop":
            missing = [c for c in self.covers if c not in self.authorities]
            if missing:
                raise ValueError(f"no authority for covered codes: {', '.join(missing)}")
        return self


def _check_zone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown IANA time zone {name!r}") from exc


class RuleBook(BaseModel):
    """All loaded jurisdiction files, keyed by file stem."""

    model_config = ConfigDict(frozen=True)

    files: dict[str, JurisdictionRules]

    def for_code(self, code: str) -> list[JurisdictionRules]:
        """Files that apply to residents of ``code`` (exact code, or its country)."""
        country = code.split("-", 1)[0]
        out = []
        for jr in self.files.values():
            if code in jr.covers or (
                jr.include_subdivisions and "-" in code and country in jr.covers
            ):
                out.append(jr)
        return out


def _describe(err: ValidationError, raw: dict[str, object]) -> str:
    first = err.errors()[0]
    loc = list(first["loc"])
    where = ".".join(str(p) for p in loc) or "(top level)"
    rules = raw.get("rules")
    if len(loc) > 1 and loc[0] == "rules" and isinstance(loc[1], int) and isinstance(rules, list):
        rule = rules[loc[1]]
        if isinstance(rule, dict) and "id" in rule:
            where = f"rules[{loc[1]}] (id {rule['id']})" + "".join(f".{p}" for p in loc[2:])
    more = f" (+{err.error_count() - 1} more)" if err.error_count() > 1 else ""
    return f"field {where}: {first['msg']}{more}"


def load_file(path: Path) -> JurisdictionRules:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RulesError(f"{path}: cannot read rules file: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise RulesError(f"{path}: not valid YAML: {syntax_error_line(exc)}") from exc
    if not isinstance(raw, dict):
        raise RulesError(f"{path}: a rules file must be a mapping with schema_version and rules")
    version = raw.get("schema_version")
    if version != SCHEMA_VERSION:
        raise RulesError(
            f"{path}: field schema_version: is {version!r}, this breachdesk reads {SCHEMA_VERSION}"
        )
    try:
        return JurisdictionRules.model_validate(raw)
    except ValidationError as exc:
        raise RulesError(f"{path}: {_describe(exc, raw)}") from exc


def load_rulebook(directory: Path | None = None) -> RuleBook:
    """Load and validate every ``*.yaml`` file; the first invalid file raises RulesError."""
    directory = directory or RULES_DIR
    paths = sorted(directory.glob("*.yaml"))
    if not paths:
        raise RulesError(f"{directory}: no rules files (*.yaml) found")
    files: dict[str, JurisdictionRules] = {}
    owner: dict[str, str] = {}
    criteria: dict[str, tuple[str, str]] = {}
    for path in paths:
        jr = load_file(path)
        for rule in jr.rules:
            for u in rule.unmodelled:
                seen = criteria.setdefault(u.id, (path.name, u.question))
                if seen[1] != u.question:
                    raise RulesError(
                        f"{path}: rule {rule.id}: unmodelled id {u.id} is used by {seen[0]} "
                        "with another question; answers are keyed by id, pick a new one"
                    )
        for code in jr.covers:
            if code in owner:
                raise RulesError(
                    f"{path}: field covers: {code} is already covered by {owner[code]}"
                )
            owner[code] = path.name
        files[path.stem] = jr
    return RuleBook(files=files)


def summarise(rb: RuleBook) -> list[dict[str, Any]]:
    """One row per file: what it covers, how many rules, how many verified."""
    rows = []
    for stem, jr in sorted(rb.files.items()):
        dates = [r.last_verified for r in jr.rules if r.last_verified is not None]
        rows.append(
            {
                "file": f"{stem}.yaml",
                "jurisdiction": jr.jurisdiction,
                "name": jr.name,
                "covers": list(jr.covers),
                "rules": len(jr.rules),
                "verified": sum(r.verified for r in jr.rules),
                "register": jr.record_keeping is not None,
                "last_verified": min(dates).isoformat() if dates else None,
            }
        )
    return rows


def criteria_ids(rb: RuleBook) -> frozenset[str]:
    """Every unmodelled criterion id the rules ask about (answers are keyed by these)."""
    return frozenset(u.id for jr in rb.files.values() for r in jr.rules for u in r.unmodelled)
