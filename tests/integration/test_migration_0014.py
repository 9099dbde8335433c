"""Migration 0014 (units the office renamed or added) adds two columns and keeps every unit, both ways."""

from __future__ import annotations

from sqlalchemy import inspect, text

from bot.db.engine import make_engine
from tests.integration.test_migration_0013 import _alembic


def test_the_office_unit_columns_come_and_go_and_units_stay(db_url: str) -> None:
    engine = make_engine(db_url)
    _alembic(engine, "upgrade", "0013")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO units (id, name, retired) VALUES ('TCCB', 'Phòng Tổ chức cán bộ', false)"))
    _alembic(engine, "upgrade", "0014")
    assert {"name_set", "office_added"} <= {c["name"] for c in inspect(engine).get_columns("units")}
    with engine.begin() as conn:
        assert conn.execute(text("SELECT office_added, name_set FROM units")).one() == (False, None)
        conn.execute(text("UPDATE units SET name_set = 'Phòng Tổ chức - Cán bộ', office_added = true"))
    _alembic(engine, "downgrade", "0013")
    assert not {"name_set", "office_added"} & {c["name"] for c in inspect(engine).get_columns("units")}
    with engine.connect() as conn:
        assert conn.execute(text("SELECT name FROM units")).scalar_one() == "Phòng Tổ chức cán bộ"
    engine.dispose()
