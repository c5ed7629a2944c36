"""A second corpus shape: mostly signed-in pages showing the viewer's own details.

- 95% of responses are signed-in account, order and ``/api/me`` pages that show the
  viewer their own name, email and phone (self-views: counted, never reported);
- a fifth of the bodies are logged as ``body_b64``;
- every page ends in a footer full of ``@`` noise: retina images (``logo@2x.png``),
  ``a@b``, CSS at-rules, scoped npm packages, social handles, support addresses;
- 1 response in 2,000 shows another customer's page (a cache bug), written to a
  ground-truth file like ``breachdesk.samples.weblogs``.
"""

from __future__ import annotations

import base64
import json
import random
from pathlib import Path

import numpy as np

from breachdesk.samples.customers import derive

FOOTER = (
    '<footer><img src="/static/logo@2x.png" srcset="/static/logo@3x.png 3x">'
    '<img src="/i/badge@2x.webp"><p>a@b is not an address, nor is x@y.</p>'
    "<style>@media (max-width: 600px) {{ .f {{ display: none }} }} @font-face {{ "
    'font-family: "I"; src: url("/f/i@2x.woff2") }} @supports (display: grid) {{}} '
    "@import url(/css/print@1.css);</style>"
    '<script type="module">import x from "@babel/runtime"; import y from "@shop/ui";</script>'
    "<p>Follow @shopexample and @shop_help · help@shop.example.com · "
    "press@shop.example.com · careers@shop.example.com · privacy@shop.example.com</p>"
    "<p>© 2026 Example Shop · {n} items @ €{price}</p></footer>"
)
ACCOUNT = (
    '<!doctype html><html><head><meta charset="utf-8"><title>Your account</title></head>'
    '<body><header><span class="who">Hello, {first}</span></header><main><h1>Your account</h1>'
    "<table><tr><td>Name</td><td>{name}</td></tr><tr><td>Email</td><td>{email}</td></tr>"
    "<tr><td>Phone</td><td>{phone}</td></tr></table>{orders}</main>{footer}</body></html>"
)
PUBLIC = "<!doctype html><html><body><h1>Today's offers</h1><p>{text}</p>{footer}</body></html>"
ORDER_ROW = "<tr><td>#{no}</td><td>{item}</td><td>€{price}</td><td>ships to {name}</td></tr>"


def _page(rng: random.Random, c: dict[str, str]) -> str:
    rows = "".join(
        ORDER_ROW.format(
            no=rng.randrange(10**7),
            item=rng.choice(["Wallet", "Mug", "Lamp", "Scarf", "Desk"]),
            price=rng.randrange(5, 400),
            name=c["name"],
        )
        for _ in range(rng.randrange(2, 12))
    )
    footer = FOOTER.format(n=rng.randrange(1, 9), price=rng.randrange(5, 400))
    if rng.random() < 0.3:  # an API response instead of a page
        body = json.dumps(
            {"id": c["id"], "name": c["name"], "email": c["email"], "phone": c["phone"]}
        )
        return body + " " + footer
    return ACCOUNT.format(
        first=c["first"],
        name=c["name"],
        email=c["email"],
        phone=c["phone"],
        orders=rows,
        footer=footer,
    )


def write_selfview_corpus(
    path: Path, customers: int, size_bytes: int, seed: int = 3
) -> dict[str, int]:
    """Write the corpus and ``<path>.truth.jsonl``; return counts."""
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    pool = derive(1, nrng.integers(0, customers, size=20_000, dtype=np.int64))
    people = [
        {
            "id": pool.customer_id[i],
            "first": pool.first_name[i],
            "name": pool.full_name[i],
            "email": pool.email[i],
            "phone": pool.phone_display[i],
        }
        for i in range(len(pool))
    ]
    written = lines = exposures = b64 = 0
    truth: list[dict[str, object]] = []
    with path.open("w", encoding="utf-8") as out:
        while written < size_bytes:
            lines += 1
            owner = rng.choice(people)
            signed_in = rng.random() < 0.95
            viewer = owner["id"] if signed_in else None
            exposed = rng.random() < 1 / 2000  # the cache bug: someone else's page
            if exposed:
                other = rng.choice(people)
                while other["id"] == owner["id"]:
                    other = rng.choice(people)
                owner = other
                exposures += 1
                truth.append({"line": lines, "customer_id": owner["id"], "viewer": viewer})
            if exposed or signed_in:
                body = _page(rng, owner)
            else:  # an anonymous visitor sees a public page
                footer = FOOTER.format(n=rng.randrange(1, 9), price=rng.randrange(5, 400))
                offers = "Free shipping over €50 " * rng.randrange(5, 40)
                body = PUBLIC.format(text=offers, footer=footer)
            rec: dict[str, object] = {
                "ts": f"2026-11-21T13:{lines // 60 % 60:02d}:{lines % 60:02d}Z",
                "viewer": viewer,
                "ip": f"203.0.113.{rng.randrange(1, 255)}",
                "method": "GET",
                "url": "/account",
                "status": 200,
                "content_type": "text/html; charset=utf-8",
            }
            if rng.random() < 0.2:
                rec["body_b64"] = base64.b64encode(body.encode()).decode()
                b64 += 1
            else:
                rec["body"] = body
            line = json.dumps(rec, ensure_ascii=False) + "\n"
            out.write(line)
            written += len(line.encode())
    with path.with_suffix(".truth.jsonl").open("w", encoding="utf-8") as fh:
        for t in truth:
            fh.write(json.dumps(t) + "\n")
    return {"bytes": written, "lines": lines, "exposures": exposures, "b64": b64}
