"""Webhook mode: no start without a secret, and a forged POST (no or wrong secret header) is refused.

The real `nhacviec run` process in webhook mode against the fake Bot API; the test POSTs updates straight
to the webhook's port as an attacker who found its address would.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import yaml

from bot.sandbox.fake_api import FakeBotApi
from tests.conftest import MINI_PLAN, ROOT

ADMIN, ATTACKER_CHAT = 1001, 6666
TOKEN = "777000:WEBHOOK-SECRET-TEST"
SECRET = "s3cret-Hook_token"



def _config(tmp: Path, api: FakeBotApi | None, port: int, secret: str | None) -> Path:
    hook: dict[str, Any] = {"url": "https://example.invalid/hook", "listen": "127.0.0.1", "port": port}
    if secret is not None:
        hook["secret_token"] = secret
    telegram: dict[str, Any] = {"webhook": hook}
    if api is not None:
        telegram.update(base_url=api.base_url, base_file_url=api.base_file_url)
    path = tmp / "config.yaml"
    path.write_text(yaml.safe_dump({
        "plan": str(MINI_PLAN.resolve()), "database": {"url": f"sqlite:///{tmp / 'hook.db'}"},
        "telegram": telegram, "admins": [ADMIN], "digest": {"enabled": False},
        "storage": {"evidence_dir": str(tmp / "evidence")}, "sandbox": {"enabled": False},
    }), encoding="utf-8")
    return path


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    env.update(TELEGRAM_BOT_TOKEN=TOKEN, PYTHONPATH=str(ROOT))
    return env


def test_webhook_mode_without_a_secret_refuses_to_start_naming_the_key(tmp_path: Path,
                                                                       free_port: Callable[[], int]) -> None:
    config = _config(tmp_path, None, free_port(), None)
    done = subprocess.run([sys.executable, "-m", "bot", "run", "--config", str(config)], cwd=tmp_path,
                          env=_env(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr[-2000:]
    assert "telegram.webhook.secret_token" in done.stderr and "bí mật" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and TOKEN not in done.stderr


def _update(api: FakeBotApi, update_id: int) -> dict[str, Any]:
    """The forged update of the issue: the admin's user id asking for an admin invite in another chat."""
    message = api.state.new_message(ATTACKER_CHAT, api.state.user(ADMIN, "Quản trị"), text="/moi quantri",
                                    entities=[{"type": "bot_command", "offset": 0, "length": 4}])
    return {"update_id": update_id, "message": message}


async def test_a_forged_webhook_post_without_or_with_a_wrong_secret_is_refused(tmp_path: Path,
                                                                              free_port: Callable[[], int]) -> None:
    port = free_port()
    async with FakeBotApi(token=TOKEN, enforce_limits=False) as api:
        err = tmp_path / "run.err"
        with err.open("wb") as stderr:
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", "--config", str(_config(tmp_path, api, port, SECRET)),
                cwd=tmp_path, env=_env(), stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
                stderr=stderr)
        try:
            deadline = time.monotonic() + 60
            while not api.calls_of("setWebhook"):  # the webhook server listens before setWebhook
                assert proc.returncode is None and time.monotonic() < deadline, err.read_text()[-3000:]
                await asyncio.sleep(0.2)
            assert api.calls_of("setWebhook")[-1].get("secret_token") == SECRET
            url = f"http://127.0.0.1:{port}/"
            async with aiohttp.ClientSession() as client:
                statuses = []
                for update_id, headers in ((900001, {}), (900002, {"X-Telegram-Bot-Api-Secret-Token": "guess"}),
                                           (900003, {"X-Telegram-Bot-Api-Secret-Token": ""})):
                    async with client.post(url, json=_update(api, update_id), headers=headers) as response:
                        statuses.append(response.status)
                assert statuses == [403, 403, 403]
                await asyncio.sleep(1.0)  # a handler that wrongly ran would reply within this second
                assert [m for m in api.sent if m.chat_id == ATTACKER_CHAT] == []
                # The same update with Telegram's secret is handled: the route above was the right one.
                async with client.post(url, json=_update(api, 900004),
                                       headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as response:
                    assert response.status == 200
            await api.wait_for_sent(1, timeout=20)
            assert [m.chat_id for m in api.sent] == [ATTACKER_CHAT] and "?start=" in api.sent[0].text
        finally:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(proc.wait(), 30)
        text = err.read_text(errors="replace")
        assert code == 0 and "Traceback" not in text and TOKEN not in text, text[-3000:]
