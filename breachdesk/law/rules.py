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
    encrypted_exempt: bool = False
    deadline: Deadline
    content: list[str] = Field(default_factory=list)
    citation: str = Field(min_length=3)
    last_verified: date | None = None
    verified: bool = False
    effective_from: date | None = Field(
        default=None, description="the rule applies to breaches known from this date"
    )
    notes: list[str] = Field(default_factory=list)


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
    for path in paths:
        jr = load_file(path)
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
