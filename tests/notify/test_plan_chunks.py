"""Planning walks the affected set in chunks (issue 8 §6: it loaded all of it, about
2 GB at 1M customers) and gives the same rows as reading it whole. The memory
figure itself is measured by ``bench/notify_throughput.py --plan-only``."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from breachdesk.incident.affected import affected_customers, affected_pks
from breachdesk.notify import plan as plan_mod
from breachdesk.notify.adapter import customer_notices, iter_customer_notices
from breachdesk.notify.spec import TEMPLATES_DIR, load_shaping
from breachdesk.store.models.outbox import OutboxRow

from .conftest import BAD, GOOD, World


def test_chunks_cover_the_affected_set_exactly_once(world: World) -> None:
    rules = load_shaping(TEMPLATES_DIR)
    chunks = list(iter_customer_notices(world.store, world.incident_id, rules, chunk=3))
    assert [len(c) for c in chunks] == [3, 3, 3, 2]
    whole = customer_notices(world.store, world.incident_id, rules)[1]
    assert [n for c in chunks for n in c] == whole
    pks = affected_pks(world.store, world.incident_id)
    assert list(pks) == sorted(
        c.customer_pk for c in affected_customers(world.store, world.incident_id)
    )
    some = affected_customers(world.store, world.incident_id, pks[2], pks[4])
    assert [c.customer_pk for c in some] == list(pks[2:5])


def test_plan_in_small_chunks_gives_every_row_once(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(plan_mod, "CHUNK", 2)
    result = plan_mod.plan(world.store, world.settings, world.incident_id)
    assert (result.affected, result.created) == (len(GOOD) + len(BAD), len(GOOD) + len(BAD))
    assert sum(result.held.values()) == len(BAD)
    again = plan_mod.plan(world.store, world.settings, world.incident_id)
    assert (again.created, again.released, sum(again.held.values())) == (0, 0, len(BAD))
    with world.store.session() as s:
        states = list(s.scalars(select(OutboxRow.state).order_by(OutboxRow.customer_pk)))
    assert states.count("pending") == len(GOOD) and states.count("held") == len(BAD)
