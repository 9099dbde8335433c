"""`nhacviec run` with Zalo: beside Telegram in one process (long polling), and alone behind its webhook.

The fakes run in the test's event loop; the bot is a real child process (see test_run_command.py).
"""

from __future__ import annotations

import re
import signal
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml

from bot.sandbox.fake_api import FakeBotApi
from bot.sandbox.fake_zalo import FakeZaloApi
from tests.conftest import MINI_PLAN
from tests.e2e.test_run_command import ADMIN, TOKEN, Run, until

ZALO_TOKEN = "3141592653:ZALO-RUN-SECRET-TOKEN"
HOOK_SECRET = "zalo-hook-secret-1234"


@pytest.fixture
async def zalo() -> AsyncIterator[FakeZaloApi]:
    async with FakeZaloApi(token=ZALO_TOKEN) as server:
        yield server


def _config(tmp: Path, telegram: FakeBotApi | None, zalo: FakeZaloApi, hook: dict[str, Any] | None = None) -> Path:
    config: dict[str, Any] = {
        "plan": str(MINI_PLAN.resolve()),
        "database": {"url": f"sqlite:///{tmp / 'nhacviec.db'}"},
        "admins": [ADMIN],
        "clock": {"start": "2019-10-30T07:59:30+07:00", "speed": 1},
        "dispatch": {"interval_seconds": 1},
        "storage": {"evidence_dir": str(tmp / "evidence")},
        "zalo": {"token": zalo.token, "base_url": zalo.base_url, **({"webhook": hook} if hook else {})},
    }
    if telegram is not None:
        config["telegram"] = {"token": telegram.token, "base_url": telegram.base_url,
                              "base_file_url": telegram.base_file_url}
    path = tmp / "config.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


async def test_telegram_and_zalo_in_one_process_a_zalo_head_joins_and_gets_the_0800_card(
        zalo: FakeZaloApi, tmp_path: Path) -> None:
    async with FakeBotApi(token=TOKEN) as telegram:
        run = await Run.start(_config(tmp_path, telegram, zalo), tmp_path, "both")
        try:
            await until(lambda: bool(telegram.calls_of("setMyCommands")), 20, "Telegram started", run)
            telegram.user_sends(ADMIN, "/moi TCCB")
            await until(lambda: any("Zalo" in (m.text or "") for m in telegram.messages_to(ADMIN)), 10,
                        "invite", run)
            (invite,) = [m for m in telegram.messages_to(ADMIN) if "Zalo" in (m.text or "")]
            code = re.search(r"mã này: (\S+)", invite.text or "")
            assert code, invite.text
            head = zalo.add_user("Phạm Thu Zalo")
            await zalo.user_says(head, code.group(1))
            await until(lambda: any("Chào Phạm Thu Zalo" in m["text"] for m in zalo.messages_to(head)), 10,
                        "welcome on Zalo", run)

            def card() -> bool:
                return any("Nhắc việc" in m["text"] for m in zalo.messages_to(head))

            await until(card, 40, "08:00 card on Zalo", run)
            (text,) = [m["text"] for m in zalo.messages_to(head) if "Nhắc việc" in m["text"]]
            assert "Phòng Tổ chức cán bộ" in text and "Trả lời 1:" in text and len(text) <= 2000
            before = len(zalo.messages_to(head))
            await zalo.user_says(head, "/viec")
            await until(lambda: len(zalo.messages_to(head)) > before, 10, "/viec on Zalo", run)
            assert "1.1" in zalo.messages_to(head)[before]["text"]

            run.proc.send_signal(signal.SIGTERM)
            assert await run.wait(20) == 0, run.output()
        finally:
            run.kill()
    output = run.output()
    for secret in (TOKEN, ZALO_TOKEN, ZALO_TOKEN.split(":")[1]):
        assert secret not in output


async def test_zalo_alone_behind_its_webhook_refuses_forged_posts(zalo: FakeZaloApi, tmp_path: Path,
                                                                  free_port: Callable[[], int]) -> None:
    port = free_port()  # held until the test ends: the bot's webhook binds it, nobody else can
    hook = {"url": f"http://127.0.0.1:{port}/zalo", "listen": "127.0.0.1", "port": port,
            "secret_token": HOOK_SECRET}
    run = await Run.start(_config(tmp_path, None, zalo, hook), tmp_path, "hook")
    try:
        await until(lambda: zalo.state.webhook_url == hook["url"], 20, "setWebhook", run)
        assert zalo.state.webhook_secret == HOOK_SECRET
        stranger = zalo.add_user("Người lạ")
        await zalo.user_says(stranger, "/viec")  # the fake posts it to the webhook with the secret header
        await until(lambda: bool(zalo.messages_to(stranger)), 10, "answer through the webhook", run)
        assert "chưa được đăng ký" in zalo.messages_to(stranger)[0]["text"]

        forged = {"ok": True, "result": {"event_name": "message.text.received", "message": {
            "from": {"id": stranger.id, "display_name": "x"}, "chat": {"id": stranger.id},
            "message_id": "ff01", "date": 1, "text": "/viec"}}}
        async with aiohttp.ClientSession() as http:
            for headers in ({}, {"X-Bot-Api-Secret-Token": "wrong-secret-000"}):
                async with http.post(hook["url"], json=forged, headers=headers) as response:
                    assert response.status == 403
        await zalo.user_says(stranger, "/help")  # a real event after the forged ones: answered, they are not
        await until(lambda: len(zalo.messages_to(stranger)) >= 2, 10, "answer to the real event", run)
        await zalo.user_says(stranger, "/help")
        await until(lambda: len(zalo.messages_to(stranger)) >= 3, 10, "answer to the second real event", run)
        assert len(zalo.messages_to(stranger)) == 3

        run.proc.send_signal(signal.SIGTERM)
        assert await run.wait(20) == 0, run.output()
    finally:
        run.kill()
    assert ZALO_TOKEN not in run.output() and HOOK_SECRET not in run.output()


async def test_a_zalo_webhook_without_a_secret_exits_2_naming_the_key(zalo: FakeZaloApi, tmp_path: Path) -> None:
    config = _config(tmp_path, None, zalo, {"url": "https://nv.example.gov.vn/zalo"})
    run = await Run.start(config, tmp_path, "nosecret")
    try:
        assert await run.wait(30) == 2
    finally:
        run.kill()
    assert "zalo.webhook.secret_token" in run.output() and "mã bí mật" in run.output()
