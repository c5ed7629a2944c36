"""The sample countries (``countries.yaml``), validated when they load.

Each country names the regional entity that holds its customers' accounts, a name
list, mail providers, locales, optional ISO 3166-2 subdivisions and mobile ranges
that ``phonenumbers.is_valid_number`` accepts.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Literal

import phonenumbers
import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator


class PhoneRange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prefixes: list[str] = Field(min_length=1)
    digits: int = Field(ge=4, le=10)
    lowest: int = Field(default=0, ge=0, description="Smallest valid body (NANP: 2000000)")

    @property
    def span(self) -> int:
        return int(10**self.digits) - self.lowest

    @property
    def capacity(self) -> int:
        return len(self.prefixes) * self.span


class Quebec(BaseModel):
    """A subdivision whose customers mostly use another name list and locale."""

    model_config = ConfigDict(extra="forbid")

    subdivision: str
    names: str
    locales: list[str]


class CountrySpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[A-Z]{2}$")
    entity: str
    weight: float = Field(gt=0)
    names: str
    locales: list[str] = Field(min_length=1)
    domains: list[str] = Field(min_length=1)
    idn_domains: list[str] = Field(default_factory=list)
    subdivisions: list[str] = Field(default_factory=list)
    quebec: Quebec | None = None
    family_first: bool = False
    phone: PhoneRange

    @property
    def calling_code(self) -> int:
        return int(phonenumbers.country_code_for_region(self.code))

    @property
    def trunk(self) -> str:
        meta = phonenumbers.PhoneMetadata.metadata_for_region(self.code, None)
        prefix = meta.national_prefix if meta is not None else None
        return prefix if prefix and self.code not in ("US", "CA") else ""


class NameList(BaseModel):
    model_config = ConfigDict(extra="forbid")

    first: list[str] = Field(min_length=4)
    last: list[str] = Field(min_length=4)


class CountriesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[1] = 1
    names: dict[str, NameList]
    countries: list[CountrySpec] = Field(min_length=10)

    @model_validator(mode="after")
    def _names_exist(self) -> CountriesFile:
        for c in self.countries:
            wanted = [c.names] + ([c.quebec.names] if c.quebec else [])
            missing = [n for n in wanted if n not in self.names]
            if missing:
                raise ValueError(f"country {c.code}: unknown name list {missing[0]!r}")
        return self


@lru_cache(maxsize=1)
def load_countries() -> CountriesFile:
    text = resources.files("breachdesk.samples").joinpath("countries.yaml").read_text("utf-8")
    return CountriesFile.model_validate(yaml.safe_load(text))
