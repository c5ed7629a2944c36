"""Which rules were compared with their statute text, generated from the rule files.

``python -m breachdesk.law.provenance docs/law.md`` rewrites the part of the file
between the ``provenance`` markers; a test fails when the doc and the files differ.
"""

from __future__ import annotations

import sys
from pathlib import Path

from breachdesk.law.rules import SOURCE_ELEMENTS, Rule, RuleBook, load_rulebook

START = "<!-- provenance:start (generated: python -m breachdesk.law.provenance docs/law.md) -->"
END = "<!-- provenance:end -->"


def unverified_reason(rule: Rule) -> str:
    """The rule's own ``unverified:`` note, and the elements with no compared source."""
    have = {s.element for s in rule.sources}
    missing = [e for e in SOURCE_ELEMENTS if e not in have]
    said = [n.split(":", 1)[1].strip() for n in rule.notes if n.lower().startswith("unverified:")]
    parts = said or ["no reason recorded in the file"]
    if missing:
        parts.append(f"no compared source for: {', '.join(missing)}")
    return "; ".join(parts)


def provenance_markdown(rb: RuleBook) -> str:
    rules = [(stem, r) for stem, jr in sorted(rb.files.items()) for r in jr.rules]
    verified = [(s, r) for s, r in rules if r.verified]
    lines = [
        START,
        "",
        f"**{len(verified)} of {len(rules)} rules are `verified: true`** (each with a compared "
        "source for all six elements: definition, exemptions, threshold, recipients, "
        "deadline, content).",
        "",
    ]
    if verified:
        lines.append("Verified: " + ", ".join(f"`{r.id}` ({r.last_verified})" for _, r in verified))
        lines.append("")
    lines += ["| file | rule | why it stays unverified |", "|---|---|---|"]
    for stem, r in rules:
        if not r.verified:
            reason = unverified_reason(r).replace("|", "\\|")
            lines.append(f"| {stem}.yaml | `{r.id}` | {reason} |")
    lines += ["", END]
    return "\n".join(lines)


def rewrite(doc: str, rb: RuleBook) -> str:
    """``doc`` with the generated section replaced (appended when the markers are absent)."""
    block = provenance_markdown(rb)
    if START in doc and END in doc:
        head, rest = doc.split(START, 1)
        _, tail = rest.split(END, 1)
        return head + block + tail
    return doc.rstrip("\n") + "\n\n" + block + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m breachdesk.law.provenance docs/law.md", file=sys.stderr)
        return 2
    path = Path(args[0])
    path.write_text(rewrite(path.read_text(encoding="utf-8"), load_rulebook()), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
