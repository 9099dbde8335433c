"""Upgrades keep every row: from each earlier revision (whatever revisions exist), a database with rows in every
table (evidence, reviews, metric values, links…) migrated to head keeps all of them and every value it had."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import JSON, BigInteger, Boolean, Date, DateTime, Float, Integer, MetaData, Numeric, Table, select
from sqlalchemy.engine import Connection

from bot.db.engine import make_engine
from bot.ops.schema import head, revisions
from tests.unit.test_migration_0005 import _upgrade as upgrade

ROWS = 2


def value(table: Table, column: Any, i: int, chosen: dict[str, list[dict[str, Any]]]) -> Any:
    """Row i's value for a column: the referenced row's key for a foreign key, else one that fits the type."""
    for fk in column.foreign_keys:
        if fk.column.table.name == table.name:  # a tree (criteria.parent_id): a root, then its child
            return None if i == 0 else 1
        return chosen[fk.column.table.name][i][fk.column.name]
    kind = column.type
    if isinstance(kind, Boolean):
        return i % 2 == 0
    if isinstance(kind, DateTime):
        return datetime(2019, 11, 14, 1, 2, 3 + i)
    if isinstance(kind, Date):
        return date(2019, 11, 19 + i)
    if isinstance(kind, JSON):
        return {"n": i, "text": "Nhắc việc"}
    if isinstance(kind, Float):
        return 1.5 + i
    if isinstance(kind, Numeric):
        return Decimal(f"{i}.25")
    if isinstance(kind, Integer | BigInteger):
        return i + 1 if column.primary_key else 100 + i
    length = getattr(kind, "length", None) or 40
    return f"{column.name[:4]}-{table.name[:4]}-{i}-ưđ"[:length]


def fill(connection: Connection) -> dict[str, list[dict[str, Any]]]:
    metadata = MetaData()
    metadata.reflect(connection)
    chosen: dict[str, list[dict[str, Any]]] = {}
    for table in metadata.sorted_tables:
        if table.name == "alembic_version":
            continue
        rows = [{c.name: value(table, c, i, chosen) for c in table.columns} for i in range(ROWS)]
        connection.execute(table.insert(), rows)
        chosen[table.name] = rows
    return chosen


def read(connection: Connection) -> dict[str, list[dict[str, Any]]]:
    metadata = MetaData()
    metadata.reflect(connection)
    out = {}
    for table in metadata.sorted_tables:
        order = list(table.primary_key.columns) or list(table.columns)
        out[table.name] = [dict(r) for r in connection.execute(select(table).order_by(*order)).mappings()]
    return out


def comparable(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.replace(tzinfo=None) if isinstance(v, datetime) else v) for k, v in row.items()}


@pytest.mark.parametrize("start", revisions()[:-1])
def test_every_row_survives_the_upgrade_to_head(start: str, db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        upgrade(engine, start)
        with engine.begin() as connection:
            before = fill(connection)
        assert {"evidence", "reviews", "metric_values", "members"} <= set(before)
        upgrade(engine, "head")
        with engine.connect() as connection:
            after = read(connection)
            assert connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == head()
    finally:
        engine.dispose()
    for table, rows in before.items():
        kept = [comparable(r) for r in after[table]]
        assert len(kept) == len(rows), table
        for old, new in zip(rows, kept, strict=True):
            assert {k: new[k] for k in old} == comparable(old), table
