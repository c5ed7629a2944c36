"""Evidence snippets without the evidence: context around a hit with every identifier masked.

Emails keep their first letters and top-level domain (``j***@e***.com``), digit
runs of six or more keep their last two digits, and the matched name's words keep
their initial. A snippet shows *where* something was, never *what* it was.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_EMAILISH = re.compile(r"[^\s<>\"'(),;:\[\]\\@]{1,64}@[^\s<>\"'(),;:\[\]\\@]{1,255}")
_DIGITS = re.compile(r"\+?\d[\d .()\-]{4,}\d")
_SPACE = re.compile(r"\s+")
_BOUNDARY = re.compile(r"[\s<>\"'(),;]")
WIDTH = 60


def mask_email(value: str) -> str:
    local, _, domain = value.partition("@")
    tld = domain.rsplit(".", 1)[-1] if "." in domain else ""
    return f"{local[:1]}***@{domain[:1]}***.{tld}" if tld else f"{local[:1]}***@***"


def _mask_digits(m: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", m.group())
    if len(digits) < 6:
        return m.group()
    return "[" + "#" * (len(digits) - 2) + digits[-2:] + "]"


def redact(text: str, name_words: Iterable[str] = ()) -> str:
    out = _EMAILISH.sub(lambda m: mask_email(m.group()), text)
    out = _DIGITS.sub(_mask_digits, out)
    for word in sorted(set(name_words), key=len, reverse=True):
        if len(word) < 2:
            continue
        out = re.sub(rf"(?i)(?<!\w){re.escape(word)}(?!\w)", word[:1].upper() + "***", out)
    return _SPACE.sub(" ", out).strip()


def snippet(body: bytes, start: int, end: int, name_words: Iterable[str] = ()) -> str:
    """Redacted context of ``body[start:end]`` with ``WIDTH`` bytes either side."""
    lo = max(0, start - WIDTH)
    hi = min(len(body), end + WIDTH)
    text = body[lo:hi].decode("utf-8", errors="replace")
    # never start or end inside a token: a cut address could still leak part of itself
    if lo > 0:
        cut = _BOUNDARY.search(text)
        text = text[cut.start() :] if cut else ""
    if hi < len(body):
        cuts = list(_BOUNDARY.finditer(text))
        text = text[: cuts[-1].end()] if cuts else ""
    prefix = "…" if lo > 0 else ""
    suffix = "…" if hi < len(body) else ""
    return prefix + redact(text, name_words) + suffix
