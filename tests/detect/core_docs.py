"""Documents that write addresses in every encoding the core decodes, for the core tests."""

from __future__ import annotations

import base64
import json

import numpy as np
from hypothesis import strategies as st

from breachdesk.registry.keyed import KeyedHasher
from breachdesk.samples.encoded import ENCODINGS

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
