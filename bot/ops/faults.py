"""Faults as weather: a database or a channel that cannot be reached gets one sentence, never a traceback."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from bot.i18n import _

log = logging.getLogger("nhacviec.ops")


def safe_url(url: str) -> str:
    """The database URL with its password hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a URL we cannot parse is shown as nothing
        return "?"


def url_password(url: str) -> str:
    """The database URL's password ("" when none), to hide in the log like a token."""
    try:
        password = make_url(url).password
    except Exception:  # noqa: BLE001
        return ""
    return str(password) if password else ""


def _reason(exc: BaseException) -> str:
    """The driver's first line (e.g. "Connection refused", "database \"x\" does not exist"), without the class."""
    original = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    text = str(original).strip().splitlines()
    detail = next((line for line in reversed(text) if "FATAL" in line or "refused" in line), text[0] if text else "")
    for prefix in ("connection failed: ", "FATAL:  ", "FATAL: "):
        detail = detail.replace(prefix, "")
    return detail.strip()[:200]


def is_unreachable(exc: BaseException) -> bool:
    return isinstance(exc, OperationalError)


def database_unreachable(exc: BaseException, url: str) -> str:
    """The Vietnamese (or English) sentence for a database that does not answer at start."""
    return _("Cannot connect to the database {url} ({reason}). Check database.url in the configuration file, and "
             "that the database server is running and the database exists.").format(url=safe_url(url),
                                                                                  reason=_reason(exc))


class DatabaseUnreachable(Exception):
    """The database did not answer at start (within database.start_wait_seconds): exit 2 with one sentence."""

    exit_code = 2


def wait_for_database(engine: Engine, url: str, wait_seconds: float, sleep: Callable[[float], None] = time.sleep,
                      monotonic: Callable[[], float] = time.monotonic) -> None:
    """Connect once; while it fails and `wait_seconds` are not spent, retry with back-off (1 s, 2 s … 30 s),
    one log line when it first fails and one when it answers. Raises DatabaseUnreachable in the end."""
    deadline = monotonic() + wait_seconds
    delay, failed = 1.0, False
    while True:
        try:
            with engine.connect():
                pass
        except OperationalError as exc:
            message = database_unreachable(exc, url)
            if monotonic() + delay > deadline:
                raise DatabaseUnreachable(message) from None
            if not failed:
                log.error("%s %s", message, _("Retrying for up to {seconds} s (database.start_wait_seconds).")
                          .format(seconds=int(wait_seconds)))
                failed = True
            sleep(delay)
            delay = min(delay * 2, 30.0)
            continue
        if failed:
            log.warning(_("The database {url} answers again: starting.").format(url=safe_url(url)))
        return


def missing_token_text() -> str:
    return _("No bot token: set the environment variable TELEGRAM_BOT_TOKEN (or telegram.token) for Telegram, "
             "ZALO_BOT_TOKEN (or zalo.token) for Zalo, or both, in the environment file or the configuration file.")
