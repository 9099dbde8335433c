"""Engines for SQLite (WAL, BEGIN IMMEDIATE) and PostgreSQL, and migrations at start."""

from __future__ import annotations

import os
import weakref
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

from bot.i18n import _

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_MIGRATION_LOCK = zlib.crc32(b"nhacviec-migrate")  # not the polling lock's key (bot/db/lock.py)
_vanished_listeners: weakref.WeakKeyDictionary[Engine, list[Callable[[DatabaseVanished], None]]] = \
    weakref.WeakKeyDictionary()


class DatabaseVanished(Exception):
    """The SQLite file was deleted or replaced under a running bot: nothing written now would be kept."""

    def __init__(self, path: Path) -> None:
        super().__init__(_("The database file {path} was deleted or replaced while the bot was running. The bot "
                           "stops so that it never confirms work it cannot store. Put the file back (from a backup) "
                           "and start the bot again.").format(path=path))
        self.path = path


def on_vanished(engine: Engine, callback: Callable[[DatabaseVanished], None]) -> None:
    """Call `callback` (once per detection) when the engine's SQLite file disappears or is replaced."""
    _vanished_listeners.setdefault(engine, []).append(callback)


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_dev, st.st_ino


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def make_engine(url: str, echo: bool = False, busy_timeout_ms: int = 30_000) -> Engine:
    """An engine configured for safe concurrent writes; creates the SQLite file's folder.

    `busy_timeout_ms`: how long SQLite waits for another writer's lock (tests use a short one).
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, echo=echo, pool_pre_ping=True, future=True)
    database = parsed.database or ""
    kwargs: dict[str, Any] = {"connect_args": {"timeout": busy_timeout_ms / 1000, "check_same_thread": False}}
    if database in ("", ":memory:"):
        kwargs["poolclass"] = StaticPool
    else:
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, echo=echo, future=True, **kwargs)
    path = Path(database).expanduser().resolve() if database not in ("", ":memory:") else None
    known: list[tuple[int, int] | None] = []  # the file's (device, inode) when first opened

    def _check() -> None:
        # Deleted under us, SQLite keeps writing to the unlinked inode (or a new connection creates an empty
        # file): every "recorded" answer would be a lie. One stat() per transaction is microseconds.
        if path is None:
            return
        now = _identity(path)
        if not known:
            known.append(now)
        elif now is None or now != known[0]:
            error = DatabaseVanished(path)
            for callback in _vanished_listeners.get(engine, []):
                callback(error)
            raise error

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own BEGIN is deferred: an upgrade to a write fails at once with
        # "database is locked", ignoring busy_timeout. We emit BEGIN IMMEDIATE ourselves.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if database not in ("", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            # Under WAL, NORMAL syncs at checkpoints instead of every commit: no corruption, and an
            # application crash loses nothing; only a power cut may roll back the last commits.
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()
        _check()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        _check()
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision (run before the bot's event loop).

    PostgreSQL: two processes starting together on an empty database take turns (a transaction-scoped
    advisory lock): the first migrates, the second waits, then finds the schema current. SQLite's
    BEGIN IMMEDIATE already serialises them.
    """
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
