"""Faults as weather: a database or a channel that cannot be reached gets one sentence, never a traceback."""

from __future__ import annotations

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from bot.i18n import _


def safe_url(url: str) -> str:
    """The database URL with its password hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a URL we cannot parse is shown as nothing
        return "?"


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
