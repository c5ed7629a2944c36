"""No enumeration oracle: 200 look-ups for customers and 200 for non-customers get
the same status and body, and response times a two-sample test cannot separate.
The same for verification-code checks (genuine against unknown codes).

Times are taken with the configured response floor (``portal_floor_ms``), as
served. The two kinds of request are interleaved so drift hits both alike. A
statistical test at p > 0.01 fails by chance 1 time in 100 even when the
distributions are identical, so a separated sample is measured once more; a real
timing leak separates both samples.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from scipy.stats import ks_2samp, mannwhitneyu
from starlette.testclient import TestClient

from tests.web.builders import AFFECTED, World
from tests.web.conftest import client_for, csrf_of

N = 200
ALPHA = 0.01


def _sample(
    client: TestClient,
    a: Callable[[int], dict[str, str]],
    b: Callable[[int], dict[str, str]],
    path: str,
) -> tuple[list[float], list[float], set[tuple[int, bytes]], set[tuple[int, bytes]]]:
    ta: list[float] = []
    tb: list[float] = []
    ra: set[tuple[int, bytes]] = set()
    rb: set[tuple[int, bytes]] = set()
    for i in range(N):
        for data, times, seen in ((a(i), ta, ra), (b(i), tb, rb)):
            t = time.perf_counter()
            r = client.post(path, data=data)
            times.append(time.perf_counter() - t)
            seen.add((r.status_code, r.content))
    return ta, tb, ra, rb


def _indistinct(run: Callable[[], tuple[list[float], list[float]]]) -> tuple[float, float]:
    best = (0.0, 0.0)
    for _ in range(2):
        ta, tb = run()
        ks = float(ks_2samp(ta, tb).pvalue)
        mw = float(mannwhitneyu(ta, tb).pvalue)
        best = max(best, (min(ks, mw), max(ks, mw)))
        if ks > ALPHA and mw > ALPHA:
            break
    return best


def test_was_i_affected_is_no_oracle(world: World) -> None:
    customers = [world.email(c) for c in AFFECTED]
    with client_for(world, portal_floor_ms=12.0) as client:
        token = csrf_of(client)
        bodies: list[set[tuple[int, bytes]]] = []

        def run() -> tuple[list[float], list[float]]:
            ta, tb, ra, rb = _sample(
                client,
                lambda i: {"csrf": token, "email": customers[i % len(customers)]},
                lambda i: {"csrf": token, "email": f"not.a.customer.{i}@example.org"},
                "/lookup",
            )
            bodies.extend([ra, rb])
            return ta, tb

        p = _indistinct(run)
    assert all(b == bodies[0] for b in bodies) and len(bodies[0]) == 1  # one status, one body
    status, body = next(iter(bodies[0]))
    assert status == 200 and b"we have sent it a message" in body
    assert p[0] > ALPHA, f"response times separate customers (p={p})"


def test_code_check_is_no_oracle(world: World) -> None:
    world.mark_sent(AFFECTED)
    codes = [world.notice_code(c) for c in AFFECTED]
    with client_for(world, portal_floor_ms=12.0) as client:
        token = csrf_of(client)
        statuses: set[int] = set()
        shapes: set[int] = set()

        def run() -> tuple[list[float], list[float]]:
            ta, tb, ra, rb = _sample(
                client,
                lambda i: {"csrf": token, "code": codes[i % len(codes)]},
                lambda i: {"csrf": token, "code": f"ZZZZ-{i:04d}-ZZZZ"},
                "/verify",
            )
            statuses.update(s for s, _ in ra | rb)
            shapes.update(body.count(b"<dt>") for _, body in ra | rb)
            return ta, tb

        p = _indistinct(run)
    assert statuses == {200} and len(shapes) == 1  # same status, same shape
    assert p[0] > ALPHA, f"response times separate genuine codes (p={p})"
