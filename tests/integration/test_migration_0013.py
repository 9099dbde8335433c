"""Migration 0013 (console sign-in links and sessions) adds its two tables and leaves every row alone, both ways."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect, text

from bot.db.engine import MIGRATIONS, make_engine

AT = datetime(2019, 11, 14, 1, 0, tzinfo=UTC)


def _alembic(engine, action: str, revision: str) -> None:  # type: ignore[no-untyped-def]
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, action)(config, revision)


def test_the_console_tables_come_and_go_and_members_stay(db_url: str) -> None:
    engine = make_engine(db_url)
    _alembic(engine, "upgrade", "0012")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO members (chat_id, name, role, reachable, active, lang, created_at) "
                          "VALUES (7, 'Nguyễn Văn An', 'admin', true, true, 'vi', :at)"), {"at": AT})
    _alembic(engine, "upgrade", "0013")
    tables = set(inspect(engine).get_table_names())
    assert {"console_logins", "console_sessions"} <= tables
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO console_sessions (token_hash, member_id, csrf, created_at, expires_at) "
                          "VALUES ('h', (SELECT id FROM members), 'c', :at, :at)"), {"at": AT})
    _alembic(engine, "downgrade", "0012")
    assert not {"console_logins", "console_sessions"} & set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        assert conn.execute(text("SELECT name FROM members")).scalar_one() == "Nguyễn Văn An"
    engine.dispose()
