"""Logging that never shows secrets (bot token, passwords, personal-link tokens), wherever they appear and whoever
handles them; one line per event, in the operator's language, as text or JSON."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable
from typing import Any

_secrets: set[str] = set()
_original_factory: Callable[..., logging.LogRecord] | None = None
_translate: Callable[[str], str] | None = None
# A personal page's address carries its token (`/p/<member>.<version>.<expires>.<signature>`), and so may a
# token alone: both are replaced, whatever logs them (aiohttp, httpx, a handler).
_PATTERNS = (re.compile(r"(/p/)[^\s/?#\"'<>]+"), re.compile(r"\b\d+\.\d+\.\d+\.[A-Za-z0-9_-]{16,}"))


def _clean(text: str) -> str:
    for secret in _secrets:
        text = text.replace(secret, "***")
    text = _PATTERNS[0].sub(r"\1***", text)
    return _PATTERNS[1].sub("***", text)


def _redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
    assert _original_factory is not None
    record = _original_factory(*args, **kwargs)
    if _translate is not None and isinstance(record.msg, str):
        record.msg = _translate(record.msg)  # a known English template → the operator's language
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


def _install() -> None:
    global _original_factory
    if _original_factory is None:
        _original_factory = logging.getLogRecordFactory()
        logging.setLogRecordFactory(_redacting_factory)


def redact_secrets(secrets: Iterable[str]) -> None:
    """Redact these strings from every log record at creation, before any handler (file, Sentry, pytest) sees it."""
    _secrets.update(s for s in secrets if s)
    _install()


def translate_logs(translate: Callable[[str], str] | None) -> None:
    """Word every record's message template through `translate` (None: as written)."""
    global _translate
    _translate = translate
    _install()


def forget_secrets() -> None:
    """Undo redact_secrets and translate_logs (tests)."""
    global _original_factory, _translate
    _secrets.clear()
    _translate = None
    if _original_factory is not None:
        logging.setLogRecordFactory(_original_factory)
        _original_factory = None


def clean(text: str) -> str:
    """`text` without any secret this process knows (for a message printed outside logging)."""
    return _clean(text)


class OneLine(logging.Formatter):
    """`time LEVEL logger: message`, one line per event: an exception's traceback is folded onto the same line
    (its lines joined by " ⏎ "), so that a log reader or grep sees one event as one line."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        return super().format(record).replace("\n", " ⏎ ")


class JsonLines(logging.Formatter):
    """One JSON object per line: time, level, logger, message (and the exception, traceback included)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}",
                                 "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        if record.exc_info and record.exc_info[1] is not None:
            entry["error"] = _clean(f"{type(record.exc_info[1]).__name__}: {record.exc_info[1]}")
            entry["traceback"] = record.exc_text or _clean(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def setup_logging(level: str, secrets: list[str], fmt: str = "text",
                  translate: Callable[[str], str] | None = None) -> None:
    """Root logging to stderr with redaction; httpx's per-request URLs (which contain the token) at WARNING.

    `fmt`: "text" (one line per event) or "json" (one JSON object per line); `translate`: the operator's
    language for known message templates (bot.ops.logwords)."""
    redact_secrets(secrets)
    translate_logs(translate)
    handler = logging.StreamHandler()
    handler.set_name("nhacviec")
    handler.setFormatter(JsonLines() if fmt == "json" else OneLine())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # bot.ops.logwords says what was migrated, once
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)  # request paths may hold a link token
