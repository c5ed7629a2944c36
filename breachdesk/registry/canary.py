"""Canary customers: how many an export needs, and how each one is made.

**How many.** An extract of ``n`` real customers gets ``k`` canaries, ``N = n + k``
rows in all. If someone leaks ``m = ceil(f * N)`` of those rows (``f`` = 10%),
chosen any way that does not know which rows are canaries, the chance that the
leak holds no canary is hypergeometric::

    P(no canary) = C(N - k, m) / C(N, m) = prod_{j=0}^{k-1} (N - m - j) / (N - j)

Each factor is at most ``(N - m) / N <= 1 - f``, so ``P <= (1 - f)^k``, and
``(0.9)^k <= 0.01`` holds from ``k = ceil(ln 0.01 / ln 0.9) = 44``. ``canary_count``
evaluates the exact product (with fractions, no rounding) for ``k = 1, 2, ...`` and
returns the first ``k`` that reaches the target, never more than that bound.

**How each is made.** For an export, :mod:`breachdesk.registry.canary_blend`
draws every column from the export's own rows. ``make_canary`` below is the simpler
generator for synthetic data without a registry (benchmarks): every value comes
from a keyed hash of the export's uid and the canary's number
(``KeyedHasher.fingerprint``), so the same export always yields the same canaries:
a plausible name from the country's list in ``data/canary_names.yaml``, an email
local part built from that name and a keyed tag, on the holding entity's
``canary_domain``, and a customer id shaped like the real ids (just above the
extract's highest).
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from breachdesk.errors import RulesError
from breachdesk.registry.keyed import KeyedHasher
from breachdesk.registry.normalize import normalise_email

NAMES_PATH = Path(__file__).parent / "data" / "canary_names.yaml"
LEAK_FRACTION = Fraction(1, 10)
CONFIDENCE = Fraction(99, 100)
_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def canary_bound(leak_fraction: Fraction = LEAK_FRACTION, confidence: Fraction = CONFIDENCE) -> int:
    """Smallest ``k`` with ``(1 - f)^k <= 1 - confidence``: enough for any extract size."""
    return math.ceil(math.log(float(1 - confidence)) / math.log(float(1 - leak_fraction)))


def miss_probability(
    members: int, canaries: int, leak_fraction: Fraction = LEAK_FRACTION
) -> Fraction:
    """Exact chance that a leak of ``ceil(f * N)`` rows holds none of ``canaries``."""
    total = members + canaries
    leaked = math.ceil(leak_fraction * total)
    p = Fraction(1)
    for j in range(canaries):
        if total - leaked - j <= 0:
            return Fraction(0)
        p *= Fraction(total - leaked - j, total - j)
    return p


def canary_count(
    members: int, leak_fraction: Fraction = LEAK_FRACTION, confidence: Fraction = CONFIDENCE
) -> int:
    """Fewest canaries so that a ``leak_fraction`` leak holds one with ``confidence``."""
    bound = canary_bound(leak_fraction, confidence)
    for k in range(1, bound):
        if miss_probability(members, k, leak_fraction) <= 1 - confidence:
            return k
    return bound


class NameList(BaseModel):
    model_config = ConfigDict(extra="forbid")

    given: list[str] = Field(min_length=4)
    family: list[str] = Field(min_length=4)


class NamesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[1] = 1
    countries: dict[str, NameList]


@cache
def load_names(path: Path = NAMES_PATH) -> dict[str, NameList]:
    try:
        parsed = NamesFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError) as exc:
        raise RulesError(f"{path}: cannot read canary names: {exc}") from None
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        raise RulesError(f"{path}: field {loc}: {err['msg']}") from None
    if "default" not in parsed.countries:
        raise RulesError(f"{path}: countries.default is required")
    return parsed.countries


@dataclass(frozen=True)
class Canary:
    number: int
    customer_id: str
    full_name: str
    email: str
    email_norm: str
    country: str
    entity: str
    domain: str
    locale: str | None
    subdivision: str | None = None
    phone: str | None = None


class _Stream:
    """Deterministic keyed integers for one canary: fingerprint(export uid, number, round)."""

    def __init__(self, hasher: KeyedHasher, uid: str, number: int) -> None:
        self._hasher = hasher
        self._seed = f"canary:{uid}:{number}"
        self._round = 0
        self._pool = 0
        self._bits = 0

    def below(self, n: int) -> int:
        if self._bits < 64:
            digest = self._hasher.fingerprint(self._seed, str(self._round))
            self._round += 1
            self._pool = (self._pool << 128) | int(digest, 16)
            self._bits += 128
        value = self._pool % n
        self._pool //= n
        self._bits -= max(1, n.bit_length())
        return value


def _ascii(word: str) -> str:
    folded = unicodedata.normalize("NFKD", word)
    return "".join(c for c in folded if c.isascii() and c.isalnum()).lower()


def _shaped_like(template: str, stream: _Stream, spread: int) -> str:
    """A customer id shaped like ``template`` (the extract's highest id).

    When the id has one run of digits (``C00050003``), the canary takes a number a
    little above it, as the newest accounts would have; otherwise every digit is
    redrawn. Letters and punctuation are kept.
    """
    runs = re.findall(r"\d+", template)
    if len(runs) == 1:
        run = runs[0]
        number = int(run) + 1 + stream.below(max(spread, 100))
        return template.replace(run, str(number).zfill(len(run)), 1)
    return "".join(str(stream.below(10)) if ch.isdigit() else ch for ch in template)


def make_canary(
    hasher: KeyedHasher,
    uid: str,
    number: int,
    country: str,
    entity: str,
    domain: str,
    id_template: str,
    locale: str | None = None,
    id_spread: int = 1000,
) -> Canary:
    """Canary ``number`` of export ``uid``: same inputs, same canary."""
    names = load_names()
    pool = names.get(country) or names["default"]
    s = _Stream(hasher, uid, number)
    given = pool.given[s.below(len(pool.given))]
    family = pool.family[s.below(len(pool.family))]
    g, f = _ascii(given), _ascii(family)
    tag = "".join(_B36[s.below(36)] for _ in range(5))
    digits = str(1000 + s.below(99000))
    style = s.below(4)
    local = (
        f"{g}.{f}.{tag}",
        f"{g}{f}{digits}",
        f"{g[:1]}{f}.{tag}",
        f"{f}.{g}{digits}",
    )[style]
    email = f"{local}@{domain}"
    return Canary(
        number=number,
        customer_id=_shaped_like(id_template, s, id_spread),
        full_name=f"{given} {family}",
        email=email,
        email_norm=normalise_email(email),
        country=country,
        entity=entity,
        domain=domain,
        locale=locale,
    )


def email_hash_hex(hasher: KeyedHasher, email_norm: str) -> str:
    """How the register stores a canary: the keyed email hash as 16 hex digits."""
    return f"{hasher.email(email_norm):016x}"
