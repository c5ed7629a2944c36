"""The charts of one report, drawn from the customers its obligation covers only.

The drawing is :func:`breachdesk.incident.charts.write_charts`; this module gives it a
scope restricted to the report's population and a folder of the report's own, so two
reports of one incident never share (or overwrite) a chart.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from breachdesk.incident.affected import AffectedCustomer
from breachdesk.incident.charts import write_charts
from breachdesk.incident.scope import Scope
from breachdesk.store import Store
from breachdesk.store.models import Finding
from breachdesk.store.models.incidents import IncidentFinding

CHUNK = 5000


def _timeline(
    store: Store, incident_id: int, pks: Sequence[int], window: tuple[datetime, datetime] | None
) -> tuple[list[tuple[datetime, int]], str]:
    """Distinct covered customers exposed per hour (windows up to 3 days) or per day."""
    if window is None:
        return [], "day"
    bucket = "hour" if window[1] - window[0] <= timedelta(days=3) else "day"
    seen: dict[datetime, set[int]] = {}
    with store.session() as s:
        for i in range(0, len(pks), CHUNK):
            rows = s.execute(
                select(Finding.seen_at, Finding.customer_pk)
                .join(IncidentFinding, IncidentFinding.finding_id == Finding.id)
                .where(
                    IncidentFinding.incident_id == incident_id,
                    Finding.customer_pk.in_(list(pks[i : i + CHUNK])),
                    Finding.seen_at.is_not(None),
                )
            )
            for at, pk in rows:
                if at is None:
                    continue
                key = at.replace(minute=0, second=0, microsecond=0)
                if bucket == "day":
                    key = key.replace(hour=0)
                seen.setdefault(key, set()).add(pk)
    return sorted((k, len(v)) for k, v in seen.items()), bucket


def population_charts(
    store: Store,
    incident_id: int,
    pop: Sequence[AffectedCustomer],
    stem: Path,
    out_dir: Path,
) -> list[dict[str, str]]:
    """Write the two charts of ``pop`` next to the report; paths relative to ``out_dir``."""
    firsts = [c.first_seen for c in pop if c.first_seen]
    lasts = [c.last_seen for c in pop if c.last_seen]
    window = (min(firsts), max(lasts)) if firsts and lasts else None
    timeline, bucket = _timeline(store, incident_id, [c.customer_pk for c in pop], window)
    counts = Counter(c.country for c in pop)
    scope = Scope(
        incident_id=incident_id,
        registry_size=0,
        affected=len(pop),
        by_country=dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))),
        by_subdivision={},
        by_entity={},
        by_locale={},
        elements={},
        combinations={},
        window=window,
        recipients=0,
        public=False,
        timeline=timeline,
        bucket=bucket,
    )
    folder = stem.parent / f"{stem.name}-charts"
    files = write_charts(scope, folder)
    rel = folder.relative_to(out_dir)
    return [
        {"title": "Affected customers by country", "path": str(rel / files.by_country_png.name)},
        {"title": "Exposure over time (UTC)", "path": str(rel / files.over_time_png.name)},
    ]
