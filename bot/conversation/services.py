"""What every conversation flow needs, whatever the channel: the database, the clock, the calendar, paths."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.domain.clock import Clock
from bot.domain.workdays import WorkCalendar

T = TypeVar("T")


@dataclass
class Services:
    engine: Engine
    clock: Clock
    calendar: WorkCalendar
    zone: ZoneInfo
    evidence_dir: Path
    send_time: time = time(8, 0)
    zalo: bool = False  # the Zalo channel runs too: invites also give the code to send on Zalo
    links: Any = None  # bot.web.personal.LinkMaker when the personal page is on (/trang)
    telegram_username: str = ""  # the Telegram bot's username, for t.me invite links (set at start)
    # strangers answered lately (user id → first answer's monotonic time, answers), bounded by the router
    strangers: dict[int, tuple[float, int]] = field(default_factory=dict, repr=False)

    @contextmanager
    def tx(self) -> Iterator[Session]:
        """One transaction (BEGIN IMMEDIATE on SQLite)."""
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    def today(self) -> date:
        return self.clock.now().astimezone(self.zone).date()

    async def run(self, fn: Callable[[Session], T]) -> T:
        """`fn(session)` in one transaction on a worker thread: no database work on the event loop."""
        return await asyncio.to_thread(self._in_tx, fn)

    def _in_tx(self, fn: Callable[[Session], T]) -> T:
        with self.tx() as session:
            return fn(session)
