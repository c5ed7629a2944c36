"""What a resident's jurisdiction requires of, and forbids in, their notice.

The law rules give content ids per jurisdiction (``content_required_ids`` and
``content_forbidden``, see :mod:`breachdesk.law.rules`). ``notice.yaml`` maps each id
either to a block of the notice (``content_blocks``: a forbidden id omits the block)
or to a paragraph of its own (``content_paragraphs``: a required id adds it). The
jurisdiction rules in ``shaping.yaml`` (headings, omissions) still apply on top.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from breachdesk.law.engine import default_rulebook


class ContentRules(NamedTuple):
    required: tuple[str, ...]
    forbidden: tuple[str, ...]


@lru_cache(maxsize=512)
def content_rules(place: str) -> ContentRules:
    """Required and forbidden content ids for notices to individuals in ``place``."""
    required: list[str] = []
    forbidden: list[str] = []
    for jr in default_rulebook().for_code(place):
        for rule in jr.rules:
            if rule.recipient_kind != "individuals":
                continue
            req: list[str] = list(getattr(rule, "content_required_ids", []) or [])
            forb: list[str] = list(getattr(rule, "content_forbidden", []) or [])
            required += [i for i in req if i not in required]
            forbidden += [f for f in forb if f not in forbidden]
    return ContentRules(tuple(i for i in required if i not in forbidden), tuple(forbidden))


def content_shaping(
    country: str | None,
    subdivision: str | None,
    blocks: dict[str, str],
    paragraphs: dict[str, str],
) -> tuple[set[str], list[str]]:
    """(blocks to omit, paragraph ids to add) for a resident of the place."""
    omit: set[str] = set()
    add: list[str] = []
    for place in (subdivision, country):
        if not place:
            continue
        rules = content_rules(place)
        omit |= {blocks[f] for f in rules.forbidden if f in blocks}
        add += [i for i in rules.required if i in paragraphs and i not in add]
    return omit, add
