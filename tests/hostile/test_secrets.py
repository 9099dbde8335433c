"""The bot token and the SMTP password never leak: not in logs (even at DEBUG), not in files written
(exports, evidence, the database), not in audit details, not in `nhacviec run`'s error output."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import time
from pathlib import Path
from time import monotonic, sleep

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import load_config
from bot.db.models import AuditRow, OccurrenceRow
from bot.engine.digests import DigestSchedule, digest_renderer
from bot.engine.dispatcher import Dispatcher, DispatchSettings
from bot.engine.outbox import EmailRouting
from bot.engine.ratelimit import NoLimit
from bot.exports.package import write_export
from bot.exports.records import load_snapshot
from bot.logsafe import forget_secrets, redact_secrets
from bot.mail import EmailChannel, SmtpSettings
from bot.telegram.channel import TelegramChannel
from tests.conftest import MINI_PLAN, ROOT
from tests.e2e.harness import ADMIN, ZONE, at
from tests.e2e.test_chat_commands import TOKEN, h, join, start, whole_flow  # noqa: F401  (fixtures)

PASSWORD = "Mat-Khau-SMTP-9f3c2e71"
PASSWORD_ENV = "NHACVIEC_TEST_SMTP_SECRET"



@pytest.fixture
def secrets(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    yield [TOKEN, TOKEN.split(":")[1], PASSWORD]
    forget_secrets()


def _leaks(blob: bytes | str, secrets: list[str]) -> list[str]:
    data = blob.encode("utf-8", "replace") if isinstance(blob, str) else blob
    return [s for s in secrets if s.encode() in data]


async def test_a_whole_flow_with_email_and_an_export_never_shows_the_token_or_password(
        start, tmp_path: Path, caplog: pytest.LogCaptureFixture, secrets: list[str],  # type: ignore[no-untyped-def]
        free_port: Callable[[], int]) -> None:
    caplog.set_level(logging.DEBUG)
    cfg_path = tmp_path / "config.yaml"
    cfg_path.write_text(yaml.safe_dump({
        "plan": str(MINI_PLAN), "database": {"url": f"sqlite:///{tmp_path / 'cfg.db'}"},
        "telegram": {"token": TOKEN},
        "email": {"enabled": True, "host": "127.0.0.1", "port": free_port(), "starttls": False,
                  "user": "nhacviec", "password_env": PASSWORD_ENV, "office": ["vp@so-gddt.vn"], "reminders": True},
    }), encoding="utf-8")
    config = load_config(str(cfg_path))
    assert config.email.password() == PASSWORD and config.token() == TOKEN
    redact_secrets([config.token() or "", config.email.password() or ""])

    h = await start(at("25/10/2019"))
    e = config.email
    # The harness's dispatcher, now with the e-mail channel (its server is down: retries and errors get logged)
    # and a digest due at 08:30 on Wednesday 30/10/2019, just after the flow.
    h.dispatcher = Dispatcher(
        h.engine, TelegramChannel(h.app.bot), h.clock, NoLimit(),
        DispatchSettings(concurrency=2, email=EmailRouting(tuple(e.office), (), True),
                         digests=DigestSchedule(weekday=2, at=time(8, 30), zone=ZONE, chats=(ADMIN,))),
        digest_renderer=digest_renderer(h.engine, ZONE),
        email_channel=EmailChannel(SmtpSettings(e.host, e.port, e.starttls, e.user, e.password(), e.sender,
                                                timeout=2)))
    await whole_flow(h)
    digest = await h.sweep_at(at("30/10/2019", 8, 30))
    assert any("Tổng hợp" in m.text for m in digest)
    await join(h, "TCCB", 2002, "Nguyễn Văn An")  # whole_flow ends by removing the head: invite again
    with Session(h.engine) as session:
        occ = session.scalar(select(OccurrenceRow.id)
                             .where(OccurrenceRow.unit == "TCCB", OccurrenceRow.status == "open")
                             .order_by(OccurrenceRow.id).limit(1))
    (prompt,) = await h.press(2002, h.api.messages_to(2002)[-1], f"ev:{occ}", forged=True)
    assert "Gửi tài liệu kiểm chứng" in prompt.text
    (saved,) = await h.send_file(2002, "bao-cao.pdf", b"%PDF-1.4 minh chung")
    assert "Đã lưu tài liệu kiểm chứng" in saved.text

    with Session(h.engine) as session, session.begin():
        snap = load_snapshot(session, at("30/10/2019").date())
    done = write_export(snap, tmp_path / "export", zone=ZONE)
    assert done.workbook.exists() and done.package.paths

    assert "HTTP Request: POST" in caplog.text  # the DEBUG/INFO lines of httpx were captured...
    assert _leaks(caplog.text, secrets) == []   # ...without the token or the password
    for record in caplog.records:
        assert _leaks(record.getMessage(), secrets) == [], (record.name, record.msg, record.args)
    written = [p for p in tmp_path.rglob("*") if p.is_file() and p != cfg_path]
    assert any(p.suffix == ".zip" for p in written) and any(p.suffix == ".xlsx" for p in written)
    assert any("evidence" in p.parts for p in written)
    for path in written:
        assert _leaks(path.read_bytes(), secrets) == [], path
    with Session(h.engine) as session:
        details = [json.dumps(r.details, ensure_ascii=False) + r.action + (r.subject or "") + r.actor
                   for r in session.scalars(select(AuditRow))]
    assert len(details) > 10
    assert [d for d in details if _leaks(d, secrets)] == []


def test_run_with_an_unreachable_api_waits_for_it_without_showing_the_token(tmp_path: Path,
                                                                            free_port: Callable[[], int]) -> None:
    token = "424242:RUN-SECRET-TOKEN-abcdef"
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({
        "plan": str(MINI_PLAN), "database": {"url": f"sqlite:///{tmp_path / 'run.db'}"},
        "telegram": {"base_url": f"http://127.0.0.1:{free_port()}/bot",
                     "base_file_url": f"http://127.0.0.1:{free_port()}/file/bot"},
        "email": {"enabled": True, "password_env": PASSWORD_ENV},
        "log_level": "DEBUG",
    }), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    env.update(TELEGRAM_BOT_TOKEN=token, PYTHONPATH=str(ROOT), **{PASSWORD_ENV: PASSWORD})
    # An unreachable API is weather (bot.telegram.weather): the bot waits for it, saying so once, until stopped.
    err_path = tmp_path / "run.err"
    with err_path.open("wb") as err:
        proc = subprocess.Popen([sys.executable, "-m", "bot", "run", "--config", str(config)], cwd=tmp_path,
                                env=env, stdout=err, stderr=err)
    try:
        deadline = monotonic() + 60
        while "Không kết nối được kênh Telegram" not in err_path.read_text(encoding="utf-8", errors="replace"):
            assert proc.poll() is None and monotonic() < deadline, err_path.read_text(encoding="utf-8")
            sleep(0.1)  # waiting for a child process's start-up, not for the scheduler
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    finally:
        proc.kill()
    output = err_path.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in output
    for secret in (token, token.split(":")[1], PASSWORD):
        assert secret not in output
