"""Severity of a breach by the ENISA 2013 method: SE = DPC x EI + CB.

ENISA, "Recommendations for a methodology of the assessment of severity of personal
data breaches", v1.0, December 2013. Each factor is returned with its explanation so
the operator can see, and override with a recorded reason, every input.

- DPC (data processing context), 1-4: 1 simple (contact, biographical), 2 behavioural,
  3 financial, 4 sensitive; adjusted for vulnerable subjects or public data, kept in 1-4.
- EI (ease of identification): 0.25 negligible, 0.5 limited, 0.75 significant, 1 maximum.
- CB (circumstances of the breach), summed: confidentiality 0/0.25 known recipients/
  0.5 unknown recipients; integrity 0/0.25/0.5; availability 0/0.25/0.5; malicious +0.5.
- Bands: low < 2, medium 2-<3, high 3-<4, very high >= 4.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from breachdesk.law.situation import Cause, DataElement, RiskLevel

Band = Literal["low", "medium", "high", "very high"]
Recipients = Literal["none", "known", "unknown"]

_DPC_BASE: dict[str, tuple[int, str]] = {
    **{
        e: (1, "simple data")
        for e in ("name", "email", "phone", "postal_address", "date_of_birth", "username")
    },
    "precise_location": (2, "behavioural data"),
    **{e: (3, "financial data") for e in ("financial_account", "payment_card")},
    **{
        e: (3, "access or identity data, scored like financial data (enables fraud)")
        for e in (
            "password",
            "credentials",
            "security_qa",
            "government_id",
            "ssn",
            "drivers_license",
            "passport",
        )
    },
    **{e: (4, "sensitive data") for e in ("health", "biometric", "other_sensitive")},
    "children": (1, "simple data"),
}
_IDENTIFYING = {"government_id", "ssn", "passport", "drivers_license"}
_CONTACT = {"email", "phone", "postal_address", "date_of_birth", "username", "credentials"}
_EI_WORDS = {0.25: "negligible", 0.5: "limited", 0.75: "significant", 1.0: "maximum"}
_FACTOR_FIELDS = ("dpc", "ei", "cb")


class RiskAnswers(BaseModel):
    """The operator's answers; ``None`` means "derive from the cause and elements"."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    recipients: Recipients | None = None
    integrity: Literal["none", "recoverable", "unrecoverable"] = "none"
    availability: Literal["none", "temporary", "permanent"] = "none"
    malicious: bool | None = None
    vulnerable_subjects: bool = False
    data_public: bool = False
    unintelligible: bool = False
    large_scale_at: int = Field(
        default=1000, ge=1, description="from this many people a low score still means 'risk'"
    )


