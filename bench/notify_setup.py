"""Shared set-up of the notify benchmarks: a store with N affected customers in six
locales, an approved incident, and the SMTP sink in its own process."""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

from breachdesk.incident.lifecycle import NewIncident, open_incident
from breachdesk.notify.approval import approve
from breachdesk.notify.dkim_keys import public_keys
from breachdesk.notify.plan import plan
from breachdesk.notify.smtp_sink import free_port
from breachdesk.registry.entities import load_entities
from breachdesk.settings import Settings
from breachdesk.store import Store
from breachdesk.store.db import normalise_url
from breachdesk.store.models import Customer
from breachdesk.store.models.incidents import IncidentCustomer
from breachdesk.workspace import init_workspace

PLACES = [
    ("GB", "shop-uk", "en-GB"),
    ("DE", "shop-de", "de-DE"),
    ("FR", "shop-fr", "fr-FR"),
    ("ES", "shop-es", "es-ES"),
    ("IT", "shop-it", "it-IT"),
    ("JP", "shop-jp", "ja-JP"),
]


@dataclass
class Bench:
    root: Path
    env: dict[str, str]
    cfg: Settings
    store: Store
    incident_id: int
    setup_seconds: dict[str, float]

    def sender(self, port: int) -> tuple[dict[str, str], list[str]]:
        """Environment and command of one sender process aimed at the sink on ``port``."""
        env = dict(self.env, BREACHDESK_SMTP_PORT=str(port))
        cmd = [sys.executable, "-m", "breachdesk", "notify", "send", str(self.incident_id)]
        return env, [*cmd, "--no-plan", "--no-progress"]


def machine() -> str:
    cpu = "unknown cpu"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB RAM, {platform.platform()}"


def database(kind: str, root: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{root / 'breachdesk.db'}"
    base = make_url(
        normalise_url(
            os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
        )
    )
    name = f"bd_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def prepare(root: Path, n: int, db: str, plan_outbox: bool = True, **env_extra: str) -> Bench:
    """Customers, incident and (unless ``plan_outbox`` is False) the planned, approved outbox."""
    root.mkdir(parents=True, exist_ok=True)
    times: dict[str, float] = {}
    env = dict(os.environ)
    env.update(
        {
            "BREACHDESK_WORKSPACE": str(root / "ws"),
            "BREACHDESK_DATABASE_URL": database(db, root),
            "BREACHDESK_ACTOR": "bench",
        }
    )
    env.update(env_extra)
    os.environ.update({k: v for k, v in env.items() if k.startswith("BREACHDESK_")})
    cfg = Settings()
    init_workspace(cfg)
    store = Store.open(cfg.database_url)
    store.migrate()
    t = time.perf_counter()
    inc = open_incident(
        store,
        NewIncident(
            title="bench",
            cause="technical-error",
            became_aware_at=datetime(2026, 3, 2, 10, 0, tzinfo=UTC),
            window_start=datetime(2026, 3, 1, 8, 0, tzinfo=UTC),
            window_end=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
        ),
        "bench",
    )
    for start in range(0, n, 20_000):
        rows = []
        for i in range(start, min(n, start + 20_000)):
            country, entity, locale = PLACES[i % len(PLACES)]
            rows.append(
                {
                    "id": i + 1,
                    "customer_id": f"c{i:07d}",
                    "email": f"user{i}@example.org",
                    "email_norm": f"user{i}@example.org",
                    "full_name": f"Customer {i}",
                    "country": country,
                    "subdivision": None,
                    "entity": entity,
                    "locale": locale,
                    "updated_at": datetime.now(UTC),
                }
            )
        links = [
            {
                "incident_id": inc.id,
                "customer_pk": r["id"],
                "fields": "email,name",
                "source": "bench",
                "attached_at": datetime.now(UTC),
            }
            for r in rows
        ]
        with store.session() as s:
            s.execute(insert(Customer), rows)
            s.execute(insert(IncidentCustomer), links)
    times["insert customers"] = time.perf_counter() - t
    if plan_outbox:
        t = time.perf_counter()
        plan(store, cfg, inc.id)
        times["plan outbox"] = time.perf_counter() - t
        times["bench process peak RSS MB (insert + plan)"] = (
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        )
    approve(store, cfg, inc.id, "bench")
    keys = public_keys(cfg, load_entities(cfg.entities_path))
    (root / "keys.json").write_text(json.dumps(keys))
    return Bench(root, env, cfg, store, inc.id, times)


def start_sink(
    root: Path, drop_every: int = 0, sample_every: int = 500
) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "breachdesk.notify.smtp_sink",
            "--port",
            str(port),
            "--dir",
            str(root / "sink"),
            "--keys",
            str(root / "keys.json"),
            "--drop-every",
            str(drop_every),
            "--sample-every",
            str(sample_every),
        ],
        stdout=subprocess.PIPE,
    )
    assert proc.stdout is not None
    proc.stdout.readline()  # "listening on ..."
    return proc, port


def read_index(root: Path) -> list[dict[str, object]]:
    path = root / "sink" / "index.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
