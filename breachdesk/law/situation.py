"""The engine's input (a :class:`Situation`) and output (an :class:`Assessment`).

A situation says who is affected (resident counts per ISO 3166 code and holding
entity), which data elements were exposed, the cause, when the organisation became
aware, and the GDPR risk level. The engine in :mod:`breachdesk.law.engine` turns it
into obligations (who must be told, by whom, by when) and explained non-obligations.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

DataElement = Literal[
    "name",
    "email",
    "phone",
    "postal_address",
    "date_of_birth",
    "username",
    "password",
    "credentials",
    "security_qa",
    "government_id",
    "ssn",
    "drivers_license",
    "passport",
    "financial_account",
    "payment_card",
    "health",
    "biometric",
    "precise_location",
    "children",
    "other_sensitive",
]
"""What was exposed. ``credentials`` is a username or email TOGETHER WITH a password or
security answer that gives access to an account; it is distinct from ``email`` alone."""

Cause = Literal["technical-error", "insider", "attack", "unknown"]
RiskLevel = Literal["unlikely", "risk", "high"]
"""GDPR levels: unlikely to result in a risk (Art. 33(1)) / risk / high risk (Art. 34(1))."""

RISK_ORDER: dict[str, int] = {"unlikely": 0, "risk": 1, "high": 2}

RecipientKind = Literal[
    "regulator",
    "attorney_general",
    "individuals",
    "credit_reporting_agencies",
    "internal_register",
    "other_agency",
]

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class AffectedGroup(BaseModel):
    """``count`` residents of ``jurisdiction`` whose accounts ``entity`` holds."""

    model_config = _FROZEN

    jurisdiction: str = Field(description='ISO 3166-1 ("GB") or ISO 3166-2 ("US-CA", "CA-QC")')
    entity: str = Field(description="id of the entity holding these accounts")
    count: int = Field(ge=0)

    @field_validator("jurisdiction")
    @classmethod
    def _upper(cls, v: str) -> str:
        return v.strip().upper()


class EntityEstablishment(BaseModel):
    """Where an entity is established; regulators follow this (GDPR one-stop shop)."""

    model_config = _FROZEN

    id: str
    legal_name: str
    country: str = Field(description='ISO 3166-1 alpha-2; "" when unknown')

    @field_validator("country")
    @classmethod
    def _upper(cls, v: str) -> str:
        return v.strip().upper()


class Situation(BaseModel):
    model_config = _FROZEN

    groups: list[AffectedGroup]
    elements: frozenset[DataElement]
    cause: Cause
    became_aware_at: datetime
    risk: RiskLevel
    entities: dict[str, EntityEstablishment] = Field(default_factory=dict)
    encrypted: bool = False
    key_compromised: bool = Field(
        default=False,
        description="the key or process to read encrypted/redacted data was also"
        " acquired: defeats exemptions marked defeated_by_key_compromise",
    )
    redacted: bool = False
    unusable: bool = Field(default=False, description="data unreadable or unusable (e.g. hashed)")
    answers: dict[str, bool] = Field(
        default_factory=dict, description="the DPO's yes/no answers to unmodelled criteria, by id"
    )
    incident_ref: str | None = None

    @field_validator("elements")
    @classmethod
    def _credentials(cls, v: frozenset[DataElement]) -> frozenset[DataElement]:
        """An email or username exposed together with a password or security answer is
        ``credentials`` even when the caller did not say so."""
        if v & {"email", "username"} and v & {"password", "security_qa"}:
            return v | {"credentials"}
        return v

    @field_validator("became_aware_at")
    @classmethod
    def _aware(cls, v: datetime) -> datetime:
        if v.tzinfo is None or v.utcoffset() is None:
            raise ValueError("became_aware_at must carry a time zone (e.g. 2026-03-01T09:00Z)")
        return v


class Obligation(BaseModel):
    """One notice that must be given (or record that must be kept)."""

    model_config = _FROZEN

    key: str = Field(description='stable id, e.g. "GB/ICO/shop-uk"')
    recipient_kind: RecipientKind
    recipient: str
    jurisdiction: str
    entity: str = Field(description="id of the entity that must notify")
    residents: int
    due_at: datetime | None = Field(description="UTC; None for a standard with no fixed time")
    timezone: str = Field(description="IANA zone of the recipient")
    deadline_text: str
    rule_id: str
    citation: str
    last_verified: date | None
    verified: bool
    notes: list[str] = Field(default_factory=list)
    content_elements: list[str] = Field(default_factory=list)
    content_required_ids: list[str] = Field(default_factory=list)
    content_forbidden: list[str] = Field(default_factory=list)
    exemptions: list[str] = Field(
        default_factory=list, description="each exemption of the rule and why it did not apply"
    )


class NonObligation(BaseModel):
    """A jurisdiction (or one of its rules) where no notice is due, with the reason."""

    model_config = _FROZEN

    jurisdiction: str
    entity: str | None
    residents: int
    reason: str
    rule_id: str | None = None
    citation: str | None = None
    verified: bool | None = Field(
        default=None, description="False: the rule was not checked against the statute text"
    )


class OpenQuestion(BaseModel):
    """A criterion the engine does not model, left for the DPO to answer yes or no."""

    model_config = _FROZEN

    id: str
    jurisdiction: str
    entity: str
    rule_id: str
    recipient: str
    criterion: str
    question: str
    citation: str
    if_yes: Literal["fires", "exempt"]
    effect: str = Field(description="what the answer changes, in plain words")


class UnknownJurisdiction(BaseModel):
    """Residents whose jurisdiction code is invalid or has no rules file: never dropped."""

    model_config = _FROZEN

    jurisdiction: str
    residents: int
    reason: str


class Assessment(BaseModel):
    model_config = _FROZEN

    situation: Situation
    obligations: list[Obligation]
    non_obligations: list[NonObligation]
    unknown: list[UnknownJurisdiction]
    open_questions: list[OpenQuestion] = Field(default_factory=list)
