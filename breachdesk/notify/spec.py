"""The schema of notice templates and jurisdiction shaping rules (YAML, pydantic-validated)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from breachdesk.errors import RulesError

TEMPLATES_DIR = Path(__file__).parent / "templates"

HeadingStyle = Literal["default", "california"]


class Headings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = ""
    what_happened: str
    your_data: str
    what_we_did: str
    what_you_can_do: str
    verification: str
    contact: str = ""


class NoticeSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[1]
    id: str
    text: str
    html: str
    subject: str
    required_elements: list[str] = Field(min_length=1)
    headings: dict[HeadingStyle, Headings]
    causes: dict[str, str]
    data_labels: dict[str, str]
    credential_elements: list[str] = Field(default_factory=list)
    roles: dict[str, str] = Field(
        description="the contact person's role (msgid) by the entity's country; 'default'"
    )
    content_blocks: dict[str, str] = Field(
        default_factory=dict,
        description="law content id -> the notice block that carries it (forbidden: omitted)",
    )
    content_paragraphs: dict[str, str] = Field(
        default_factory=dict,
        description="law content id -> a paragraph (msgid) added where the law requires it",
    )


class RegulatorName(BaseModel):
    """An authority's name as customers read it, per language; ``en`` is required."""

    model_config = ConfigDict(extra="forbid")

    names: dict[str, str]
    citation: str = ""


class RegulatorsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[1]
    regulators: dict[str, RegulatorName]


class Shaping(BaseModel):
    """How one jurisdiction shapes the notice."""

    model_config = ConfigDict(extra="forbid")

    headings: HeadingStyle = "default"
    omit: list[str] = Field(default_factory=list)
    citation: str = ""


class ShapingFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[1]
    jurisdictions: dict[str, Shaping]


M = TypeVar("M", bound=BaseModel)


def _load(path: Path, model: type[M]) -> M:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RulesError(f"{path}: not found") from None
    except yaml.YAMLError as exc:
        raise RulesError(f"{path}: not valid YAML: {exc}") from None
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"]) or "(top)"
        raise RulesError(f"{path}: field {loc}: {err['msg']}") from None


def load_spec(templates_dir: Path = TEMPLATES_DIR) -> NoticeSpec:
    spec = _load(templates_dir / "notice.yaml", NoticeSpec)
    if "default" not in spec.headings:
        raise RulesError(f"{templates_dir / 'notice.yaml'}: field headings.default: missing")
    if "default" not in spec.roles:
        raise RulesError(f"{templates_dir / 'notice.yaml'}: field roles.default: missing")
    return spec


def load_regulators(templates_dir: Path = TEMPLATES_DIR) -> dict[str, RegulatorName]:
    """Localised authority names by the short id the law rules give (``ICO``, ``DE-SA``)."""
    path = templates_dir / "regulators.yaml"
    if not path.exists():
        path = TEMPLATES_DIR / "regulators.yaml"
    regs = _load(path, RegulatorsFile).regulators
    missing = sorted(k for k, v in regs.items() if "en" not in v.names)
    if missing:
        raise RulesError(f"{path}: field regulators.{missing[0]}.names.en: missing")
    return regs


def load_shaping(templates_dir: Path = TEMPLATES_DIR) -> dict[str, Shaping]:
    path = templates_dir / "shaping.yaml"
    if not path.exists():
        path = TEMPLATES_DIR / "shaping.yaml"
    return _load(path, ShapingFile).jurisdictions


def shaping_for(rules: dict[str, Shaping], country: str, subdivision: str | None) -> Shaping:
    """The subdivision's rule, else the country's, else the default."""
    if subdivision and subdivision in rules:
        return rules[subdivision]
    return rules.get(country, Shaping())
