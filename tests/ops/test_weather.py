"""Faults are weather: `nhacviec run` started while the Bot API is down keeps its web port and sweeps, logs one
Vietnamese line when Telegram cannot be reached and one when it answers, and serves /start within seconds of the
API coming up, with no traceback."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from pathlib import Path

import yaml

from bot.sandbox.fake_api import FakeBotApi
from tests.conftest import MINI_PLAN
from tests.e2e.test_run_command import ADMIN, Run, until
from tests.ops.test_readiness import eventually

TOKEN = "987654:OPS-WEATHER-SECRET"
DOWN = "Không kết nối được kênh Telegram"
BACK = "Kênh Telegram đã kết nối lại"


def write_config(tmp: Path, api_port: int, web_port: int) -> Path:
    config = {
        "plan": str(MINI_PLAN.resolve()), "database": {"url": f"sqlite:///{tmp / 'n.db'}"}, "admins": [ADMIN],
        "telegram": {"token": TOKEN, "base_url": f"http://127.0.0.1:{api_port}/bot",
                     "base_file_url": f"http://127.0.0.1:{api_port}/file/bot"},
        "storage": {"evidence_dir": str(tmp / "ev")}, "dispatch": {"interval_seconds": 1}, "web": {"port": web_port},
    }
    path = tmp / "c.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


async def finish(run: Run, api: FakeBotApi) -> None:
    """SIGTERM: a clean exit; one line each way, no traceback, no token."""
    try:
        run.proc.send_signal(signal.SIGTERM)
        assert await run.wait(20) == 0, run.output()
    finally:
        run.kill()
        await api.stop()
    output = run.output()
    assert "Traceback" not in output and TOKEN not in output, output
    assert output.count(DOWN) == 1 and output.count(BACK) == 1, output


async def test_run_while_the_bot_api_is_down_serves_start_soon_after_it_comes_up(
        tmp_path: Path, free_port: Callable[[], int]) -> None:
    api_port, web_port = free_port(), free_port()
    path = write_config(tmp_path, api_port, web_port)
    run = await Run.start(path, tmp_path, "weather")
    api = FakeBotApi(token=TOKEN)
    try:
        await until(lambda: DOWN in run.output(), 30, "the line saying Telegram is unreachable", run)
        await eventually(web_port, "/healthz", 200, run)  # the web port runs meanwhile
        metrics = await eventually(web_port, "/metrics", 200, run)
        while "nhacviec_sweep_duration_seconds_count 0.0" in metrics:  # the sweeps run meanwhile
            metrics = await eventually(web_port, "/metrics", 200, run)
        assert 'nhacviec_channel_up{channel="telegram"} 0.0' in metrics
        await api.start(port=api_port)
        loop = asyncio.get_running_loop()
        up = loop.time()
        api.user_sends(ADMIN, "/start")
        await until(lambda: bool(api.messages_to(ADMIN)), 40, "answer to /start", run)
        assert loop.time() - up < 35  # within the back-off's longest pause, not at a restart
        assert api.messages_to(ADMIN)[0].text.startswith("Bot nhắc việc")
    finally:
        await finish(run, api)


async def test_bot_api_going_away_later_is_one_line_each_way_and_the_bot_catches_up(
        tmp_path: Path, free_port: Callable[[], int]) -> None:
    api_port = free_port()
    path = write_config(tmp_path, api_port, free_port())
    api = FakeBotApi(token=TOKEN)
    await api.start(port=api_port)
    run = await Run.start(path, tmp_path, "later")
    try:
        await until(lambda: bool(api.calls_of("getUpdates")), 30, "polling", run)
        await api.stop()
        await until(lambda: DOWN in run.output(), 40, "the line saying Telegram is unreachable", run)
        api = FakeBotApi(token=TOKEN)
        await api.start(port=api_port)
        api.user_sends(ADMIN, "/start")
        await until(lambda: bool(api.messages_to(ADMIN)), 40, "answer to /start after the API came back", run)
        await until(lambda: BACK in run.output(), 40, "the line saying Telegram answers again", run)
    finally:
        await finish(run, api)


async def test_zalo_down_at_start_leaves_telegram_working_and_joins_when_it_answers(
        tmp_path: Path, free_port: Callable[[], int]) -> None:
    from bot.sandbox.fake_zalo import FakeZaloApi

    api_port, zalo_port = free_port(), free_port()
    path = write_config(tmp_path, api_port, free_port())
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config["zalo"] = {"token": "zalo-weather-token-123", "base_url": f"http://127.0.0.1:{zalo_port}"}
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    api, zalo = FakeBotApi(token=TOKEN), FakeZaloApi(token="zalo-weather-token-123")
    await api.start(port=api_port)
    run = await Run.start(path, tmp_path, "zalo")
    try:
        await until(lambda: "Không kết nối được kênh Zalo" in run.output(), 30, "the line saying Zalo is away", run)
        api.user_sends(ADMIN, "/start")  # Telegram works meanwhile
        await until(lambda: bool(api.messages_to(ADMIN)), 15, "answer to /start on Telegram", run)
        await zalo.start(port=zalo_port)
        await until(lambda: "Kênh Zalo đã kết nối lại" in run.output(), 40, "the line saying Zalo answers", run)
        api.user_sends(ADMIN, "/moi TCCB")
        await until(lambda: any("mã này:" in (m.text or "") for m in api.messages_to(ADMIN)), 15, "invite", run)
        invite = next(m.text for m in api.messages_to(ADMIN) if "mã này:" in (m.text or ""))
        user = zalo.add_user("Phạm Thu Zalo")
        await zalo.user_says(user, invite.split("mã này: ")[1].split()[0])
        await until(lambda: any("Chào Phạm Thu Zalo" in m["text"] for m in zalo.messages_to(user)), 20,
                    "the welcome on Zalo", run)
        await zalo.stop()  # Zalo goes away again while the bot runs: one more line, no traceback
        await until(lambda: run.output().count("Không kết nối được kênh Zalo") == 2, 40, "Zalo away again", run)
    finally:
        await zalo.stop()
        run.proc.send_signal(signal.SIGTERM)
        await run.wait(20)
        run.kill()
        await api.stop()
    output = run.output()
    assert "Traceback" not in output and "zalo-weather-token-123" not in output, output
    assert output.count("Không kết nối được kênh Zalo") == 2 and output.count("Kênh Zalo đã kết nối lại") == 1
