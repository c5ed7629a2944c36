"""An address written in every encoding breachdesk's detection core decodes.

Used by the core's differential test and by the per-encoding accuracy benchmark
(``bench/encodings_accuracy.py``): ``ENCODINGS[name](address)`` returns the text a
page, a query string, a mail body or a JSON field would hold.
"""

from __future__ import annotations

import base64
from collections.abc import Callable

import idna


def _ent_dec(s: str) -> str:
    return "".join(f"&#{ord(c)};" if c in "@." else c for c in s)


def _ent_hex(s: str) -> str:
    return "".join(
        f"&#x{ord(c):x};" if c == "@" or (c.isalpha() and i % 3 == 0) else c
        for i, c in enumerate(s)
    )


def _json_u(s: str) -> str:
    return "".join(
        f"\\u{ord(c):04x}" if c == "@" or (c.isalpha() and i % 4 == 1) else c
        for i, c in enumerate(s)
    )


def _pct(s: str) -> str:
    return s.replace("+", "%2B").replace("@", "%40")


def _qp(s: str) -> str:
    """Quoted-printable: ``=40`` for the ``@`` and a soft line break inside the local part
    (an encoder never breaks a line inside an ``=XX`` code)."""
    local, domain = s.split("@")
    half = len(local) // 2
    return local[:half] + "=\r\n" + local[half:] + "=40" + domain


def _fullwidth(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if 0x21 <= ord(c) <= 0x7E else c for c in s)


def _punycode(s: str) -> str:
    local, domain = s.split("@")
    return s if domain.isascii() else local + "@" + idna.encode(domain, uts46=True).decode("ascii")


def _unicode_domain(s: str) -> str:
    local, domain = s.split("@")
    return local + "@" + idna.decode(domain) if "xn--" in domain else s


# name -> (encode the address, wrap the encoded text in its container)
ENCODINGS: dict[str, Callable[[str], str]] = {
    "plain": lambda s: s,
    "upper-case": str.upper,
    "html-decimal": _ent_dec,
    "html-hex": _ent_hex,
    "html-named": lambda s: s.replace("@", "&commat;").replace(".", "&period;"),
    "html-double": lambda s: s.replace("@", "&amp;#64;"),
    "json-unicode": _json_u,
    "json-double": lambda s: s.replace("@", "\\\\u0040"),
    "percent": _pct,
    "percent-double": lambda s: s.replace("@", "%2540"),
    "query-plus": lambda s: "q=hello+" + s.replace("@", "%40"),
    "quoted-printable": _qp,
    "fullwidth": _fullwidth,
    "fullwidth-at": lambda s: s.replace("@", "＠"),
    "punycode": _punycode,
    "idn-unicode": _unicode_domain,
    "unicode-brackets": lambda s: "（" + s + "）",
    "nbsp-guillemets": lambda s: "«\u00a0" + s + "\u00a0»",
    "em-dash-glued": lambda s: "contact—" + s + "—today",
    "ideographic-space": lambda s: "\u3000" + s + "。",
    "after-bom": lambda s: "\ufeff" + s,
    "base64-field": lambda s: '"' + base64.b64encode(f"<p>{s}</p>".encode()).decode() + '"',
}
