"""Shared fixtures. With NHACVIEC_NO_SKIP=1 (set by .ci/run) a skipped test fails the run."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BUNDLED_PLAN = ROOT / "schedules" / "cchc-2019-2020.yaml"
MINI_PLAN = ROOT / "tests" / "data" / "mini.yaml"


_LIBRARY_LOGGERS = ("httpx", "apscheduler", "alembic", "telegram", "bot")


@pytest.fixture(autouse=True)
def _isolated_logging() -> Iterator[None]:
    """Code under test configures process-wide logging (levels, root handlers, secrets to redact): undo it."""
    from bot.logsafe import forget_secrets

    root = logging.getLogger()
    level, levels = root.level, {n: logging.getLogger(n).level for n in _LIBRARY_LOGGERS}
    yield
    forget_secrets()
    for handler in [h for h in root.handlers if h.get_name() == "nhacviec"]:  # pytest's own handlers stay
        root.removeHandler(handler)
    root.setLevel(level)
    for name, saved in levels.items():
        logging.getLogger(name).setLevel(saved)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """In CI a test that cannot run is a failure, never a silent skip."""
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("NHACVIEC_NO_SKIP") == "1" and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped in CI (NHACVIEC_NO_SKIP=1): {report.longrepr}"


PG_URL_ENV = "NHACVIEC_TEST_PG_URL"
_RUN_DATABASE: dict[str, str] = {}  # the server's URL → this run's own database on it


def pytest_configure(config: pytest.Config) -> None:
    """One PostgreSQL database per test run: two runs on one server (CI and a developer, two worktrees) never
    wipe each other. NHACVIEC_TEST_PG_URL names the server (and a database to connect to); this run creates
    `nhv_run_<pid>_<random>` there, points NHACVIEC_TEST_PG_URL at it, and drops it at the end."""
    url = os.environ.get(PG_URL_ENV)
    if not url or hasattr(config, "workerinput") or url in _RUN_DATABASE.values():
        return
    import secrets

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"nhv_run_{os.getpid()}_{secrets.token_hex(3)}"
    try:
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    except Exception as exc:  # the server is unreachable: the PostgreSQL tests fail (or skip) as before
        logging.getLogger(__name__).warning("could not create a database for this run: %s", exc)
        return
    _RUN_DATABASE[url] = make_url(url).set(database=name).render_as_string(hide_password=False)
    os.environ[PG_URL_ENV] = _RUN_DATABASE[url]


def pytest_unconfigure(config: pytest.Config) -> None:
    for server, run_url in list(_RUN_DATABASE.items()):
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        os.environ[PG_URL_ENV] = server
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(run_url).database}" WITH (FORCE)'))
        except Exception as exc:
            logging.getLogger(__name__).warning("could not drop this run's database: %s", exc)
        finally:
            admin.dispose()
        del _RUN_DATABASE[server]


def _reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database of each kind; PostgreSQL comes from NHACVIEC_TEST_PG_URL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'nhacviec.db'}"
    url = os.environ.get(PG_URL_ENV)
    if not url:
        pytest.skip(f"{PG_URL_ENV} is not set")
    _reset_postgres(url)
    return url


@pytest.fixture
def pg_url() -> str:
    """PostgreSQL only (fresh public schema); in CI a missing server fails the run."""
    url = os.environ.get(PG_URL_ENV)
    if not url:
        pytest.skip(f"{PG_URL_ENV} is not set")
    _reset_postgres(url)
    return url


@pytest.fixture
def db(db_url: str) -> Iterator[object]:
    """A migrated engine on `db_url`."""
    from bot.db.engine import make_engine, migrate

    engine = make_engine(db_url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def free_port() -> Iterator[Callable[[], int]]:
    """Give out local ports held until the test ends (tests/ports.py): never chosen, closed, then taken by
    someone else; a server binding with SO_REUSEADDR (every server the tests start) listens on it."""
    from tests.ports import held_port

    with ExitStack() as stack:
        yield lambda: stack.enter_context(held_port())
