"""What a notice to a resident of one jurisdiction must and must not contain, from the rules.

Notice shaping calls :func:`notice_content` with the resident's ISO 3166 code. The
required ids name paragraphs (see :data:`breachdesk.law.rules.ContentId`); the
forbidden list holds paragraph ids where the statute forbids a whole paragraph
(``breach_description`` in Massachusetts) and plain text otherwise, for the writer.
"""

from __future__ import annotations

from typing import NamedTuple, get_args

from breachdesk.law.rules import ContentId, RuleBook

CONTENT_IDS: frozenset[str] = frozenset(get_args(ContentId))


class NoticeContent(NamedTuple):
    required_ids: list[str]
    forbidden: list[str]

    @property
    def forbidden_ids(self) -> list[str]:
        """The forbidden entries that are paragraph ids, to drop from the notice."""
        return [f for f in self.forbidden if f in CONTENT_IDS]


def notice_content(
    jurisdiction_code: str, rulebook: RuleBook | None = None, recipient_kind: str = "individuals"
) -> NoticeContent:
    """Required paragraph ids and forbidden content for notices to ``recipient_kind`` in
    ``jurisdiction_code`` ("US-MA", "DE"), over every rules file that covers the code.
    A paragraph both required by one rule and forbidden by another is left out."""
    if rulebook is None:
        from breachdesk.law.engine import default_rulebook

        rulebook = default_rulebook()
    required: list[str] = []
    forbidden: list[str] = []
    for jr in rulebook.for_code(jurisdiction_code.strip().upper()):
        for rule in jr.rules:
            if rule.recipient_kind != recipient_kind:
                continue
            required.extend(i for i in rule.content_required_ids if i not in required)
            forbidden.extend(f for f in rule.content_forbidden if f not in forbidden)
    return NoticeContent([i for i in required if i not in forbidden], forbidden)
