"""Canaries cannot be told apart from the real rows of their export (issue 8, §7).

The defect: every canary id was above every real id, and canaries had no subdivision
and no phone where real rows had them, so an insider could strip them. The registry
here is not our generator's: Faker names and numbers in five locales (umlauts,
accents, kanji), ids handed out sparsely, mail addresses both derived from the name
and unrelated to it, columns filled at different rates per country.

The main test trains a decision tree on features of every exported column and checks
that, within a file, it ranks canaries above real rows no more often than it does
with shuffled labels (mean plus three standard deviations of eight shuffles). The
email *domain* is left out on purpose: it is the canary's return path to the tripwire
and must be ours (docs/insider.md). A control shows the same classifier finds
canaries made the old way (ids above the highest) at once, so the test has power.
"""

from __future__ import annotations

import csv
import math
import random
import unicodedata
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from faker import Faker
from sklearn.tree import DecisionTreeClassifier
from sqlalchemy import select

from breachdesk.registry.canary import _Stream
from breachdesk.registry.canary_blend import Member, local_part_like
from breachdesk.registry.entities import load_entities
from breachdesk.registry.exports import ExportRequest, create_export
from breachdesk.registry.keyed import KeyedHasher
from breachdesk.registry.normalize import normalise_email
from breachdesk.settings import Settings
from breachdesk.store import Store
from breachdesk.store.models import Customer
from breachdesk.store.models.exports import ExportCanary
from breachdesk.workspace import hasher

# country, entity, Faker locale, registry locale, share of rows with a subdivision
WORLD = [
    ("GB", "shop-uk", "en_GB", "en-GB", 0.0),
    ("DE", "shop-de", "de_DE", "de-DE", 0.6),
    ("FR", "shop-fr", "fr_FR", "fr-FR", 0.0),
    ("US", "shop-us", "en_US", "en-US", 0.95),
    ("JP", "shop-jp", "ja_JP", "ja-JP", 0.3),
]
SUBDIVISIONS = {
    "DE": ["DE-BY", "DE-BE", "DE-NW", "DE-HH"],
    "US": ["US-CA", "US-TX", "US-NY", "US-MA", "US-FL"],
    "JP": ["JP-13", "JP-27", "JP-01"],
}
COLUMNS = ("customer_id", "email", "full_name", "country", "subdivision", "entity", "locale")
COLUMNS += ("phone",)


def _fold(s: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFKD", s) if c.isascii() and c.isalnum()
    ).lower()


def _registry(store: Store, n: int, seed: int = 11) -> None:
    rng = random.Random(seed)
    ids = sorted(rng.sample(range(10_000, 10_000 + 12 * n), n))  # sparse: accounts come and go
    fakers = {loc: Faker(loc) for _, _, loc, _, _ in WORLD}
    for i, f in enumerate(fakers.values()):
        f.seed_instance(seed + i)
    rows: list[dict[str, Any]] = []
    emails: set[str] = set()
    for cid in ids:
        country, entity, loc, locale, sub_rate = rng.choice(WORLD)
        f = fakers[loc]
        name = f.name()
        parts = name.split()
        if rng.random() < 0.5 and _fold(parts[0]) and _fold(parts[-1]):
            style = rng.randrange(4)
            g, fam = _fold(parts[0]), _fold(parts[-1])
            local = (f"{g}.{fam}", f"{g[0]}{fam}{rng.randrange(100)}", f"{fam}{g}", f"{g}_{fam}")[
                style
            ]
            email = f"{local}@{f.free_email_domain()}"
        else:
            email = f.free_email()
        if email.lower() in emails:
            continue
        emails.add(email.lower())
        phone = f.phone_number() if rng.random() < 0.7 else None
        if phone is not None and len(phone) > 20:
            phone = None
        rows.append(
            {
                "customer_id": f"C{cid:08d}",
                "email": email,
                "email_norm": email.lower(),
                "full_name": name,
                "country": country,
                "subdivision": rng.choice(SUBDIVISIONS[country])
                if country in SUBDIVISIONS and rng.random() < sub_rate
                else None,
                "entity": entity,
                "locale": locale if rng.random() < 0.9 else None,
                "phone": phone,
            }
        )
    with store.session() as s:
        s.add_all(Customer(**r) for r in rows)


