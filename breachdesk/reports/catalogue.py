"""The report catalogue (``templates/catalogue.yaml``) and its Jinja templates,
validated when they load: every entry's template must exist and parse, use only
the context variables a report provides, and contain every required heading.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateSyntaxError, meta
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from breachdesk.errors import RulesError

TEMPLATES = Path(__file__).parent / "templates"
# The variables a report template may use (see breachdesk.reports.context).
CONTEXT_KEYS = frozenset(
    {
        "report",
        "recipient",
        "incident",
        "entity",
        "subjects",
        "records",
        "scope",
        "risk",
        "obligation",
        "individuals",
        "notified",
        "notices",
        "times",
        "content",
        "charts",
    }
)


class ReportSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[A-Z][A-Z0-9-]{1,31}$")
    name: str
    regime: str
    citation: str
    template: str = Field(pattern=r"^[a-z0-9_]+\.md\.j2$")
    jurisdictions: list[str] = Field(min_length=1)
    entity_country: str = Field(pattern=r"^[A-Z]{2}$")
    population: Literal["entity", "jurisdiction"]
    required_headings: list[str] = Field(min_length=1)
    sample_notice: bool = Field(
        default=False,
        description="a copy of the consumer notice: offered only where that notice is due",
    )

    def covers(self, country: str, subdivision: str | None) -> bool:
        return country in self.jurisdictions or (subdivision or "") in self.jurisdictions


class Catalogue(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[1]
    reports: list[ReportSpec]

    def get(self, recipient: str) -> ReportSpec:
        for spec in self.reports:
            if spec.id == recipient.upper():
                return spec
        known = ", ".join(s.id for s in self.reports)
        raise RulesError(f"--for {recipient!r}: no report template; known: {known}")

    def find(self, recipient: str) -> ReportSpec | None:
        return next((s for s in self.reports if s.id == recipient.upper()), None)


def environment(directory: Path = TEMPLATES) -> Environment:
    # Markdown output; the HTML step escapes raw HTML (markdown-it with html off).
    return Environment(
        loader=FileSystemLoader(directory),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,  # noqa: S701
    )


def _headings(source: str) -> set[str]:
    return {m.group(1).strip() for m in re.finditer(r"^#{1,3} (.+)$", source, re.MULTILINE)}


def _check_template(env: Environment, directory: Path, spec: ReportSpec, where: str) -> None:
    path = directory / spec.template
    if not path.is_file():
        raise RulesError(f"{where}: field template: {spec.template} not found in {directory}")
    source = path.read_text(encoding="utf-8")
    try:
        ast = env.parse(source, spec.template)
    except TemplateSyntaxError as exc:
        raise RulesError(f"{path}: line {exc.lineno}: {exc.message}") from None
    unknown = meta.find_undeclared_variables(ast) - CONTEXT_KEYS
    if unknown:
        raise RulesError(
            f"{path}: uses unknown variables {', '.join(sorted(unknown))}; "
            f"allowed: {', '.join(sorted(CONTEXT_KEYS))}"
        )
    missing = [h for h in spec.required_headings if h not in _headings(source)]
    if missing:
        raise RulesError(f"{path}: missing required headings: {', '.join(missing)}")


def load_catalogue(directory: Path = TEMPLATES) -> Catalogue:
    """Load and validate the catalogue and every template it names."""
    path = directory / "catalogue.yaml"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RulesError(f"{path}: not found") from None
    except yaml.YAMLError as exc:
        raise RulesError(f"{path}: not valid YAML: {exc}") from None
    try:
        cat = Catalogue.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        raise RulesError(f"{path}: field {loc}: {err['msg']}") from None
    ids = [s.id for s in cat.reports]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise RulesError(f"{path}: report ids repeat: {', '.join(dupes)}")
    env = environment(directory)
    for i, spec in enumerate(cat.reports):
        _check_template(env, directory, spec, f"{path}: reports.{i} ({spec.id})")
    return cat


@lru_cache(maxsize=1)
def default_catalogue() -> Catalogue:
    return load_catalogue(TEMPLATES)
