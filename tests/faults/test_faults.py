"""Fault injection: random Bot API faults, SIGKILL at random moments, the database away, SIGTERM mid-send.

Time is injected (FixedClock) everywhere the engine is driven in-process; the only real waits are
short, bounded ones for a subprocess, a socket or the fake server's deliberately slow answer.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Future
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml
from sqlalchemy import insert, select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from telegram import Bot
from telegram.request import HTTPXRequest

from bot.db.engine import make_engine, migrate
from bot.db.models import DeliveryRow, MemberRow, ReminderRow, UnitRow
from bot.domain.clock import FixedClock
from bot.engine import outbox
from bot.engine.channel import OutMessage
from bot.engine.dispatcher import Dispatcher, DispatchSettings
from bot.engine.ratelimit import NoLimit
from bot.sandbox.fake_api import FakeBotApi
from bot.telegram.application import sweep_tick
from bot.telegram.channel import TelegramChannel
from tests.conftest import MINI_PLAN, ROOT

# PTB warns when it builds a RetryAfter from the server's integer (unless PTB_TIMEDELTA is set).
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning")

UTC = timezone.utc
TOKEN = "7654321:FAULTS-secret-token"
DUE = datetime(2019, 11, 20, 1, 0, tzinfo=UTC)
FIRST_CHAT = 1000
KILL_WORKER = Path(__file__).with_name("kill_worker.py")
TICK_FAILED = "sweep failed; will retry at the next tick"


# --- helpers -----------------------------------------------------------------------------------

def seed_notices(engine: Engine, count: int) -> None:
    """`count` units, one head each (chat 1000 + i), one due notice per unit."""
    with Session(engine) as s, s.begin():
        s.execute(insert(UnitRow), [dict(id=f"U{i}", name=f"Đơn vị {i}", retired=False) for i in range(count)])
        s.execute(insert(MemberRow), [dict(chat_id=FIRST_CHAT + i, role="head", unit=f"U{i}", name=f"Trưởng {i}",
                                           reachable=True, active=True, created_at=DUE) for i in range(count)])
        s.execute(insert(ReminderRow), [dict(key=f"notice:{i}", occurrence_id=None, kind="notice", rung="test",
                                             target=f"U{i}", due_at=DUE, state="pending", body=f"Việc số {i}")
                                        for i in range(count)])


def deliveries(engine: Engine) -> list[DeliveryRow]:
    with Session(engine) as s:
        return list(s.scalars(select(DeliveryRow)))


def unfinished(engine: Engine) -> int:
    counts = outbox.pending_counts(engine)
    return sum(counts.get(state, 0) for state in ("pending", "claimed", "sending"))


async def drain(dispatcher: Dispatcher, clock: FixedClock, rounds: int = 400) -> int:
    """Sweep, jumping the clock to the next retry's next_at, until nothing is left to send."""
    for sweeps in range(1, rounds + 1):
        await dispatcher.sweep()
        due = outbox.next_due(dispatcher.engine)
        if due is None:
            return sweeps
        clock.set(max(due, clock.now()))
    raise AssertionError(f"still pending after {rounds} sweeps: {outbox.pending_counts(dispatcher.engine)}")


class CountingChannel:
    """Records every chat it 'delivers' to."""

    def __init__(self) -> None:
        self.sent: list[int] = []

    async def send(self, message: OutMessage) -> int:
        await asyncio.sleep(0)
        self.sent.append(message.chat_id)
        return len(self.sent)


# --- 1. random Bot API faults over 1,000 reminders ----------------------------------------------

