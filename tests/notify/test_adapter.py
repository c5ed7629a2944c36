"""The adapter: per-customer contexts from the affected set and the persisted obligations."""

from __future__ import annotations

from breachdesk.notify.adapter import customer_notices
from breachdesk.notify.spec import load_shaping
from breachdesk.store.models.incidents import ObligationRow

from .conftest import GOOD, World


def _obligation(
    w: World, key: str, kind: str, who: str, juris: str, entity: str, **kw: object
) -> None:
    with w.store.session() as s:
        s.add(
            ObligationRow(
                incident_id=w.incident_id,
                key=key,
                recipient_kind=kind,
                recipient=who,
                jurisdiction=juris,
                entity=entity,
                rule_id=key,
                citation="test",
                **kw,
            )
        )


def test_contexts_name_the_regulators_for_each_customer(world: World) -> None:
    _obligation(world, "GB/ICO/shop-uk", "regulator", "ICO", "GB", "shop-uk", status="done")
    _obligation(world, "EU/SA/shop-de", "regulator", "BayLDA", "EU", "shop-de")
    _obligation(world, "US-CA/AG/shop-us", "attorney_general", "California AG", "US-CA", "shop-us")
    _obligation(world, "US-CA/ind/shop-us", "individuals", "residents", "US-CA", "shop-us")
    _obligation(world, "EU/register/shop-de", "internal_register", "register", "EU", "shop-de")
    facts, notices = customer_notices(world.store, world.incident_id, load_shaping())
    ctx = {n.customer_id: n.context for n in notices}
    assert facts.total_affected == len(notices)
    assert ctx["gb1"]["regulators_done"] == ["ICO"] and ctx["gb1"]["regulators_pending"] == []
    assert ctx["de1"]["regulators_pending"] == ["BayLDA"]
    assert ctx["ca1"]["regulators_pending"] == ["California AG"]
    assert ctx["ma1"]["regulators_pending"] == []  # the California AG is not Mary's
    assert ctx["fr1"]["regulators_pending"] == []  # shop-fr has its own (none here)
    assert ctx["de1"]["fields"] == ["email", "password"]
    assert ctx["ca1"]["shaping"]["headings"] == "california"
    assert ctx["ma1"]["shaping"]["omit"] == ["what_happened", "scope_count"]
    assert len(notices) == len(GOOD) + 3


def test_law_engine_notice_flags_win(world: World) -> None:
    _obligation(
        world,
        "US-MA/ind/shop-us",
        "individuals",
        "residents",
        "US-MA",
        "shop-us",
        data={"notice": {"omit": ["scope_count"]}},
    )
    _, notices = customer_notices(world.store, world.incident_id, load_shaping())
    ma = next(n for n in notices if n.customer_id == "ma1")
    assert ma.context["shaping"]["omit"] == ["scope_count"]


def test_a_public_exposure_is_said_to_be_public(world: World) -> None:
    from datetime import UTC, datetime

    from sqlalchemy import select

    from breachdesk.notify.render import Renderer
    from breachdesk.registry.entities import load_entities
    from breachdesk.store.models import Customer, Finding, ScanRun
    from breachdesk.store.models.incidents import IncidentFinding

    seen = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    with world.store.session() as s:
        pk = s.scalar(select(Customer.id).where(Customer.customer_id == "gb1"))
        run = ScanRun(started_at=seen, paths=["log"], status="done")
        s.add(run)
        s.flush()
        for i, viewer in enumerate(["public", "de1"]):
            f = Finding(
                scan_id=run.id,
                customer_pk=pk,
                fields="email,name",
                source="log",
                locator=f"L{i}",
                seen_at=seen,
                viewer=viewer,
                snippet="[redacted]",
                fingerprint=f"fp{i}",
            )
            s.add(f)
            s.flush()
            s.add(IncidentFinding(incident_id=world.incident_id, finding_id=f.id))
    facts, notices = customer_notices(world.store, world.incident_id, load_shaping())
    ctx = {n.customer_id: n.context for n in notices}
    assert ctx["gb1"]["public"] is True and ctx["de1"]["public"] is False
    entity = load_entities(world.settings.entities_path)["shop-uk"]
    text = Renderer().render(facts, entity, ctx["gb1"], "Alice", "en", "X").text
    assert "visible to the public" in text
    assert "The exposure happened on March 1, 2026." in text  # from the finding, not the window
