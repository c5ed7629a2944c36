from __future__ import annotations

from sqlalchemy import inspect

from breachdesk.store import Store
from breachdesk.store.models.exports import Attribution, Export, ExportCanary, TripwireAlert


def test_migration_0003_matches_the_models(store: Store) -> None:
    insp = inspect(store.engine)
    for model in (Export, ExportCanary, TripwireAlert, Attribution):
        table = model.__table__
        cols = {c["name"]: c for c in insp.get_columns(table.name)}
        assert set(cols) == {c.name for c in table.columns}, table.name
        for c in table.columns:
            assert cols[c.name]["nullable"] == c.nullable, f"{table.name}.{c.name}"
        fks = {
            (tuple(f["constrained_columns"]), f["referred_table"])
            for f in insp.get_foreign_keys(table.name)
        }
        assert fks == {((fk.parent.name,), fk.column.table.name) for fk in table.foreign_keys}
        indexed = {tuple(i["column_names"]) for i in insp.get_indexes(table.name)}
        uniques = {tuple(u["column_names"]) for u in insp.get_unique_constraints(table.name)}
        for c in table.columns:
            if c.index:
                assert (c.name,) in indexed, f"{table.name}.{c.name} index"
            if c.unique:
                assert (c.name,) in uniques | indexed, f"{table.name}.{c.name} unique"
