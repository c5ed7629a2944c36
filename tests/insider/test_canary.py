from __future__ import annotations

import math
import random
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from breachdesk.registry.canary import (
    canary_bound,
    canary_count,
    load_names,
    make_canary,
    miss_probability,
)
from breachdesk.registry.exports import ExportRequest, create_export, member_hashes
from breachdesk.registry.keyed import KeyedHasher
from breachdesk.store.models.exports import Export, ExportCanary
from tests.insider.conftest import Registry
from tests.insider.leaks import read_rows

TARGET = Fraction(1, 100)


def test_bound_is_44_from_the_sampling_argument() -> None:
    assert canary_bound() == 44
    assert 0.9**44 <= 0.01 < 0.9**43


@pytest.mark.parametrize("members", [1, 2, 9, 10, 50, 100, 1_000, 10_000, 10**6, 10**7])
def test_canary_count_is_the_smallest_that_meets_the_target(members: int) -> None:
    k = canary_count(members)
    assert 1 <= k <= 44
    assert miss_probability(members, k) <= TARGET
    if k > 1:
        assert miss_probability(members, k - 1) > TARGET


def test_large_extracts_need_about_the_sampling_bound() -> None:
    assert canary_count(10**7) in (43, 44)


@given(st.integers(1, 5000))
@settings(max_examples=60, deadline=None)
def test_exact_product_matches_the_hypergeometric_formula(members: int) -> None:
    k = canary_count(members)
    n = members + k
    m = math.ceil(n / 10)
    exact = Fraction(math.comb(n - k, m), math.comb(n, m))
    assert miss_probability(members, k) == exact


def test_simulated_ten_percent_leaks_hold_a_canary_at_least_99_percent_of_the_time() -> None:
    rng = random.Random(1)
    members = 500
    k = canary_count(members)
    n = members + k
    rows = list(range(n))
    misses = sum(
        1 for _ in range(4000) if min(rng.sample(rows, math.ceil(n / 10))) >= k
    )  # canaries are rows 0..k-1
    assert misses / 4000 <= 0.02  # target 1%, with room for sampling error


def test_canaries_are_deterministic_keyed_and_plausible() -> None:
    h1, h2 = KeyedHasher(b"k" * 32), KeyedHasher(b"j" * 32)
    a = make_canary(h1, "exp_1", 3, "DE", "shop-de", "mail-de.shop-canary.example", "C123456")
    assert a == make_canary(
        h1, "exp_1", 3, "DE", "shop-de", "mail-de.shop-canary.example", "C123456"
    )
    b = make_canary(h2, "exp_1", 3, "DE", "shop-de", "mail-de.shop-canary.example", "C123456")
    c = make_canary(h1, "exp_2", 3, "DE", "shop-de", "mail-de.shop-canary.example", "C123456")
    assert a.email != b.email and a.email != c.email
    given_names, family = load_names()["DE"].given, load_names()["DE"].family
    first, last = a.full_name.split(" ")
    assert first in given_names and last in family
    assert a.email.endswith("@mail-de.shop-canary.example")
    assert a.customer_id[0] == "C" and a.customer_id[1:].isdigit() and len(a.customer_id) == 7
    assert 123456 < int(a.customer_id[1:]) <= 123456 + 1000  # just above the highest real id


def test_register_keeps_hashes_not_plaintext(registry: Registry, tmp_path: Path) -> None:
    req = ExportRequest("Acme", "j.doe", "test", tmp_path / "x.csv", filters={"country": ["FR"]})
    res = create_export(registry.store, registry.hasher, registry.entities, req)
    rows = read_rows(Path(res.out))
    canaries = [r for r in rows if r["email"].endswith(".shop-canary.example")]
    assert len(rows) == res.members + res.canaries and len(canaries) == res.canaries
    assert {r["country"] for r in canaries} == {"FR"}
    with registry.store.sessions() as s:
        export = s.scalars(select(Export)).one()
        blob = export.member_hashes
        stored = s.scalars(select(ExportCanary.email_hash)).all()
    members = member_hashes(blob)
    real = [r for r in rows if r not in canaries]
    expected = sorted(registry.hasher.email(r["email"].lower()) for r in real)
    assert np.array_equal(members, np.array(expected, dtype=np.uint64))
    for r in real[:50]:
        assert r["email"].encode() not in blob and r["full_name"].encode() not in blob
    assert sorted(stored) == sorted(
        f"{registry.hasher.email(r['email'].lower()):016x}" for r in canaries
    )
    positions = [i for i, r in enumerate(rows) if r in canaries]
    assert positions != list(range(len(canaries)))  # blended in, not appended


def test_export_refuses_addresses_in_free_text_before_writing(
    registry: Registry, tmp_path: Path
) -> None:
    from breachdesk.errors import UsageError

    out = tmp_path / "x.csv"
    req = ExportRequest("Acme <ops@acme.example>", "j.doe", "test", out)
    with pytest.raises(UsageError, match="--to"):
        create_export(registry.store, registry.hasher, registry.entities, req)
    assert not out.exists()