CATS: dict[str, dict[str, int]] = {}


def _features(rows: list[dict[str, str]]) -> np.ndarray[Any, np.dtype[np.float64]]:
    cats = CATS  # one coding for every file

    def code(col: str, value: str) -> float:
        return float(cats.setdefault(col, {}).setdefault(value, len(cats[col])))

    nums = [int(r["customer_id"][1:]) for r in rows]
    out = []
    for i, r in enumerate(rows):
        local = r["email"].rpartition("@")[0]
        name, phone = r["full_name"], r["phone"] or ""
        parts = name.split()
        prev_gap = nums[i] - nums[i - 1] if i else 0
        next_gap = nums[i + 1] - nums[i] if i + 1 < len(rows) else 0
        out.append(
            [
                nums[i],
                i / len(rows),
                math.log1p(max(prev_gap, 0)),
                math.log1p(max(next_gap, 0)),
                len(r["customer_id"]),
                len(name),
                len(parts),
                float(not name.isascii()),
                len(local),
                sum(c.isdigit() for c in local),
                local.count("."),
                local.count("_"),
                float(not local.isascii()),
                float(bool(parts) and _fold(parts[0]) in local and bool(_fold(parts[0]))),
                float(bool(parts) and _fold(parts[-1]) in local and bool(_fold(parts[-1]))),
                float(bool(r["subdivision"])),
                code("subdivision", r["subdivision"]),
                float(bool(phone)),
                len(phone),
                float(phone.startswith("+")),
                sum(c.isdigit() for c in phone),
                phone.count(" "),
                phone.count("-"),
                phone.count("("),
                float(bool(r["locale"])),
                code("locale", r["locale"]),
                code("country", r["country"]),
                code("entity", r["entity"]),
            ]
        )
    return np.array(out, dtype=np.float64)


def _within_file_auc(files: list[tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]]) -> float:
    """How often a canary scores above a real row *of the same file*.

    An insider holds one file, so only comparisons within a file count: pooling files
    would let the tree learn that small files hold more canaries per row. Each file is
    scored by a tree trained on the other files, with rows weighted so that canaries
    and real rows weigh the same in every file.
    """
    x = np.vstack([f[0] for f in files])
    y = np.concatenate([f[1] for f in files])
    group = np.concatenate([np.full(len(f[1]), i) for i, f in enumerate(files)])
    weight = np.empty(len(y))
    for g in range(len(files)):
        for label in (0, 1):
            mask = (group == g) & (y == label)
            weight[mask] = 0.5 / mask.sum()
    better = pairs = 0.0
    for g in range(len(files)):
        train, test = group != g, group == g
        tree = DecisionTreeClassifier(max_depth=5, random_state=0, min_samples_leaf=20)
        tree.fit(x[train], y[train], sample_weight=weight[train])
        p = tree.predict_proba(x[test])[:, 1]
        pos, neg = p[y[test] == 1], p[y[test] == 0]
        diff = pos[:, None] - neg[None, :]
        better += float((diff > 0).sum() + 0.5 * (diff == 0).sum())
        pairs += diff.size
    return better / pairs


def _chance_bound(files: list[tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]]) -> float:
    """What chance looks like here: the same within-file AUC with the labels shuffled
    inside each file (the same number of "canaries" drawn from the real rows), eight
    times; the bound is the mean plus three standard deviations."""
    rng = np.random.default_rng(2018)
    runs = []
    for _ in range(8):
        shuffled = []
        for x, y in files:
            real = x[y == 0]
            fake = np.zeros(len(real), dtype=int)
            fake[rng.choice(len(real), int(y.sum()), replace=False)] = 1
            shuffled.append((real, fake))
        runs.append(_within_file_auc(shuffled))
    return float(np.mean(runs) + 3 * np.std(runs, ddof=1))


