"""``Store.upsert`` on SQLite: inserts, updates on conflict, and loads only its dialect."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CODE = """
import sys
from sqlalchemy import select
from breachdesk.store import Store
from breachdesk.store.models import Customer

store = Store.open(sys.argv[1])
store.migrate()  # a new store is migrated by alembic, which loads every dialect
if sys.argv[2] == "migrate":
    sys.exit()
row = {
    "customer_id": "c-1", "entity": "shop-de", "country": "DE", "full_name": "Zoë Größ",
    "email": "zoë@example.de", "email_norm": "zoë@example.de",
}
with store.session() as s:
    store.upsert(s, Customer, [row], key=["customer_id"])
    store.upsert(s, Customer, [row | {"country": "AT"}], key=["customer_id"], update=["country"])
with store.session() as s:
    got = [(c.customer_id, c.country) for c in s.scalars(select(Customer))]
print(got, "sqlalchemy.dialects.postgresql" in sys.modules)
"""


def test_sqlite_upsert_updates_and_never_loads_the_postgresql_dialect(tmp_path: Path) -> None:
    """A scan's findings are upserted after its workers finish, into a store already
    migrated: on SQLite, importing PostgreSQL's dialect (and asyncpg's module) there cost
    about 35 ms of serial time."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    subprocess.run([sys.executable, "-c", CODE, url, "migrate"], check=True)
    out = subprocess.run(
        [sys.executable, "-c", CODE, url, "upsert"], capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[('c-1', 'AT')] False"
