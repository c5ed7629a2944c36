"""Response bodies for the sample shop: HTML pages, CSS, JS, JSON API responses and images.

Pages are built from fixed parts plus a few substitutions, so gigabytes can be
written quickly. They are full of harmless ``@``: CSS at-rules, support and
privacy addresses, social handles, scoped npm packages, placeholders. Only the
account, order and ``/api/me`` responses carry a customer's identifiers.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from html import escape

from breachdesk.registry.entities import SEED

SHOP_CSS = """
@import url("https://fonts.shopcdn.example/css2?family=Inter:wght@400;600&display=swap");
@font-face { font-family: "ShopIcons"; src: url("/static/fonts/icons.woff2") format("woff2");
  font-display: block; }
:root { --brand: #0b5fff; --ink: #1d1d1f; --muted: #6e6e73; --radius: 10px; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 Inter, system-ui, sans-serif; color: var(--ink); }
.site-header { display: flex; align-items: center; gap: 24px; padding: 12px 32px;
  border-bottom: 1px solid #e5e5ea; }
.site-header nav a { color: var(--ink); text-decoration: none; margin-right: 18px; }
.product-grid { display: grid; grid-template-columns: repeat(4, 1fr); gap: 20px; }
.card { border: 1px solid #e5e5ea; border-radius: var(--radius); padding: 16px; }
.price { font-weight: 600; } .price--sale { color: #c4122f; }
.stars::before { content: "\\2605\\2605\\2605\\2605\\2606"; letter-spacing: 2px; }
@media (max-width: 900px) { .product-grid { grid-template-columns: repeat(2, 1fr); } }
@media (max-width: 560px) { .product-grid { grid-template-columns: 1fr; }
  .site-header { padding: 8px 12px; } }
@media print { .site-header, .site-footer { display: none; } }
@supports (backdrop-filter: blur(8px)) { .site-header { backdrop-filter: blur(8px); } }
@keyframes pulse { 0% { opacity: .4 } 50% { opacity: 1 } 100% { opacity: .4 } }
.skeleton { animation: pulse 1.2s infinite; background: #f2f2f7; min-height: 1em; }
.site-footer { padding: 32px; color: var(--muted); font-size: 13px; }
"""

SHOP_JS = """
/*! shop-frontend v4.18.2 | (c) Example Shop | @license MIT */
import { h, render } from "@preact/core";
import { track } from "@shop/analytics";
import "@babel/runtime/helpers/esm/asyncToGenerator";
const cfg = { api: "/api", cdn: "https://static.shopcdn.example",
  sentry: "https://k3@o1.ingest.example/4" };
function qs(s) { return document.querySelector(s); }
async function addToCart(sku, qty) {
  const r = await fetch(cfg.api + "/cart", { method: "POST", body: JSON.stringify({ sku, qty }) });
  if (!r.ok) { console.warn("cart error", r.status); return; }
  qs("#cart-count").textContent = (await r.json()).items;
  track("add_to_cart", { sku: sku, qty: qty });
}
document.addEventListener("DOMContentLoaded", () => {
  for (const b of document.querySelectorAll("[data-sku]"))
    b.onclick = () => addToCart(b.dataset.sku, 1);
});
"""

ADJECTIVES = (
    "Merino",
    "Linen",
    "Canvas",
    "Leather",
    "Recycled",
    "Organic",
    "Alpine",
    "Coastal",
    "Classic",
    "Everyday",
    "Featherweight",
    "Waxed",
    "Quilted",
    "Ribbed",
    "Brushed",
    "Heritage",
    "Trail",
    "Urban",
    "Studio",
    "Cotton",
)
NOUNS = (
    "Jacket",
    "Sneaker",
    "Backpack",
    "Tote",
    "Scarf",
    "Hoodie",
    "Chino",
    "Parka",
    "Beanie",
    "Sweater",
    "Tee",
    "Boot",
    "Wallet",
    "Duffel",
    "Cardigan",
    "Shirt",
    "Raincoat",
    "Sock",
    "Belt",
    "Gilet",
)
COLOURS = (
    "Navy",
    "Olive",
    "Sand",
    "Charcoal",
    "Rust",
    "Ecru",
    "Forest",
    "Slate",
    "Berry",
    "Stone",
)
SENTENCES = [
    "Cut from a soft, breathable fabric that keeps its shape wash after wash.",
    "Designed in our studio and made in small batches by a family-run mill.",
    "A relaxed fit with room to layer, finished with reinforced seams.",
    "Questions about sizing? Our team answers within a day.",
    "Free returns within 30 days; see the returns page for details.",
    "Water-repellent finish without PFCs, so it stays kind to rivers.",
    "Every order is packed in recycled cardboard with paper tape.",
    "Pairs well with the rest of the capsule collection.",
]
REVIEWERS = (
    "Sam K",
    "Priya R",
    "Tom B",
    "Ines M",
    "Yuki T",
    "Lena W",
    "Marco P",
    "Ada L",
    "Noor H",
    "Ben S",
)


@dataclass(frozen=True)
class Site:
    entity: str
    host: str
    lang: str

    @property
    def help(self) -> str:
        return f"help@{self.host}"


def sites() -> list[Site]:
    import yaml

    entities = yaml.safe_load(SEED)["entities"]
    langs = {"GB": "en", "DE": "de", "FR": "fr", "ES": "es", "IT": "it", "US": "en", "CA": "en"}
    langs |= {"JP": "ja", "AU": "en"}
    return [Site(e["id"], e["website"], langs.get(e["country"], "en")) for e in entities]


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    price: str
    blurb: str


def catalogue(rng: random.Random, n: int = 400) -> list[Product]:
    out = []
    for i in range(n):
        name = f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)} — {rng.choice(COLOURS)}"
        price = f"{rng.randint(15, 240)}.{rng.choice(('00', '50', '95', '99'))}"
        blurb = " ".join(rng.sample(SENTENCES, 3))
        out.append(Product(f"SKU-{10000 + i}", name, price, blurb))
    return out


@dataclass(frozen=True)
class Person:
    """What a page shows of a customer."""

    customer_id: str
    first_name: str
    full_name: str
    email: str
    phone: str  # international display form, "" when none
    country: str
    entity: str


def _head(site: Site, title: str) -> str:
    return (
        f'<!doctype html><html lang="{site.lang}"><head><meta charset="utf-8">'
        f"<title>{escape(title)} | Example Shop</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<link rel="canonical" href="https://{site.host}/"><style>{SHOP_CSS}</style></head>'
    )


def _header(site: Site, viewer: Person | None) -> str:
    hello = (
        f'<a href="/account">Hi, {escape(viewer.first_name, quote=False)}</a>'
        if viewer
        else '<a href="/login">Sign in</a>'
    )
    return (
        '<body><header class="site-header"><a class="logo" href="/">Example Shop</a>'
        '<nav><a href="/c/new">New in</a><a href="/c/women">Women</a><a href="/c/men">Men</a>'
        f'<a href="/c/sale">Sale</a></nav><div class="who">{hello} · '
        '<a href="/cart">Bag (<span id="cart-count">0</span>)</a></div></header><main>'
    )


def _footer(site: Site) -> str:
    return (
        '</main><footer class="site-footer"><p>Need help? Write to '
        f'<a href="mailto:{site.help}">{site.help}</a> or see our '
        '<a href="/help">help centre</a>. Press: press@shop.example.com. '
        f"Privacy questions: privacy@{site.host}.</p>"
        "<p>Follow @exampleshop on Instagram and @ExampleShopHelp for service updates.</p>"
        "<p><small>Prices include VAT where applicable. © 2026 Example Shop.</small></p>"
        f'</footer><script type="module">{SHOP_JS}</script></body></html>'
    )


def product_page(rng: random.Random, site: Site, p: Product, viewer: Person | None) -> str:
    reviews = "".join(
        f'<li class="review"><span class="stars"></span><b>{name}.</b> {rng.choice(SENTENCES)}</li>'
        for name in rng.sample(REVIEWERS, 4)
    )
    related = "".join(
        f'<div class="card" data-sku="SKU-{rng.randint(10000, 10399)}"><div class="skeleton">'
        f'</div><p>{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}</p><p class="price">'
        f"{rng.randint(15, 240)}.00</p></div>"
        for _ in range(8)
    )
    return (
        _head(site, p.name)
        + _header(site, viewer)
        + f'<article class="product" itemscope><h1 itemprop="name">{escape(p.name)}</h1>'
        f'<p class="price" itemprop="price">{p.price}</p><p>{p.blurb}</p>'
        f'<button data-sku="{p.sku}">Add to bag</button>'
        f'<form class="notify"><label>Email me when it is back'
        f'<input type="email" name="email" placeholder="you@example.com"></label></form>'
        f'<h2>Reviews</h2><ul class="reviews">{reviews}</ul>'
        f'<h2>You may also like</h2><div class="product-grid">{related}</div></article>'
        + _footer(site)
    )


def category_page(
    rng: random.Random, site: Site, items: list[Product], viewer: Person | None
) -> str:
    cards = "".join(
        f'<div class="card" data-sku="{p.sku}"><h3>{escape(p.name)}</h3>'
        f'<p class="price">{p.price}</p><p>{p.blurb[:90]}…</p></div>'
        for p in items
    )
    return (
        _head(site, "New in")
        + _header(site, viewer)
        + f'<h1>New in</h1><div class="product-grid">{cards}</div>'
        + _footer(site)
    )


def login_page(site: Site) -> str:
    return (
        _head(site, "Sign in")
        + _header(site, None)
        + '<form method="post" action="/login"><label>Email<input type="email" name="email" '
        'placeholder="name@example.com" autocomplete="username"></label><label>Password'
        '<input type="password" name="password"></label><button>Sign in</button></form>'
        + _footer(site)
    )


def not_found(site: Site) -> str:
    return (
        _head(site, "Not found")
        + _header(site, None)
        + "<h1>We could not find that page</h1><p>It may have sold out. Try the search, or "
        f"write to {site.help} and we will help.</p>" + _footer(site)
    )


def _name(person: Person) -> str:
    name = escape(person.full_name, quote=False)
    return f"{name} 様" if person.country == "JP" else name


def account_page(site: Site, person: Person, orders: list[str]) -> str:
    phone = f"<dt>Phone</dt><dd>{person.phone}</dd>" if person.phone else ""
    rows = "".join(f'<li><a href="/orders/{o}">Order {o}</a></li>' for o in orders)
    return (
        _head(site, "Your account")
        + _header(site, person)
        + f'<section class="account"><h1>Welcome back, {_name(person)}</h1><dl>'
        f"<dt>Name</dt><dd>{_name(person)}</dd><dt>Email</dt><dd>{person.email}</dd>{phone}</dl>"
        f"<h2>Recent orders</h2><ul>{rows}</ul><p>To change your email address, contact "
        f"{site.help}.</p></section>" + _footer(site)
    )


def order_page(site: Site, person: Person, order: str, items: list[Product]) -> str:
    lines = "".join(
        f"<tr><td>{escape(p.name)}</td><td>1</td><td>{p.price}</td></tr>" for p in items
    )
    phone = f"<p>Delivery updates by text to {person.phone}</p>" if person.phone else ""
    return (
        _head(site, f"Order {order}")
        + _header(site, person)
        + f'<section class="order"><h1>Order {order}</h1><p>Ship to: {_name(person)}</p>'
        f"<p>Confirmation sent to {person.email}</p>{phone}"
        f"<table><tr><th>Item</th><th>Qty</th><th>Price</th></tr>{lines}</table>"
        f"<p>Questions about this order? Reply to orders@{site.host}.</p></section>" + _footer(site)
    )


def api_me(person: Person) -> str:
    me: dict[str, object] = {
        "id": person.customer_id,
        "name": person.full_name,
        "email": person.email,
        "marketing_opt_in": False,
    }
    if person.phone:
        me["phone"] = person.phone
    return json.dumps({"data": me, "meta": {"api": "v2"}}, ensure_ascii=False)


def api_products(rng: random.Random, items: list[Product]) -> str:
    data = [
        {"sku": p.sku, "name": p.name, "price": p.price, "stock": rng.randint(0, 40)} for p in items
    ]
    return json.dumps(
        {"data": data, "links": {"support": "mailto:help@shop.example.com"}}, ensure_ascii=False
    )


def png(rng: random.Random) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + rng.randbytes(rng.randint(600, 3000))