@pytest.fixture
def exported(
    store: Store, settings: Settings, tmp_path: Path
) -> list[tuple[list[dict[str, str]], list[bool]]]:
    _registry(store, 6000)
    entities = load_entities(settings.entities_path)
    h = KeyedHasher(b"breachdesk-canary-test-key-32byt")  # fixed: the same draws every run
    out = []
    filters = [
        {"country": ["GB"]},
        {"country": ["DE"]},
        {"country": ["FR"]},
        {"country": ["US"]},
        {"country": ["JP"]},
        {"country": ["GB", "DE"]},
        {"country": ["US", "JP"]},
        {"country": ["FR", "DE", "JP"]},
        {"entity": ["shop-us"], "locale": ["en-US"]},
        {"country": ["GB", "FR", "US"]},
    ]
    for seq, where in enumerate(filters):
        n = seq
        path = tmp_path / f"x{n}.csv"
        req = ExportRequest("Acme", "j.doe", "test", path, filters=where, columns=COLUMNS)
        with pytest.MonkeyPatch.context() as mp:  # a fixed uid: the same canaries every run
            uid = f"{seq:016d}"
            mp.setattr("breachdesk.registry.exports.secrets.token_hex", lambda n, u=uid: u)
            res = create_export(store, h, entities, req)
        assert res.warnings == []  # the sparse id space always has room
        with store.sessions() as s:
            canary = set(
                s.scalars(
                    select(ExportCanary.email_hash).where(ExportCanary.export_id == res.export_id)
                )
            )
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        labels = [f"{h.email(normalise_email(r['email'])):016x}" in canary for r in rows]
        assert sum(labels) == res.canaries
        out.append((rows, labels))
    return out


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_decision_tree_cannot_tell_canaries_from_real_rows(
    exported: list[tuple[list[dict[str, str]], list[bool]]],
) -> None:
    files = [(_features(rows), np.array(labels, dtype=int)) for rows, labels in exported]
    assert sum(int(y.sum()) for _, y in files) >= 300
    auc, bound = _within_file_auc(files), _chance_bound(files)
    assert auc < bound, f"canaries separable: within-file AUC {auc:.3f} (chance bound {bound:.3f})"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_same_tree_finds_canaries_with_ids_above_the_highest(
    exported: list[tuple[list[dict[str, str]], list[bool]]],
) -> None:
    """Control: move each export's canaries above its highest id, as before the fix."""
    files = []
    for rows, labels in exported:
        top = max(int(r["customer_id"][1:]) for r in rows)
        real = [r for r, c in zip(rows, labels, strict=True) if not c]
        fake = [
            {**r, "customer_id": f"C{top + 1 + i:08d}"}
            for i, (r, c) in enumerate(zip(rows, labels, strict=True))
            if c
        ]
        files.append((_features(real + fake), np.array([0] * len(real) + [1] * len(fake))))
    assert _within_file_auc(files) > 0.95


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_columns_are_filled_at_the_rate_of_the_real_rows(
    exported: list[tuple[list[dict[str, str]], list[bool]]],
) -> None:
    rows = [(r, c) for rs, labels in exported for r, c in zip(rs, labels, strict=True)]
    canaries = [r for r, c in rows if c]
    real = [r for r, c in rows if not c]
    for col in ("subdivision", "phone", "locale"):
        p = sum(bool(r[col]) for r in real) / len(real)
        q = sum(bool(r[col]) for r in canaries) / len(canaries)
        se = math.sqrt(p * (1 - p) / len(canaries))
        assert abs(p - q) <= 3.5 * se + 1e-9, (col, p, q)
    # and canary ids interleave: some below the highest real id of every export
    for rs, labels in exported:
        top = max(int(r["customer_id"][1:]) for r, c in zip(rs, labels, strict=True) if not c)
        ids = [int(r["customer_id"][1:]) for r, c in zip(rs, labels, strict=True) if c]
        assert sum(i < top for i in ids) >= len(ids) - 2


