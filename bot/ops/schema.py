"""Where a database stands against the code's migrations: at head, behind (pending), newer, or empty."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

from bot.db.engine import MIGRATIONS


def package_version() -> str:
    """The installed nhacviec's version (pyproject), or "0+unknown" for a bare checkout."""
    try:
        return version("nhacviec")
    except PackageNotFoundError:  # pragma: no cover - a checkout run without `pip install -e`
        return "0+unknown"


def scripts() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config)


def revisions() -> list[str]:
    """Every revision the code knows, oldest first."""
    return [r.revision for r in reversed(list(scripts().walk_revisions()))]


def head() -> str:
    head = scripts().get_current_head()
    assert head is not None
    return head


@dataclass(frozen=True)
class SchemaState:
    current: str | None  # None: no alembic_version (an empty database)
    head: str
    known: bool  # the code knows `current` (False: the database is newer than the code)
    pending: tuple[str, ...]  # revisions to apply to reach head

    @property
    def at_head(self) -> bool:
        return self.current == self.head

    @property
    def newer(self) -> bool:
        return self.current is not None and not self.known


def current_revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def schema_state(engine: Engine) -> SchemaState:
    """Reads the database's revision (connects; raises the driver's error when it cannot)."""
    with engine.connect() as connection:
        current = current_revision(connection)
    order = revisions()
    top = head()
    if current is None:
        return SchemaState(None, top, True, tuple(order))
    if current not in order:
        return SchemaState(current, top, False, ())
    return SchemaState(current, top, True, tuple(order[order.index(current) + 1:]))
