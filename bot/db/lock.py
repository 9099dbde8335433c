"""One polling instance per database: a file lock for SQLite, an advisory lock for PostgreSQL."""

from __future__ import annotations

import zlib
from pathlib import Path

from filelock import FileLock, Timeout
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import OperationalError

from bot.i18n import _

_KEY = zlib.crc32(b"nhacviec-polling")


class AlreadyRunning(Exception):
    """Another instance holds the lock; the message says what to do, in the reader's language."""


class InstanceLock:
    """Held for the life of the process; released on close()."""

    def __init__(self, engine: Engine, url: str) -> None:
        self.engine = engine
        self.url = url
        self._file: FileLock | None = None
        self._conn: Connection | None = None

    def acquire(self) -> None:
        parsed = make_url(self.url)
        if parsed.get_backend_name() == "sqlite":
            database = parsed.database or ""
            if database in ("", ":memory:"):
                return
            path = Path(database).expanduser().resolve()
            self._file = FileLock(str(path) + ".lock")
            try:
                self._file.acquire(timeout=0)
            except Timeout:
                raise AlreadyRunning(_(
                    "Another nhacviec process is running with the database {path} (lock {path}.lock). "
                    "Only one bot in polling mode may run per database; stop the other process first.")
                    .format(path=path)) from None
            return
        self._conn = self.engine.connect()
        got = self._conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": _KEY}).scalar()
        self._conn.commit()
        if not got:
            self._conn.close()
            self._conn = None
            raise AlreadyRunning(_(
                "Another nhacviec process is running in polling mode with the database {url}. Stop the other "
                "process, or use webhook mode for several processes.")
                .format(url=parsed.render_as_string(hide_password=True)))

    def close(self) -> None:
        if self._file is not None:
            self._file.release()
        if self._conn is not None:
            # Pooled connections outlive close(): release the session-level lock explicitly.
            try:
                self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _KEY})
                self._conn.commit()
            except OperationalError:  # the server ended the session (restarted): the lock went with it
                pass
            finally:
                self._conn.invalidate()
                self._conn.close()
                self._conn = None
