"""Entities: the regional companies that hold customer accounts, loaded from YAML.

Every notice is sent by the entity that holds the account, and regulators follow
each entity's establishment, so this file is small but load-bearing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pycountry
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from breachdesk.errors import ConfigError


class DpoContact(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    email: str
    phone: str | None = None
    postal_address: str | None = None


class Entity(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")
    legal_name: str
    country: str = Field(description="ISO 3166-1 alpha-2 country of establishment")
    sender: str = Field(description="The one documented From address for notices")
    website: str = Field(description="Official domain customers type themselves")
    dpo: DpoContact
    canary_domain: str | None = Field(
        default=None, description="A domain this entity controls, used for canary records"
    )
    timezone: str = "UTC"

    @field_validator("country")
    @classmethod
    def _country(cls, v: str) -> str:
        v = v.upper()
        if pycountry.countries.get(alpha_2=v) is None:
            raise ValueError(f"{v!r} is not an ISO 3166-1 alpha-2 code")
        return v


class EntitiesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[1] = 1
    entities: list[Entity]


def load_entities(path: Path) -> dict[str, Entity]:
    """Load and validate ``entities.yaml``; errors name the file and the field."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: not found; run `breachdesk init` first") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    try:
        parsed = EntitiesFile.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        raise ConfigError(f"{path}: field {loc}: {err['msg']}") from None
    ids = [e.id for e in parsed.entities]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ConfigError(f"{path}: entity ids repeat: {', '.join(dupes)}")
    return {e.id: e for e in parsed.entities}


SEED = """\
# The regional companies that hold customer accounts. Notices are sent by the
# entity that holds each account; regulators follow each entity's establishment.
schema_version: 1
entities:
  - id: shop-uk
    legal_name: Example Shop UK Ltd
    country: GB
    sender: privacy@notices.shop.example.co.uk
    website: shop.example.co.uk
    timezone: Europe/London
    canary_domain: mail-uk.shop-canary.example
    dpo: {name: Data Protection Officer, email: dpo@shop.example.co.uk, phone: "+44 20 7946 0000"}
  - id: shop-de
    legal_name: Example Shop Deutschland GmbH
    country: DE
    sender: datenschutz@notices.shop.example.de
    website: shop.example.de
    timezone: Europe/Berlin
    canary_domain: mail-de.shop-canary.example
    dpo: {name: Datenschutzbeauftragter, email: dsb@shop.example.de}
  - id: shop-fr
    legal_name: Example Shop France SAS
    country: FR
    sender: confidentialite@notices.shop.example.fr
    website: shop.example.fr
    timezone: Europe/Paris
    canary_domain: mail-fr.shop-canary.example
    dpo: {name: Délégué à la protection des données, email: dpo@shop.example.fr}
  - id: shop-es
    legal_name: Example Shop España S.L.
    country: ES
    sender: privacidad@notices.shop.example.es
    website: shop.example.es
    timezone: Europe/Madrid
    canary_domain: mail-es.shop-canary.example
    dpo: {name: Delegado de Protección de Datos, email: dpd@shop.example.es}
  - id: shop-it
    legal_name: Example Shop Italia S.r.l.
    country: IT
    sender: privacy@notices.shop.example.it
    website: shop.example.it
    timezone: Europe/Rome
    canary_domain: mail-it.shop-canary.example
    dpo: {name: Responsabile della protezione dei dati, email: rpd@shop.example.it}
  - id: shop-us
    legal_name: Example Shop Inc.
    country: US
    sender: privacy@notices.shop.example.com
    website: shop.example.com
    timezone: America/New_York
    canary_domain: mail-us.shop-canary.example
    dpo: {name: Privacy Office, email: privacy@shop.example.com, phone: "+1 202 555 0100"}
  - id: shop-ca
    legal_name: Example Shop Canada Inc.
    country: CA
    sender: privacy@notices.shop.example.ca
    website: shop.example.ca
    timezone: America/Toronto
    canary_domain: mail-ca.shop-canary.example
    dpo: {name: Chief Privacy Officer, email: privacy@shop.example.ca}
  - id: shop-jp
    legal_name: Example Shop Japan K.K.
    country: JP
    sender: privacy@notices.shop.example.jp
    website: shop.example.jp
    timezone: Asia/Tokyo
    canary_domain: mail-jp.shop-canary.example
    dpo: {name: 個人情報保護管理者, email: privacy@shop.example.jp}
  - id: shop-au
    legal_name: Example Shop Australia Pty Ltd
    country: AU
    sender: privacy@notices.shop.example.com.au
    website: shop.example.com.au
    timezone: Australia/Sydney
    canary_domain: mail-au.shop-canary.example
    dpo: {name: Privacy Officer, email: privacy@shop.example.com.au}
"""
