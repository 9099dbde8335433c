"""Logging that never shows secrets (bot token, passwords), wherever they appear and whoever handles them."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

_secrets: set[str] = set()
_original_factory: Callable[..., logging.LogRecord] | None = None


def _clean(text: str) -> str:
    for secret in _secrets:
        text = text.replace(secret, "***")
    return text


def _redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
    assert _original_factory is not None
    record = _original_factory(*args, **kwargs)
    if _secrets:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # bad format arguments: logging reports those itself, later
            return record
        # Formatted now, not later: an argument (a dict PTB logs) may be changed afterwards to hold the token.
        record.msg, record.args = _clean(message), None
        if record.exc_info and record.exc_info[1] is not None:
            # Exceptions of httpx/PTB may carry the request URL, hence the token: every formatter uses
            # exc_text when it is set, so set it to the cleaned traceback (exc_info stays for handlers).
            record.exc_text = _clean(logging.Formatter().formatException(record.exc_info))
    return record


def redact_secrets(secrets: Iterable[str]) -> None:
    """Redact these strings from every log record at creation, before any handler (file, Sentry, pytest) sees it."""
    global _original_factory
    _secrets.update(s for s in secrets if s)
    if _original_factory is None:
        _original_factory = logging.getLogRecordFactory()
        logging.setLogRecordFactory(_redacting_factory)


def forget_secrets() -> None:
    """Undo redact_secrets (tests)."""
    global _original_factory
    _secrets.clear()
    if _original_factory is not None:
        logging.setLogRecordFactory(_original_factory)
        _original_factory = None


def setup_logging(level: str, secrets: list[str]) -> None:
    """Root logging to stderr with redaction; httpx's per-request URLs (which contain the token) at WARNING."""
    redact_secrets(secrets)
    handler = logging.StreamHandler()
    handler.set_name("nhacviec")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
