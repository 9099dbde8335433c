"""Migration 0006 (card history index, notice facts) carries existing rows forward, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect, text

from bot.db.engine import MIGRATIONS, make_engine

AT = datetime(2019, 11, 14, 1, 0, tzinfo=UTC)


def _upgrade(engine, revision: str) -> None:  # type: ignore[no-untyped-def]
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def test_rows_at_0001_survive_the_upgrade_and_gain_empty_facts(db_url: str) -> None:
    engine = make_engine(db_url)
    _upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO reminders (key, kind, rung, target, due_at, state, body) "
                          "VALUES ('notice:x:1', 'notice', 'x', 'office', :at, 'queued', 'Nội dung cũ')"), {"at": AT})
        rid = conn.execute(text("SELECT id FROM reminders")).scalar_one()
        conn.execute(text("INSERT INTO deliveries (reminder_id, chat_id, address, state, next_at, attempts, "
                          "uncertain, late, sent_at) VALUES (:r, 5, '', 'sent', :at, 0, false, false, :at)"),
                     {"r": rid, "at": AT})
    _upgrade(engine, "0006")
    with engine.connect() as conn:
        row = conn.execute(text("SELECT key, body, facts FROM reminders")).one()
        assert (row.key, row.body, row.facts) == ("notice:x:1", "Nội dung cũ", None)
        assert conn.execute(text("SELECT chat_id, state FROM deliveries")).one() == (5, "sent")
    indexes = {ix["name"] for ix in inspect(engine).get_indexes("deliveries")}
    assert "ix_deliveries_chat_sent" in indexes
    engine.dispose()
