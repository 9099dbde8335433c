"""Crash safety with a real SIGKILLed process, and two concurrent dispatchers on PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from bot.db.engine import make_engine, migrate
from bot.db.models import DeliveryRow, MemberRow, ReminderRow, UnitRow
from bot.domain.clock import FixedClock
from bot.engine.channel import OutMessage
from bot.engine.dispatcher import Dispatcher, DispatchSettings
from bot.engine.ratelimit import NoLimit

ROOT = Path(__file__).resolve().parents[2]
WORKER = Path(__file__).with_name("crash_worker.py")
DUE = datetime(2019, 11, 20, 1, 0, tzinfo=timezone.utc)


def _seed_notices(engine, count: int) -> None:  # type: ignore[no-untyped-def]
    """`count` units, one head each, one due notice per unit."""
    with Session(engine) as s, s.begin():
        s.execute(insert(UnitRow), [dict(id=f"U{i}", name=f"Đơn vị {i}", retired=False) for i in range(count)])
        s.execute(insert(MemberRow), [dict(chat_id=1000 + i, role="head", unit=f"U{i}", name=f"Trưởng {i}",
                                           reachable=True, active=True, created_at=DUE) for i in range(count)])
        s.execute(insert(ReminderRow), [dict(key=f"notice:{i}", occurrence_id=None, kind="notice", rung="test",
                                             target=f"U{i}", due_at=DUE, state="pending", body=f"Việc số {i}")
                                        for i in range(count)])


def _run_worker(url: str, log: Path, mode: str) -> int:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, str(WORKER), url, str(log), mode], env=env, cwd=ROOT,
                          timeout=120).returncode


def _deliveries(engine) -> list[DeliveryRow]:  # type: ignore[no-untyped-def]
    with Session(engine) as s:
        return list(s.scalars(select(DeliveryRow)))


@pytest.fixture
def seeded(db, db_url):  # type: ignore[no-untyped-def]
    _seed_notices(db, 5)
    return db_url, db


def test_killed_between_claim_and_send_sends_once_after_restart(seeded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url, engine = seeded
    log = tmp_path / "sent.log"
    assert _run_worker(url, log, "kill_before_send") == -9
    assert len(log.read_text().split()) == 2  # two went out, the third was claimed when the process died
    assert _run_worker(url, log, "normal") == 0
    counts = Counter(log.read_text().split())
    assert sorted(counts.values()) == [1, 1, 1, 1, 1]
    rows = _deliveries(engine)
    assert all(r.state == "sent" for r in rows)
    assert sum(r.uncertain for r in rows) == 1  # flagged: the process died with it in flight


def test_killed_after_delivery_duplicates_at_most_once_and_records_it(seeded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url, engine = seeded
    log = tmp_path / "sent.log"
    assert _run_worker(url, log, "kill_after_send") == -9
    assert _run_worker(url, log, "normal") == 0
    counts = Counter(log.read_text().split())
    assert len(counts) == 5 and sum(counts.values()) == 6  # one duplicate for one kill
    (twice,) = [int(chat) for chat, n in counts.items() if n == 2]
    uncertain = [r for r in _deliveries(engine) if r.uncertain]
    assert [r.chat_id for r in uncertain] == [twice]


def test_restart_after_success_sends_nothing_again(seeded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url, _ = seeded
    log = tmp_path / "sent.log"
    assert _run_worker(url, log, "normal") == 0
    assert _run_worker(url, log, "normal") == 0
    assert sorted(Counter(log.read_text().split()).values()) == [1, 1, 1, 1, 1]


class _CountingChannel:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sent: list[int] = []

    async def send(self, message: OutMessage) -> int:
        await asyncio.sleep(0)
        with self.lock:
            self.sent.append(message.chat_id)
            return len(self.sent)


def test_two_dispatchers_on_postgresql_never_send_twice(pg_url: str) -> None:
    url = pg_url
    setup = make_engine(url)
    migrate(setup)
    _seed_notices(setup, 1000)
    channel = _CountingChannel()
    errors: list[BaseException] = []

    def worker(name: str) -> None:
        engine = make_engine(url)
        clock = FixedClock(DUE + timedelta(minutes=1))
        dispatcher = Dispatcher(engine, channel, clock, NoLimit(), DispatchSettings(batch_size=40, concurrency=4),
                                worker=name)
        try:
            async def drain() -> None:
                for _ in range(500):
                    report = await dispatcher.sweep()
                    if report.claimed == 0 and report.materialized == 0:
                        if len(channel.sent) >= 1000:
                            return
                        await asyncio.sleep(0.01)  # the other worker holds the rest; not waiting on a scheduler
            asyncio.run(drain())
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors
    counts = Counter(channel.sent)
    assert len(counts) == 1000 and max(counts.values()) == 1
    with Session(setup) as s:
        rows = s.scalars(select(DeliveryRow)).all()
        assert len(rows) == 1000 and all(r.state == "sent" for r in rows)
        assert len({r.claimed_by for r in rows}) == 2  # both did real work
    setup.dispose()
