"""`nhacviec run` as a real process: config → migrations → plan sync → polling + JobQueue sweeps → SIGTERM.

The fake Bot API runs in the test's event loop, so the child process is driven with asyncio's
subprocess API (a blocking wait would freeze the server it talks to). The rehearsal clock starts two
seconds before 08:00 on 30/10/2019, when the mini plan's first reminders fall due: the process's start-up
(migrations, plan sync) takes longer, so the first sweep finds them due without the test waiting for 08:00.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
import yaml

from bot.sandbox.fake_api import FakeBotApi
from tests.conftest import MINI_PLAN, ROOT

ADMIN = 1001
TOKEN = "987654:RUN-COMMAND-SECRET"


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(token=TOKEN) as server:
        yield server


def write_config(tmp: Path, api: FakeBotApi | None, name: str = "config.yaml") -> Path:
    config = {
        "plan": str(MINI_PLAN.resolve()),
        "database": {"url": f"sqlite:///{tmp / 'nhacviec.db'}"},
        "telegram": {"token": api.token, "base_url": api.base_url, "base_file_url": api.base_file_url}
        if api is not None else {},
        "admins": [ADMIN],
        "clock": {"start": "2019-10-30T07:59:58+07:00", "speed": 1},
        "dispatch": {"interval_seconds": 1},
        "storage": {"evidence_dir": str(tmp / "evidence")},
    }
    path = tmp / name
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    env["PYTHONPATH"] = str(ROOT)
    return env


class Run:
    """One `python -m bot run` child with its output in files."""

    def __init__(self, proc: asyncio.subprocess.Process, out: Path, err: Path) -> None:
        self.proc, self.out, self.err = proc, out, err

    @classmethod
    async def start(cls, config: Path, tmp: Path, tag: str) -> Run:
        out, err = tmp / f"{tag}.out", tmp / f"{tag}.err"
        with out.open("wb") as stdout, err.open("wb") as stderr:
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", "--config", str(config), cwd=ROOT, env=child_env(),
                stdin=asyncio.subprocess.DEVNULL, stdout=stdout, stderr=stderr)
        return cls(proc, out, err)

    async def wait(self, timeout: float) -> int:
        return await asyncio.wait_for(self.proc.wait(), timeout)

    def output(self) -> str:
        return self.out.read_text(encoding="utf-8", errors="replace") + self.err.read_text(
            encoding="utf-8", errors="replace")

    def kill(self) -> None:
        if self.proc.returncode is None:
            self.proc.kill()


async def until(condition: Callable[[], bool], timeout: float, what: str, run: Run) -> None:
    """Poll the fake server's state (an HTTP round trip away), failing early if the child died."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if run.proc.returncode is not None:
            raise AssertionError(f"`run` exited {run.proc.returncode} before {what}:\n{run.output()}")
        if loop.time() > deadline:
            raise TimeoutError(f"no {what} after {timeout}s:\n{run.output()}")
        await asyncio.sleep(0.05)


async def test_run_sends_the_0800_reminders_answers_start_and_stops_cleanly_on_sigterm(
        api: FakeBotApi, tmp_path: Path) -> None:
    run = await Run.start(write_config(tmp_path, api), tmp_path, "run")
    try:
        def reminder_arrived() -> bool:
            return any("Nhắc việc" in (m.text or "") for m in api.messages_to(ADMIN))

        await until(reminder_arrived, 25, "08:00 reminder for the office", run)
        (reminder,) = [m for m in api.messages_to(ADMIN) if "Nhắc việc" in (m.text or "")]
        assert "3 việc" in reminder.text  # VP, TCCB and KHTC have no head yet: the office hears for them
        assert "chưa có người nhận nhắc việc" in reminder.text and "19/11/2019" in reminder.text
        assert [c["command"] for c in api.calls_of("setMyCommands")[0]["commands"]][0] == "viec"

        before = len(api.messages_to(ADMIN))
        api.user_sends(ADMIN, "/start")
        await until(lambda: len(api.messages_to(ADMIN)) > before, 10, "answer to /start", run)
        answer = api.messages_to(ADMIN)[before]
        assert answer.text.startswith("Bot nhắc việc") and "/moi" in answer.text

        run.proc.send_signal(signal.SIGTERM)
        assert await run.wait(15) == 0, run.output()
    finally:
        run.kill()
    output = run.output()
    assert TOKEN not in output and TOKEN.split(":")[1] not in output


async def test_second_run_on_the_same_database_refuses_while_the_first_is_running(
        api: FakeBotApi, tmp_path: Path) -> None:
    config = write_config(tmp_path, api)
    first = await Run.start(config, tmp_path, "first")
    try:
        await until(lambda: bool(api.calls_of("getUpdates")), 15, "polling", first)
        second = await Run.start(config, tmp_path, "second")
        try:
            code = await second.wait(20)
        finally:
            second.kill()
        assert code != 0
        assert "khác đang chạy" in second.output()
        assert first.proc.returncode is None  # the first one is not disturbed
        first.proc.send_signal(signal.SIGTERM)
        assert await first.wait(15) == 0, first.output()
    finally:
        first.kill()
    assert TOKEN not in first.output() + second.output()


async def test_run_without_a_token_on_a_server_exits_2_with_a_vietnamese_message(tmp_path: Path) -> None:
    config = write_config(tmp_path, None, "no-token.yaml")
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["sandbox"] = {"enabled": False}  # a server: no token is an error, not the try-it-locally sandbox
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--config", str(config), cwd=ROOT, env=child_env(),
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), 20)
    assert proc.returncode == 2
    assert "Chưa có token của bot" in err.decode() and "TELEGRAM_BOT_TOKEN" in err.decode()
    assert not (tmp_path / "nhacviec.db").exists()  # refused before touching the database
