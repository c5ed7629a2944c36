"""Documents that write addresses in every encoding the core decodes, for the core tests."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable

import idna
import numpy as np
from hypothesis import strategies as st

from breachdesk.registry.keyed import KeyedHasher

KEY = b"differential-test-key-0123456789"
CUSTOMERS = [  # (customer id, email, phone)
    ("c0", "ann@example.com", "+442079460018"),
    ("c1", "bob.smith@shop.example.co.uk", ""),
    ("c2", "carol+news@mail.example.org", "+12015550123"),
    ("c3", "d.o-e_x@xn--bcher-kva.de", ""),
    ("c4", "eve@example.net", ""),
    ("c5", "frank99@sub.domain.example.com", "+33142685300"),
    ("c6", "josé.garcía@correo.es", ""),
]
STRANGERS = ["zoe@example.com", "noreply@shop.example.com", "x.y@z.example.io"]


def index_arrays(hasher: KeyedHasher) -> dict[str, np.ndarray]:
    from breachdesk.registry.normalize import normalise_email

    pairs: list[tuple[int, int]] = []
    for row, (_, email, phone) in enumerate(CUSTOMERS, start=1):
        pairs.append((hasher.email(normalise_email(email)), row))
        if phone:
            pairs.append((hasher.phone(phone), row))
    pairs.sort()
    ids = sorted((hasher.customer_id(cid), row) for row, (cid, _, _) in enumerate(CUSTOMERS, 1))
    return {
        "keys": np.array([k for k, _ in pairs], dtype=np.uint64),
        "rows": np.array([r for _, r in pairs], dtype=np.uint32),
        "ids": np.array([k for k, _ in ids], dtype=np.uint64),
        "idrows": np.array([r for _, r in ids], dtype=np.uint32),
    }


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
    local, domain = s.split("@")
    out = local + "=40" + domain
    return out[: len(out) // 2] + "=\r\n" + out[len(out) // 2 :]


def _fullwidth(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if 0x21 <= ord(c) <= 0x7E else c for c in s)


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
    "punycode": lambda s: s,
    "idn-unicode": _unicode_domain,
    "base64-field": lambda s: '"' + base64.b64encode(f"<p>{s}</p>".encode()).decode() + '"',
}
AROUND = [" ", "（", "）", "«\u00a0", "\u00a0»", "—", "\u3000", "。", "<td>", "</td>", '"', '\\"']
AROUND += ["\ufeff", "\\n", "mailto:", ": ", "\n", "(", ")", ",", ";"]
NOISE = [
    "logo@2x.png", "a@b", "@media screen{}", "@font-face{}", "&amp;", "&nbsp;", "\\\"", "%20",
    "@import url(x.css);", "price 3@4.00", "=\r\n", "&copy;", "\\u003c", "100%", "a=b&c=d",
    "+1 (555) 010", "user@localhost", "@babel/core", "ÄÖÜ", "日本語", "&#", "\\u00", "=4",
]  # fmt: skip

address = st.sampled_from([c[1] for c in CUSTOMERS] + STRANGERS)
piece = st.one_of(
    st.tuples(st.just("addr"), st.sampled_from(sorted(ENCODINGS)), address),
    st.tuples(st.just("noise"), st.sampled_from(NOISE), st.just("")),
    st.tuples(st.just("around"), st.sampled_from(AROUND), st.just("")),
    st.tuples(
        st.just("phone"), st.sampled_from(["+44 20 7946 0018", "+1-201-555-0123"]), st.just("")
    ),
    st.tuples(st.just("text"), st.text(max_size=12), st.just("")),
)


def render(pieces: list[tuple[str, str, str]]) -> bytes:
    out = []
    for kind, a, b in pieces:
        if kind == "addr":
            out.append(" " + ENCODINGS[a](b) + " ")
        else:
            out.append(a)
    return "".join(out).encode("utf-8", errors="surrogatepass")


def jsonl_line(viewer: str | None, body: str, b64: bool = False) -> str:
    rec: dict[str, object] = {"ts": "2026-11-21T13:05:00Z", "viewer": viewer, "url": "/x"}
    if b64:
        rec["body_b64"] = base64.b64encode(body.encode()).decode()
    else:
        rec["body"] = body
    return json.dumps(rec)
