"""The real bot (PTB Application, handlers, dispatcher) against the fake Bot API on 127.0.0.1."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from telegram.ext import Application

from bot.app import TelegramSetup, build_channels
from bot.db.engine import make_engine, migrate
from bot.db.members import ensure_member
from bot.domain.clock import FixedClock
from bot.domain.workdays import WorkCalendar
from bot.engine.dispatcher import Dispatcher, DispatchSettings
from bot.engine.ratelimit import NoLimit
from bot.engine.sync import sync_plan
from bot.plans.loader import load_plan
from bot.sandbox.fake_api import FakeBotApi, SentMessage
from bot.services.assumptions import confirm_all_for_rehearsal
from bot.telegram.context import Services

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
ADMIN = 1001


@dataclass
class Harness:
    api: FakeBotApi
    app: Application  # type: ignore[type-arg]
    engine: Engine
    clock: FixedClock
    dispatcher: Dispatcher
    evidence_dir: Path

    async def say(self, user_id: int, text: str, expect: int = 1, name: str = "Test") -> list[SentMessage]:
        """A user types; returns the bot's new messages once `expect` of them arrived."""
        before = len(self.api.sent)
        self.api.user_sends(user_id, text, first_name=name)
        await self.api.wait_for_sent(before + expect)
        return self.api.sent[before:]

    async def press(self, user_id: int, message: SentMessage, data: str, expect: int = 1,
                    forged: bool = False) -> list[SentMessage]:
        before, answered = len(self.api.sent), len(self.api.answered_callbacks)
        self.api.user_presses(user_id, message, data, strict=not forged)
        await self.api.wait_for_sent(before + expect)
        if expect == 0:
            await self._wait_answer(answered)
        return self.api.sent[before:]

    async def _wait_answer(self, answered: int) -> None:
        import asyncio

        for _ in range(500):
            if len(self.api.answered_callbacks) > answered:
                return
            await asyncio.sleep(0.01)  # waiting for an HTTP round trip, not for the scheduler
        raise TimeoutError("no answerCallbackQuery")

    async def send_file(self, user_id: int, name: str, content: bytes, expect: int = 1) -> list[SentMessage]:
        before = len(self.api.sent)
        self.api.user_sends_document(user_id, name, content)
        await self.api.wait_for_sent(before + expect)
        return self.api.sent[before:]

    async def sweep_at(self, local: datetime) -> list[SentMessage]:
        """Move the one clock and run one dispatcher tick (what the JobQueue does every few seconds)."""
        before = len(self.api.sent)
        self.clock.set(local)
        await self.dispatcher.sweep()
        return self.api.sent[before:]


def at(day: str, hh: int = 8, mm: int = 0) -> datetime:
    """`at("30/10/2019")` → 08:00 that day in Asia/Ho_Chi_Minh."""
    d, m, y = (int(x) for x in day.split("/"))
    return datetime(y, m, d, hh, mm, tzinfo=ZONE)


async def start_harness(tmp: Path, plan_path: Path, start: datetime, rate_limiter: Any = None,
                        confirm_assumptions: bool = True, **api_kwargs: Any) -> Harness:
    """The bot over PTB against the fake Bot API. Like the sandbox, the plan runs as the office would run it,
    every assumption confirmed, unless `confirm_assumptions` is false (the draft rules are tested apart)."""
    api = FakeBotApi(**api_kwargs)
    await api.start()
    engine = make_engine(f"sqlite:///{tmp / 'bot.db'}")
    migrate(engine)
    clock = FixedClock(start)
    plan = load_plan(plan_path)
    sync_plan(engine, plan, WorkCalendar(), clock.now())
    if confirm_assumptions:
        with Session(engine) as session, session.begin():
            confirm_all_for_rehearsal(session, clock.now())
    ensure_member(engine, clock.now(), chat_id=ADMIN, user_id=ADMIN, role="admin", unit=plan.plan.office,
                  name="Chánh Văn phòng")
    services = Services(engine, clock, WorkCalendar(), ZONE, tmp / "evidence", time(8, 0))
    channels = build_channels(services, TelegramSetup(api.token, api.base_url, api.base_file_url, rate_limiter))
    app = channels.telegram
    await app.initialize()
    await app.post_init(app)  # type: ignore[misc]
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    dispatcher = Dispatcher(engine, channels.outbound, clock, NoLimit(), DispatchSettings(concurrency=2))
    return Harness(api, app, engine, clock, dispatcher, tmp / "evidence")


async def stop_harness(h: Harness) -> None:
    assert h.app.updater is not None
    await h.app.updater.stop()
    await h.app.stop()
    await h.app.shutdown()
    await h.api.stop()
    h.engine.dispose()


__all__ = ["ADMIN", "Harness", "at", "start_harness", "stop_harness", "timezone"]