async def test_random_faults_during_a_1000_reminder_dispatch_lose_nothing(db: Engine) -> None:
    seed_notices(db, 1000)
    chats = set(range(FIRST_CHAT, FIRST_CHAT + 1000))
    async with FakeBotApi(token=TOKEN) as api:
        # read_timeout faults deliver, then answer after 1 s: past the client's 0.5 s read timeout.
        api.random_faults(0.1, ["retry_after", "server_error", "reset", "read_timeout"], seed=20191120, delay=1.0)
        request = HTTPXRequest(connection_pool_size=8, connect_timeout=2.0, read_timeout=0.5,
                               write_timeout=2.0, pool_timeout=5.0)
        async with Bot(TOKEN, base_url=api.base_url, base_file_url=api.base_file_url, request=request) as bot:
            clock = FixedClock(DUE + timedelta(minutes=1))
            # NoLimit.pause only records the pause (acquire never waits): a RetryAfter reschedules the
            # deliveries at now + retry_after in the outbox, which the FixedClock jumps to.
            dispatcher = Dispatcher(db, TelegramChannel(bot), clock, NoLimit(), DispatchSettings(concurrency=4),
                                    worker="faults", timer=clock)  # one clock: back-off is jumped over too
            sweeps = await drain(dispatcher, clock)

        requests = len(api.calls_of("sendMessage"))
        received = Counter(m.chat_id for m in api.sent)
    rows = deliveries(db)
    assert len(rows) == 1000
    states = Counter(r.state for r in rows)
    assert set(states) == {"sent"}, states  # notices carry decisions: resent after a read timeout until answered
    assert set(received) == chats  # every chat got its message at least once
    uncertain = {r.chat_id for r in rows if r.uncertain}
    twice = {chat for chat, n in received.items() if n > 1}
    assert twice <= uncertain, f"sent twice without being recorded uncertain: {sorted(twice - uncertain)}"
    assert max(received.values()) <= 3
    assert len(uncertain) > 0  # read timeouts happened: delivered, the answer lost, resent flagged
    assert sum(r.attempts > 0 for r in rows) > 0  # retries happened (429, 502, resets)
    assert dispatcher.limiter._paused_until > 0  # a RetryAfter paused the limiter (NoLimit records it too)
    print(f"\n[faults] {requests} sendMessage requests in {sweeps} sweeps for 1000 reminders; states {dict(states)}; "
          f"{len(uncertain)} recorded uncertain; {len(twice)} delivered twice")


# --- 2. SIGKILL at random moments ---------------------------------------------------------------

def _start_worker(url: str, log: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, str(KILL_WORKER), url, str(log)], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)