class RiskOverride(BaseModel):
    """An operator's replacement for one computed value, kept with its reason."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    field: Literal["dpc", "ei", "cb", "level"]
    value: float | RiskLevel
    reason: str = Field(min_length=3)
    by: str | None = None
    at: datetime | None = None


class Factor(BaseModel):
    model_config = ConfigDict(frozen=True)

    value: float
    explanation: list[str]


class RiskResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    dpc: Factor
    ei: Factor
    cb: Factor
    se: float
    band: Band
    level: RiskLevel
    level_explanation: list[str]
    overrides: list[RiskOverride]


def _dpc(elements: frozenset[str], answers: RiskAnswers) -> Factor:
    if not elements:
        return Factor(value=1, explanation=["no data elements given: simple data, 1"])
    ordered = [e for e in get_args(DataElement) if e in elements]  # stable tie-break
    top = max(ordered, key=lambda e: _DPC_BASE[e][0])
    score, kind = _DPC_BASE[top]
    why = [f"base {score}: {top} is {kind}"]
    if answers.vulnerable_subjects or "children" in elements:
        score += 1
        why.append("+1: vulnerable data subjects (children or as answered)")
    if answers.data_public:
        score -= 1
        why.append("-1: the data was already publicly available")
    clamped = min(4, max(1, score))
    if clamped != score:
        why.append(f"kept within 1-4: {clamped}")
    return Factor(value=clamped, explanation=why)


def _ei(elements: frozenset[str]) -> Factor:
    if elements & _IDENTIFYING:
        v, why = 1.0, "an identity-document number identifies the person"
    elif "name" in elements and elements & _CONTACT:
        v, why = 1.0, "full name with contact or birth data identifies the person"
    elif elements & _CONTACT:
        v, why = 0.75, "an email, phone, address or username usually points to one person"
    elif "name" in elements:
        v, why = 0.25, "a full name alone is shared by many people"
    else:
        v, why = 0.5, "the data identifies a person only with other information"
    return Factor(value=v, explanation=[f"{v} {_EI_WORDS[v]}: {why}"])


def _cb(cause: Cause, answers: RiskAnswers) -> Factor:
    recipients = answers.recipients or ("known" if cause == "insider" else "unknown")
    source = "answered" if answers.recipients else f"derived from cause '{cause}'"
    parts: list[tuple[float, str]] = []
    conf = {"none": 0.0, "known": 0.25, "unknown": 0.5}[recipients]
    parts.append((conf, f"loss of confidentiality, {recipients} recipients ({source})"))
    integ = {"none": 0.0, "recoverable": 0.25, "unrecoverable": 0.5}[answers.integrity]
    parts.append((integ, f"loss of integrity: {answers.integrity}"))
    avail = {"none": 0.0, "temporary": 0.25, "permanent": 0.5}[answers.availability]
    parts.append((avail, f"loss of availability: {answers.availability}"))
    malicious = (
        answers.malicious if answers.malicious is not None else cause in ("attack", "insider")
    )
    msource = "answered" if answers.malicious is not None else f"derived from cause '{cause}'"
    parts.append(
        (0.5 if malicious else 0.0, f"malicious intent: {'yes' if malicious else 'no'} ({msource})")
    )
    return Factor(value=sum(v for v, _ in parts), explanation=[f"+{v}: {t}" for v, t in parts])


def band_of(se: float) -> Band:
    if se < 2:
        return "low"
    if se < 3:
        return "medium"
    return "high" if se < 4 else "very high"


def _level(band: Band, count: int, answers: RiskAnswers) -> tuple[RiskLevel, list[str]]:
    level: RiskLevel = {"low": "unlikely", "medium": "risk"}.get(band, "high")  # type: ignore[assignment]
    why = [f"band {band} maps to GDPR level '{level}'"]
    if level == "unlikely" and count >= answers.large_scale_at:
        level = "risk"
        why.append(
            f"{count:,} people (>= {answers.large_scale_at:,}): large-scale contact data invites "
            "phishing, raised to 'risk' (ENISA other criteria; EDPB Guidelines 01/2021)"
        )
    if answers.unintelligible and level != "unlikely":
        level = "unlikely"
        why.append(
            "data unintelligible to the recipients (state-of-the-art encryption): 'unlikely'"
        )
    return level, why


def assess_risk(
    elements: Iterable[DataElement],
    affected_count: int,
    cause: Cause,
    answers: RiskAnswers | None = None,
    overrides: Iterable[RiskOverride] = (),
) -> RiskResult:
    answers = answers or RiskAnswers()
    els = frozenset(elements)
    factors = {"dpc": _dpc(els, answers), "ei": _ei(els), "cb": _cb(cause, answers)}
    applied = list(overrides)
    level_override: RiskOverride | None = None
    for o in applied:
        if o.field == "level":
            level_override = o
            continue
        if not isinstance(o.value, float | int):
            raise ValueError(f"override of {o.field} needs a number, got {o.value!r}")
        old = factors[o.field]
        factors[o.field] = Factor(
            value=float(o.value),
            explanation=[*old.explanation, f"overridden {old.value} -> {o.value}: {o.reason}"],
        )
    se = round(factors["dpc"].value * factors["ei"].value + factors["cb"].value, 4)
    band = band_of(se)
    level, why = _level(band, affected_count, answers)
    if level_override is not None:
        if level_override.value not in ("unlikely", "risk", "high"):
            raise ValueError(
                f"override of level needs unlikely|risk|high, got {level_override.value!r}"
            )
        why.append(f"overridden '{level}' -> '{level_override.value}': {level_override.reason}")
        level = level_override.value
    return RiskResult(
        dpc=factors["dpc"],
        ei=factors["ei"],
        cb=factors["cb"],
        se=se,
        band=band,
        level=level,
        level_explanation=why,
        overrides=applied,
    )
