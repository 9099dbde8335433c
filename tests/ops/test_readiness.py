"""`/healthz`, `/readyz` and `/metrics` of a running `nhacviec run`: /readyz turns 503 when the database goes
away and 200 when it returns, and the bot keeps running (no traceback) meanwhile."""

from __future__ import annotations

import asyncio
import json
import signal
from collections.abc import Callable
from pathlib import Path

import aiohttp
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.sandbox.fake_api import FakeBotApi
from tests.e2e.test_run_command import ADMIN, Run, until
from tests.ops.pg import fresh_pg_database
from tests.ops.test_backup_restore import cli, config_file

TOKEN = "987654:OPS-READY-SECRET"


async def get(port: int, path: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{port}{path}") as response:
        return response.status, await response.text()


async def eventually(port: int, path: str, status: int, run: Run, timeout: float = 30) -> str:
    loop = asyncio.get_running_loop()
    deadline, last = loop.time() + timeout, None
    while loop.time() < deadline:
        assert run.proc.returncode is None, run.output()
        try:
            code, body = await get(port, path)
            if code == status:
                return body
            last = (code, body)
        except aiohttp.ClientError as exc:
            last = exc  # type: ignore[assignment]
        await asyncio.sleep(0.2)
    raise AssertionError(f"{path} never {status}: last {last}\n{run.output()}")


async def until_metric(port: int, line: str, run: Run, timeout: float = 30) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while line not in (await get(port, "/metrics"))[1]:
        assert run.proc.returncode is None and loop.time() < deadline, run.output()
        await asyncio.sleep(0.2)


def set_connections(url: str, allowed: bool) -> None:
    name = make_url(url).database
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {"true" if allowed else "false"}'))
        if not allowed:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                         {"n": name})
    admin.dispose()


async def test_readyz_follows_the_database_away_and_back(
        tmp_path: Path, free_port: Callable[[], int]) -> None:
    import yaml

    port = free_port()
    with fresh_pg_database("ready") as url:
        async with FakeBotApi(token=TOKEN) as api:
            path = config_file(tmp_path, "c.yaml", url, tmp_path / "ev", api)
            config = yaml.safe_load(path.read_text(encoding="utf-8"))
            config["web"] = {"port": port}
            path.write_text(yaml.safe_dump(config), encoding="utf-8")
            run = await Run.start(path, tmp_path, "ready")
            try:
                assert json.loads(await eventually(port, "/healthz", 200, run)) == {"status": "alive"}
                ready = json.loads(await eventually(port, "/readyz", 200, run))
                assert ready["database"]["ok"] and ready["migrations"]["ok"] and ready["sweep"]["ok"]
                metrics = await eventually(port, "/metrics", 200, run)
                assert "nhacviec_sweep_duration_seconds_count" in metrics and "nhacviec_reminders_due" in metrics

                set_connections(url, False)
                away = json.loads(await eventually(port, "/readyz", 503, run))
                assert away["status"] == "unavailable" and away["database"]["ok"] is False
                assert (await get(port, "/healthz"))[0] == 200  # alive, only not ready
                await until_metric(port, "nhacviec_sweep_failures_total 1.0", run)  # a sweep met it away

                set_connections(url, True)
                back = json.loads(await eventually(port, "/readyz", 200, run))
                assert back["database"]["ok"] and back["status"] in ("ok", "degraded")
                code, status = await cli("status", "--config", str(path))
                assert code == 0 and "Bot trên máy này: sẵn sàng" in status, status
                assert "Telegram: kết nối được" in status, status
                before = len(api.messages_to(ADMIN))
                api.user_sends(ADMIN, "/start")
                await until(lambda: len(api.messages_to(ADMIN)) > before, 15, "answer to /start", run)
                run.proc.send_signal(signal.SIGTERM)
                assert await run.wait(20) == 0, run.output()
            finally:
                run.kill()
                set_connections(url, True)
    output = run.output()
    assert "Traceback" not in output, output
    # one Vietnamese line when the sweeps could not reach it, one when it answered again
    assert output.count("Lần quét không kết nối được cơ sở dữ liệu") == 1, output
    assert output.count("Cơ sở dữ liệu đã kết nối lại") == 1, output
