"""`nhacviec run` in a subprocess: SIGTERM during a busy sweep, the SQLite file deleted under the bot,
two processes migrating one empty PostgreSQL database together.

The waits are real but bounded: a subprocess starting, the fake server's deliberately slow answers.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import yaml
from sqlalchemy import text

from bot.db.engine import make_engine, migrate
from bot.sandbox.fake_api import FakeBotApi
from tests.conftest import MINI_PLAN, ROOT
from tests.faults.test_faults import FIRST_CHAT, deliveries, seed_notices

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning")

TOKEN = "424242:LIFECYCLE-SECRET"
ADMIN = 1001


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(token=TOKEN) as server:
        yield server


def _config(tmp: Path, api: FakeBotApi, db_file: Path, start: str, **dispatch: object) -> Path:
    path = tmp / "config.yaml"
    path.write_text(yaml.safe_dump({
        "plan": str(MINI_PLAN.resolve()),
        "database": {"url": f"sqlite:///{db_file}"},
        "telegram": {"token": api.token, "base_url": api.base_url, "base_file_url": api.base_file_url},
        "admins": [ADMIN],
        "clock": {"start": start, "speed": 1},
        "dispatch": {"interval_seconds": 1, **dispatch},
        "digest": {"enabled": False},
        "storage": {"evidence_dir": str(tmp / "evidence")},
    }, allow_unicode=True), encoding="utf-8")
    return path


class Bot:
    """`python -m bot run` with its output in files."""

    def __init__(self, tmp: Path) -> None:
        self.out, self.err = tmp / "run.out", tmp / "run.err"
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self, config: Path) -> asyncio.subprocess.Process:
        env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
        env["PYTHONPATH"] = str(ROOT)
        with self.out.open("wb") as stdout, self.err.open("wb") as stderr:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", "--config", str(config), cwd=ROOT, env=env,
                stdin=asyncio.subprocess.DEVNULL, stdout=stdout, stderr=stderr)
        return self.proc

    def output(self) -> str:
        return (self.out.read_text(encoding="utf-8", errors="replace")
                + self.err.read_text(encoding="utf-8", errors="replace"))

    async def until(self, condition: object, seconds: float, what: str) -> None:
        assert self.proc is not None and callable(condition)
        deadline = time.monotonic() + seconds
        while not condition():
            assert self.proc.returncode is None, f"exited {self.proc.returncode} before {what}:\n{self.output()}"
            assert time.monotonic() < deadline, f"no {what} after {seconds} s:\n{self.output()}"
            await asyncio.sleep(0.05)

    async def kill(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()


# --- SIGTERM during a busy sweep: bounded stop ---------------------------------------------------

async def test_sigterm_during_a_busy_sweep_stops_within_the_grace_and_leaves_the_rest_pending(
        api: FakeBotApi, tmp_path: Path) -> None:
    db_file = tmp_path / "nhacviec.db"
    engine = make_engine(f"sqlite:///{db_file}")
    migrate(engine)
    seed_notices(engine, 200)  # due 20/11/2019 08:00: 200 notices, 4 sends in flight at a time, 1 s each
    engine.dispose()
    # Every sendMessage is delivered at once but answered 1 s later (PTB's read timeout is 5 s): a sweep
    # of 200 takes ~50 s; the unbounded stop waited for all of it.
    api.random_faults(1.0, ["read_timeout"], seed=13, delay=1.0)
    bot = Bot(tmp_path)
    proc = await bot.start(_config(tmp_path, api, db_file, "2019-11-20T08:00:00+07:00",
                                   concurrency=4, shutdown_grace_seconds=2))
    try:
        await bot.until(lambda: len(api.calls_of("sendMessage")) >= 8, 30, "busy sweep")
        proc.send_signal(signal.SIGTERM)
        started = time.monotonic()
        code = await asyncio.wait_for(proc.wait(), 30)
        waited = time.monotonic() - started
    finally:
        await bot.kill()
    assert code == 0, bot.output()
    assert waited < 2 + 3, f"stopped after {waited:.1f} s"  # the 2 s grace plus PTB's own shutdown
    engine = make_engine(f"sqlite:///{db_file}")
    try:
        rows = [r for r in deliveries(engine) if r.chat_id >= FIRST_CHAT]
    finally:
        engine.dispose()
    delivered = {m.chat_id for m in api.sent}
    sent = {r.chat_id for r in rows if r.state == "sent"}
    assert delivered == sent  # the sends in flight finished inside the grace and were recorded
    left = [r for r in rows if r.state != "sent"]
    assert {r.state for r in left} == {"pending"}, {(r.state, r.error) for r in left}
    assert not any(r.uncertain or r.claimed_by for r in left)  # nothing flagged, nobody's claim
    assert not any(r.error == "crash_during_send" for r in rows)
    assert len(left) > 150
    print(f"\n[shutdown] SIGTERM with {len(api.calls_of('sendMessage'))} requests made: stopped in {waited:.2f} s; "
          f"{len(sent)} sent, {len(left)} back to pending, none flagged")


# --- the SQLite file deleted under a running bot -------------------------------------------------

async def test_deleted_database_file_stops_the_bot_with_exit_2_and_never_confirms(
        api: FakeBotApi, tmp_path: Path) -> None:
    db_file = tmp_path / "nhacviec.db"
    bot = Bot(tmp_path)
    # the office's 08:00 reminders (with ✅ buttons) arrive at once; sweeps then only every 10 s
    proc = await bot.start(_config(tmp_path, api, db_file, "2019-10-30T07:59:59+07:00", interval_seconds=10))
    try:
        await bot.until(lambda: api.messages_to(ADMIN), 30, "reminder to the office")
        (reminder,) = api.messages_to(ADMIN)
        done = next(b["callback_data"] for row in reminder.reply_markup["inline_keyboard"] for b in row
                    if b["callback_data"].startswith("done:"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_file}{suffix}").unlink(missing_ok=True)
        api.user_presses(ADMIN, reminder, done)
        code = await asyncio.wait_for(proc.wait(), 30)
    finally:
        await bot.kill()
    output = bot.output()
    assert code == 2, output
    assert "Tệp cơ sở dữ liệu" in output and "bị xóa hoặc bị thay thế" in output and str(db_file) in output
    last = [line for line in bot.err.read_text(encoding="utf-8").splitlines() if line.strip()][-1]
    assert last.startswith("Tệp cơ sở dữ liệu"), output  # the last word is the message, not a traceback
    said = [m.text or "" for m in api.sent] + [str(c.get("text", "")) for c in api.answered_callbacks]
    assert not any("Đã ghi nhận" in s or "Đã hoàn thành" in s for s in said), said
    assert TOKEN not in output


# --- two processes migrating one empty PostgreSQL database ---------------------------------------

MIGRATE = """
import sys, time
from bot.db.engine import make_engine, migrate
engine = make_engine(sys.argv[1])
while time.time() < float(sys.argv[2]):
    time.sleep(0.001)
began = time.monotonic()
migrate(engine)
print(f"{time.monotonic() - began:.3f}")
"""


def test_two_processes_migrating_an_empty_postgresql_database_take_turns(pg_url: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    at = time.time() + 4  # both past their imports, then released at the same instant
    procs = [subprocess.Popen([sys.executable, "-c", MIGRATE, pg_url, str(at)], env=env, cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err[-2000:] for _, err in results]
    took = sorted(float(out.strip().splitlines()[-1]) for out, _ in results)
    engine = make_engine(pg_url)
    try:
        with engine.connect() as conn:
            versions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
            tables = conn.execute(text("SELECT count(*) FROM information_schema.tables "
                                       "WHERE table_schema = 'public'")).scalar()
        migrate(engine)  # and a third start finds nothing to do
    finally:
        engine.dispose()
    assert len(versions) == 1 and tables and tables > 10
    print(f"\n[migrate] two processes at once: {took[0]:.2f} s and {took[1]:.2f} s, head {versions[0]}")
