"""The models (bot/db/models.py) and the migrations agree: autogenerate finds nothing to add on either database."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import String

from bot.db.engine import make_engine, migrate
from bot.db.models import Base


def _compare_type(context: Any, inspected: Any, metadata: Any, inspected_type: Any, metadata_type: Any) -> bool | None:
    # SQLite ignores VARCHAR lengths (task ids widen to 64 on PostgreSQL only, migration 0002): not a difference.
    if context.dialect.name == "sqlite" and isinstance(inspected_type, String) and isinstance(metadata_type, String):
        return False
    return None  # alembic's own comparison


def test_models_and_migrations_agree(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": _compare_type})
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == []
