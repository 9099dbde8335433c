"""The log: the operator's language by default, one line per event, JSON on request, never a token or a
personal link's secret."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta, timezone

import pytest

from bot.config import ConfigError, load_config
from bot.logsafe import setup_logging
from bot.ops import logwords
from bot.web.links import sign_link

TOKEN = "123456:LOGS-SECRET-TOKEN-abcdef"


def _link_token() -> str:
    return sign_link(b"k" * 32, 42, 3, datetime.now(timezone.utc) + timedelta(days=30))


def _emit() -> str:
    token = _link_token()
    logging.getLogger("telegram.ext.Application").info("Application started")
    logging.getLogger("bot.runner").info("signal %s: stopping; in-flight sends get %s s", 15, 10.0)
    logging.getLogger("aiohttp.server").warning("GET /p/%s/done/7 from %s", token, TOKEN)
    try:
        raise RuntimeError(f"boom with {TOKEN} and https://x.gov.vn/p/{token}\nsecond line")
    except RuntimeError:
        logging.getLogger("bot.telegram.application").exception("error while handling an update")
    return token


def test_text_log_is_vietnamese_one_line_per_event_and_hides_secrets(capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging("INFO", [TOKEN], "text", logwords.translate)
    token = _emit()
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 4, lines  # four events, four lines (the traceback folded onto its event's line)
    assert lines[0].endswith("Bot đã khởi động.")
    assert "Nhận tín hiệu 15: bot dừng" in lines[1]
    assert "/p/***/done/7" in lines[2]
    assert "Lỗi khi xử lý một tin nhắn đến." in lines[3] and "RuntimeError" in lines[3] and "⏎" in lines[3]
    text = "\n".join(lines)
    assert TOKEN not in text and token not in text and token.rsplit(".", 1)[1] not in text


def test_json_log_is_one_object_per_line_without_secrets(capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging("INFO", [TOKEN], "json", logwords.translate)
    token = _emit()
    entries = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [e["level"] for e in entries] == ["INFO", "INFO", "WARNING", "ERROR"]
    assert entries[0]["message"] == "Bot đã khởi động." and entries[0]["logger"] == "telegram.ext.Application"
    assert "RuntimeError" in entries[3]["error"] and "Traceback" in entries[3]["traceback"]
    dumped = json.dumps(entries, ensure_ascii=False)
    assert TOKEN not in dumped and token not in dumped


def test_logging_format_is_a_checked_config_key(tmp_path: pytest.TempPathFactory) -> None:
    path = tmp_path / "c.yaml"  # type: ignore[operator]
    path.write_text("logging: {format: json}\n", encoding="utf-8")
    assert load_config(path).logging.format == "json"
    path.write_text("logging: {format: xml}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="logging.format"):
        load_config(path)