def test_sigkill_at_random_moments_loses_nothing_and_flags_every_duplicate(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kill.db'}"
    engine = make_engine(url)
    migrate(engine)
    seed_notices(engine, 200)
    log = tmp_path / "sent.log"
    rng = random.Random(4242)
    kills = 0
    for _ in range(10):
        worker = _start_worker(url, log)
        try:
            assert worker.stdout is not None
            assert worker.stdout.readline().strip() == "ready"  # imports done: the random delay starts now
            try:
                worker.wait(timeout=rng.uniform(0.05, 0.4))  # finished before the kill: nothing to kill
            except subprocess.TimeoutExpired:
                worker.send_signal(signal.SIGKILL)
                assert worker.wait(timeout=10) == -signal.SIGKILL
                kills += 1
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait(timeout=10)
            if worker.stdout is not None:
                worker.stdout.close()
    final = _start_worker(url, log)
    try:
        assert final.wait(timeout=60) == 0
    finally:
        if final.poll() is None:
            final.kill()
        if final.stdout is not None:
            final.stdout.close()

    counts = Counter(int(line) for line in log.read_text().split())
    rows = deliveries(engine)
    engine.dispose()
    assert set(counts) == set(range(FIRST_CHAT, FIRST_CHAT + 200))  # zero lost
    duplicates = sum(n - 1 for n in counts.values())
    assert duplicates <= kills
    uncertain = {r.chat_id for r in rows if r.uncertain}
    assert {chat for chat, n in counts.items() if n > 1} <= uncertain
    assert all(r.state == "sent" for r in rows)
    print(f"\n[kill] {kills} kills, {duplicates} duplicates, {len(uncertain)} deliveries flagged uncertain")


# --- 3. the database away while the bot runs ----------------------------------------------------

class SwitchableProxy:
    """A TCP proxy 127.0.0.1:<port> → target, in its own thread and event loop (the engine is
    synchronous: it would block a proxy living in the test's loop). `off` closes the listener and
    kills every open connection, as a database restart or a network cut would; `on` listens again
    on the same port."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.server: asyncio.base_events.Server | None = None
        self.writers: set[asyncio.StreamWriter] = set()
        self.port = 0

    def _call(self, coro: object) -> object:
        future: Future[object] = asyncio.run_coroutine_threadsafe(coro, self.loop)  # type: ignore[arg-type]
        return future.result(timeout=10)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.transport.abort()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self.writers |= {writer, up_writer}
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
        self.writers -= {writer, up_writer}

    async def _on(self) -> None:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", self.port, reuse_address=True)
        self.port = self.server.sockets[0].getsockname()[1]

    async def _off(self) -> None:
        assert self.server is not None
        self.server.close()
        for writer in list(self.writers):
            writer.transport.abort()
        self.writers.clear()
        await asyncio.wait_for(self.server.wait_closed(), 5)
        self.server = None

    def on(self) -> None:
        self._call(self._on())

    def off(self) -> None:
        self._call(self._off())

    def close(self) -> None:
        if self.server is not None:
            self.off()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)
        self.loop.close()


def tick_failures(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.getMessage() == TICK_FAILED]


async def _outage(dispatcher: Dispatcher, clock: FixedClock, caplog: pytest.LogCaptureFixture,
                  down: Callable[[], None], up: Callable[[], None], error: str, ticks: int = 5,
                  real_interval: float = 0.0) -> None:
    """One good tick, the database away for a few ticks, back: the rest is delivered, once each."""
    channel = dispatcher.channel
    assert isinstance(channel, CountingChannel)
    first = await sweep_tick(dispatcher)
    assert first is not None and first.sent == 25
    down()
    # `ticks` failed ticks; with real_interval the outage lasts that long in real time too (the proxy is
    # down for real: the engine's pool must recover from connections that died meanwhile).
    for _ in range(ticks):
        clock.advance(timedelta(seconds=0.5))
        assert await sweep_tick(dispatcher) is None  # logged, not raised: the JobQueue keeps ticking
        if real_interval:
            await asyncio.sleep(real_interval)  # holding the outage open, not waiting for a scheduler
    failures = tick_failures(caplog)
    assert len(failures) == ticks
    assert all(r.levelno == logging.ERROR and r.exc_info is not None for r in failures)
    # The database's own error, logged with its traceback: what an operator needs to see.
    assert all(r.exc_info is not None and issubclass(r.exc_info[0], OperationalError)  # type: ignore[arg-type]
               for r in failures)
    assert all(error in str(r.exc_info[1]).lower() for r in failures if r.exc_info is not None)
    assert len(channel.sent) == 25  # nothing went out while the database was away
    up()
    for _ in range(20):
        clock.advance(timedelta(seconds=0.5))
        assert await sweep_tick(dispatcher) is not None
        if unfinished(dispatcher.engine) == 0:
            break
    counts = Counter(channel.sent)
    assert set(counts) == set(range(FIRST_CHAT, FIRST_CHAT + 100)) and max(counts.values()) == 1
    assert all(r.state == "sent" and not r.uncertain for r in deliveries(dispatcher.engine))
    assert len(tick_failures(caplog)) == ticks


async def test_postgresql_unreachable_while_ticking_then_back_delivers_everything_once(
        pg_url: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bot")
    setup = make_engine(pg_url)
    migrate(setup)
    seed_notices(setup, 100)
    setup.dispose()
    target = make_url(pg_url)
    proxy = SwitchableProxy(target.host or "127.0.0.1", target.port or 5432)
    proxy.on()
    engine = make_engine(target.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False))
    try:
        clock = FixedClock(DUE + timedelta(minutes=1))
        dispatcher = Dispatcher(engine, CountingChannel(), clock, NoLimit(),
                                DispatchSettings(batch_size=25, concurrency=4), worker="pg-outage")
        # The case: PostgreSQL unreachable for 30 s while the bot ticks every second.
        await _outage(dispatcher, clock, caplog, proxy.off, proxy.on, "connection", ticks=30, real_interval=1.0)
    finally:
        engine.dispose()
        proxy.close()


async def test_sqlite_locked_by_another_connection_then_released_delivers_everything_once(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bot")
    path = tmp_path / "locked.db"
    engine = make_engine(f"sqlite:///{path}", busy_timeout_ms=100)  # production waits 30 s: same path
    migrate(engine)
    seed_notices(engine, 100)
    locker = sqlite3.connect(path, isolation_level=None, timeout=5)

    def lock() -> None:
        locker.execute("BEGIN EXCLUSIVE")

    def release() -> None:
        locker.execute("ROLLBACK")

    try:
        clock = FixedClock(DUE + timedelta(minutes=1))
        dispatcher = Dispatcher(engine, CountingChannel(), clock, NoLimit(),
                                DispatchSettings(batch_size=25, concurrency=4), worker="sqlite-locked")
        await _outage(dispatcher, clock, caplog, lock, release, "database is locked")
    finally:
        locker.close()
        engine.dispose()


# --- 4. SIGTERM while a message is in flight ----------------------------------------------------

ADMIN = 1001
RUN_TOKEN = "987654:FAULTS-RUN-SECRET"


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(token=RUN_TOKEN) as server:
        yield server


async def test_sigterm_while_a_message_is_in_flight_finishes_it_and_records_it_sent(
        api: FakeBotApi, tmp_path: Path) -> None:
    db_file = tmp_path / "nhacviec.db"
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({
        "plan": str(MINI_PLAN.resolve()),
        "database": {"url": f"sqlite:///{db_file}"},
        "telegram": {"token": api.token, "base_url": api.base_url, "base_file_url": api.base_file_url},
        "admins": [ADMIN],
        "clock": {"start": "2019-10-30T07:59:59+07:00", "speed": 1},  # the 08:00 reminders are due at once
        "dispatch": {"interval_seconds": 1},
        "storage": {"evidence_dir": str(tmp_path / "evidence")},
    }, allow_unicode=True), encoding="utf-8")
    # The office's 08:00 reminder is delivered at once but answered only 2 s later; the bot's own read
    # timeout is PTB's default 5 s, so for the bot this is a slow request, not a timeout.
    api.inject("read_timeout", chat_id=ADMIN, delay=2.0, deliver=True)
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    env["PYTHONPATH"] = str(ROOT)
    out, err = tmp_path / "run.out", tmp_path / "run.err"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--config", str(config), cwd=ROOT, env=env,
            stdin=asyncio.subprocess.DEVNULL, stdout=stdout, stderr=stderr)

    def output() -> str:
        return out.read_text(encoding="utf-8", errors="replace") + err.read_text(encoding="utf-8", errors="replace")

    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 25
        while not any(p.get("chat_id") == ADMIN for p in api.calls_of("sendMessage")):
            assert proc.returncode is None, f"exited {proc.returncode}:\n{output()}"
            assert loop.time() < deadline, f"no reminder request:\n{output()}"
            await asyncio.sleep(0.05)
        proc.send_signal(signal.SIGTERM)  # the request is in flight: delivered, its answer 2 s away
        started = loop.time()
        assert await asyncio.wait_for(proc.wait(), 20) == 0, output()
        waited = loop.time() - started
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    engine = make_engine(f"sqlite:///{db_file}")
    try:
        rows = [r for r in deliveries(engine) if r.chat_id == ADMIN]
    finally:
        engine.dispose()
    # VP, TCCB and KHTC have no head yet: the office gets their three reminders in one message.
    assert len(rows) == 3, output()
    assert [(r.state, r.uncertain) for r in rows] == [("sent", False)] * 3, ([(r.state, r.error) for r in rows],
                                                                            output())
    (message,) = api.messages_to(ADMIN)
    assert {r.message_id for r in rows} == {message.message_id}
    assert waited >= 1.0  # it really waited for the answer rather than dropping the request
    assert RUN_TOKEN not in output()
