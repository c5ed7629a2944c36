"""Provenance and the parts of a rule the engine decides from inputs, not triggers.

``Source``: the primary text one element of a rule was compared with. ``Exemption``:
a statutory exemption applied from the situation's flags. ``Unmodelled``: a criterion
the engine cannot decide, asked of the DPO. ``ContentId``: notice paragraphs.
"""

from __future__ import annotations

from datetime import date
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from breachdesk.law.situation import RiskLevel

_STRICT = ConfigDict(extra="forbid", frozen=True)

SourceElement = Literal[
    "definition", "exemptions", "threshold", "recipients", "deadline", "content"
]
"""The six elements of a rule that are compared with primary text before ``verified: true``."""
SOURCE_ELEMENTS: tuple[str, ...] = get_args(SourceElement)

ContentId = Literal[
    "breach_description",
    "date_of_breach",
    "data_types",
    "contact",
    "regulator_contact",
    "measures",
    "advice",
    "police_report",
    "security_freeze",
    "credit_monitoring",
    "ftc_contact",
    "credit_agencies_contact",
    "consequences",
]
"""Ids of notice paragraphs a statute requires; notice shaping maps each id to a paragraph."""

ExemptionKind = Literal["encryption", "redaction", "unusable", "harm_threshold"]


class Source(BaseModel):
    """The primary text one element of a rule was compared with, and when."""

    model_config = _STRICT

    element: SourceElement
    citation: str = Field(min_length=3)
    url: str = Field(pattern=r"^https?://\S+$")
    compared: date


class Exemption(BaseModel):
    """A statutory exemption the engine applies from the situation's inputs:

    - ``encryption``: ``Situation.encrypted`` (defeated by ``key_compromised`` when
      ``defeated_by_key_compromise``);
    - ``redaction``: ``Situation.redacted``; ``unusable``: ``Situation.unusable``
      (both also defeated by a compromised key when so marked);
    - ``harm_threshold``: the controller determined that harm is unlikely, i.e. the
      situation's risk level is ``unlikely``.
    """

    model_config = _STRICT

    kind: ExemptionKind
    defeated_by_key_compromise: bool = True
    citation: str = Field(min_length=3)
    explain: str = Field(min_length=3, description="plain words, shown in output")


class Unmodelled(BaseModel):
    """A criterion the engine cannot decide; the DPO answers ``question`` yes or no.

    ``if_yes: fires``: a yes makes the rule fire even when no trigger matched (subject
    to ``min_risk``); unanswered, the output lists the question next to the rule.
    ``if_yes: exempt``: a yes stops a rule that would fire; unanswered, the rule fires
    with the question attached.
    """

    model_config = _STRICT

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    criterion: str = Field(min_length=3)
    question: str = Field(min_length=3)
    citation: str = Field(min_length=3)
    if_yes: Literal["fires", "exempt"]
    min_risk: RiskLevel | None = Field(
        default=None, description="a yes counts only at this risk level or above"
    )
