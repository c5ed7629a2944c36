"""The web catalogs (``locales/<lang>.yaml``, pydantic-validated) and language choice.

The language comes from the session (set by the language switch), else from
``Accept-Language``, else English. Every catalog must carry every English key
(a test checks), so a page never shows a raw key.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from breachdesk.errors import RulesError

LOCALES = Path(__file__).parent / "locales"
DEFAULT = "en"


class Catalog(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[1] = 1
    language: str
    name: str  # the language's own name, shown in the switch
    messages: dict[str, str]


@cache
def catalogs(folder: Path = LOCALES) -> dict[str, Catalog]:
    out: dict[str, Catalog] = {}
    for path in sorted(folder.glob("*.yaml")):
        try:
            cat = Catalog.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        except (ValidationError, yaml.YAMLError) as exc:
            raise RulesError(f"{path}: not a valid web catalog: {exc}") from None
        out[cat.language] = cat
    return out


def languages() -> dict[str, str]:
    return {k: c.name for k, c in catalogs().items()}


def parse_accept_language(header: str) -> list[str]:
    """Language codes from ``Accept-Language``, best first (``de-CH;q=0.9`` -> ``de``)."""
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate(header.split(",")):
        bits = part.strip().split(";")
        lang = bits[0].strip().lower().split("-")[0]
        q = 1.0
        for b in bits[1:]:
            b = b.strip()
            if b.startswith("q="):
                try:
                    q = float(b[2:])
                except ValueError:
                    q = 0.0
        if lang and lang != "*" and q > 0:
            ranked.append((-q, i, lang))
    return [lang for _, _, lang in sorted(ranked)]


def choose(session_lang: object, accept_language: str) -> str:
    known = catalogs()
    if isinstance(session_lang, str) and session_lang in known:
        return session_lang
    for lang in parse_accept_language(accept_language):
        if lang in known:
            return lang
    return DEFAULT


class Translator:
    """``t("key", n=3)``: the message in ``lang``, English when a catalog lacks it."""

    def __init__(self, lang: str) -> None:
        cats = catalogs()
        self.lang = lang
        self.messages = cats[lang].messages if lang in cats else {}
        self.fallback = cats[DEFAULT].messages if DEFAULT in cats else {}

    def __call__(self, key: str, **values: object) -> str:
        text = self.messages.get(key) or self.fallback.get(key) or key
        return text.format(**values) if values else text