def test_local_part_follows_the_donor_shape() -> None:
    s = _Stream(KeyedHasher(b"k" * 32), "exp_1", 0)

    def like(email: str, name: str, given: str, family: str) -> str:
        donor = Member("C1", name, email, "DE", None, None, None, "shop-de")
        return local_part_like(donor, given, family, s)

    assert like("jürgen.müller@x.de", "Jürgen Müller", "Anna", "Schäfer") == "anna.schäfer"
    assert like("juergen.mueller@x.de", "Jürgen Müller", "Anna", "Schäfer") != "anna.mueller"
    folded = like("jurgen.muller@x.de", "Jürgen Müller", "Zoë", "Lefèvre")
    assert folded == "zoe.lefevre"
    initial = like("jmuller84@x.de", "Jürgen Müller", "Anna", "Weiß")
    assert initial[:6] == "aweiss" and initial[-2:].isdigit() and len(initial) == 8
    kept = like("sunny_day7@x.jp", "山田 太郎", "花子", "佐藤")
    assert kept.startswith("sunny_day") and kept[-1].isdigit()


def test_a_dense_id_space_is_reported(store: Store, settings: Settings, tmp_path: Path) -> None:
    """No free id between real ones: canaries go above, and the export says so."""
    with store.session() as s:
        s.add_all(
            Customer(
                customer_id=f"C{i:06d}",
                email=f"p{i}@mail.example",
                email_norm=f"p{i}@mail.example",
                full_name="Pat Doe",
                country="GB",
                entity="shop-uk",
            )
            for i in range(1, 301)
        )
    req = ExportRequest("Acme", "j.doe", "t", tmp_path / "d.csv", filters={"country": ["GB"]})
    res = create_export(store, hasher(settings), load_entities(settings.entities_path), req)
    assert res.warnings and "above the highest real id" in res.warnings[0]


def test_paged_and_in_memory_draws_give_the_same_canaries(
    store: Store, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large export pages members from the store at each draw; a small one reads them
    once. Both must draw the same canaries (same order, same ranks, same countries)."""
    from breachdesk.registry import canary_blend
    from breachdesk.registry.exports import _canary_plan, _where

    _registry(store, 400)
    entities = load_entities(settings.entities_path)
    h = KeyedHasher(b"breachdesk-canary-test-key-32byt")
    filters = {"country": ["GB", "DE", "US"]}
    n, countries, holder = _canary_plan(store, filters, entities)

    def draw() -> list[tuple[str, str, str, str]]:
        blend = canary_blend.blend_canaries(
            store, h, "0" * 16, 12, countries, _where(filters), holder, entities
        )
        return [(c.customer_id, c.full_name, c.email, c.country) for c in blend.canaries]

    in_memory = draw()
    monkeypatch.setattr(canary_blend._Draws, "IN_MEMORY", 0)
    assert draw() == in_memory
    assert len(in_memory) == 12 and n > 12


def test_an_export_of_four_customers_ends_quickly(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    """Four customers in four countries: few names to combine, so most draws fail; the
    draws are made in memory, not with a query each (thousands of queries took minutes
    on PostgreSQL). Counted in statements, not seconds: the machines are shared."""
    from sqlalchemy import event

    with store.session() as s:
        s.add_all(
            Customer(
                customer_id=f"c{i}",
                email=f"p{i}@mail.example",
                email_norm=f"p{i}@mail.example",
                full_name=name,
                country=country,
                entity=entity,
            )
            for i, (name, country, entity) in enumerate(
                [
                    ("Alice Smith", "GB", "shop-uk"),
                    ("Bob Müller", "DE", "shop-de"),
                    ("Carol Jones", "US", "shop-us"),
                    ("Dave Martin", "FR", "shop-fr"),
                ],
                start=1,
            )
        )
    req = ExportRequest("Acme", "j.doe", "t", tmp_path / "x.csv")
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        res = create_export(store, hasher(settings), load_entities(settings.entities_path), req)
    finally:
        event.remove(store.engine, "before_cursor_execute", count)
    assert res.canaries >= 1
    member_reads = [q for q in statements if "ORDER BY customers.customer_id" in q]
    assert len(member_reads) <= 2, len(member_reads)  # the draws, and the writing of the file
    assert len(statements) < 10 * res.canaries + 100, len(statements)
