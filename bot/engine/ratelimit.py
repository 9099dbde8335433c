"""Telegram's limits: 30 messages/s overall, ~1/s per private chat, 20/min per group chat.

Measured in real (monotonic) time, not the rehearsal clock: Telegram counts real seconds.

Telegram counts a message when the request arrives, which is some time after we decide to send it
(our database write, a garbage-collector pause, the network). So a send is counted from the moment
it was allowed until its answer comes back, and from then on from the answer's time: the request
certainly arrived before that. The per-second window and the per-chat interval are measured from
there; only a request still unanswered falls back to the moment it was allowed.

Every request the bot makes goes through one limiter: the dispatcher's sends (`sending`), and through
`bot.telegram.ratelimit.TelegramRateLimiter` (installed in PTB's Application) the replies to presses and
commands, which also get a bounded retry on RetryAfter. With several processes on one PostgreSQL database,
`SharedBudget` hands out the bot's 30 sends a second between them (no hand-set share per process).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable

from sqlalchemy import text
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)
# Set while the dispatcher holds a slot for its own send: PTB's limiter then lets that request straight
# through (counted once; its RetryAfter is settled in the outbox, not retried in place).
_paced: contextvars.ContextVar[bool] = contextvars.ContextVar("nhacviec_paced", default=False)


def paced() -> bool:
    """Whether the request being made is a dispatcher send already holding its slot (`sending`)."""
    return _paced.get()


class SharedBudget:
    """The bot's per-second budget in PostgreSQL: each send reserves the next free slot, 1/rate apart.

    One row (`send_budget`), one atomic UPDATE per send, timed by the database's clock so that processes
    on different machines agree. A RetryAfter pushes the next slot past the pause for every process.
    """

    # A wider margin than one process's: two processes' requests reach Telegram with independent delays.
    def __init__(self, engine: Engine, per_second: int = 30, margin: float = 0.08) -> None:
        self.engine = engine
        self.interval = (1.0 + margin) / per_second
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO send_budget (id, next_slot) VALUES (1, 0) ON CONFLICT (id) DO NOTHING"))

    def reserve(self) -> float:
        """Reserve the next slot; returns how many seconds to wait for it."""
        with self.engine.begin() as conn:
            slot, now = conn.execute(text(
                "UPDATE send_budget SET next_slot = GREATEST(next_slot, EXTRACT(EPOCH FROM clock_timestamp())) + :i "
                "WHERE id = 1 RETURNING next_slot - :i, EXTRACT(EPOCH FROM clock_timestamp())"),
                {"i": self.interval}).one()
        return float(slot) - float(now)

    def pause(self, seconds: float) -> None:
        with self.engine.begin() as conn:
            conn.execute(text("UPDATE send_budget SET next_slot = GREATEST(next_slot, "
                              "EXTRACT(EPOCH FROM clock_timestamp()) + :s) WHERE id = 1"), {"s": seconds})


class Stamp:
    """When a send counts: the moment it was allowed, moved to its answer's arrival by `finished`."""

    __slots__ = ("at",)

    def __init__(self, at: float) -> None:
        self.at = at


class RateLimiter:
    """Waits until sending to `chat_id` stays within every limit, then counts the send.

    Use `async with limiter.sending(chat_id): ...` around the request (or `acquire` and `finished`).
    """

    def __init__(self, per_second: int = 30, private_interval: float = 1.0, group_per_minute: int = 20,
                 margin: float = 0.03, time_source: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep, budget: SharedBudget | None = None) -> None:
        self.per_second = per_second
        self.private_interval = private_interval
        self.group_per_minute = group_per_minute
        self.margin = margin  # server clocks and ours disagree slightly at window edges
        self._now = time_source
        self._sleep = sleep
        self._global: deque[Stamp] = deque(maxlen=per_second)
        self._private: dict[int, Stamp] = {}
        self._groups: dict[int, deque[Stamp]] = {}
        self._paused_until = 0.0
        self._next_slot = 0.0  # pacing: the earliest instant of the next send, (1 + margin)/per_second apart
        self._lock = asyncio.Lock()
        self.budget = budget

    def pause(self, seconds: float) -> None:
        """After a RetryAfter, Telegram blocks every request for a while."""
        self._paused_until = max(self._paused_until, self._now() + seconds)
        if self.budget is not None:
            try:
                self.budget.pause(seconds)
            except Exception:  # the database away: this process still pauses
                log.warning("could not share the RetryAfter pause", exc_info=True)

    async def wait_paused(self) -> None:
        """Wait out a RetryAfter pause (requests that are not messages: answers to presses, commands)."""
        while (wait := self._paused_until - self._now()) > 0:
            await self._sleep(wait)

    async def _reserve(self) -> None:
        if self.budget is None:
            return
        try:
            wait = await asyncio.to_thread(self.budget.reserve)
        except Exception:  # the database away: the local pacing still holds this process to the limit
            log.warning("shared send budget unavailable; pacing locally", exc_info=True)
            return
        if wait > 0:
            await self._sleep(wait)

    def _wait(self, chat_id: int, now: float) -> float:
        waits = [self._paused_until - now]
        # Evenly paced, not 30 at once then a pause: a burst piles the sends up behind each other (and
        # behind our own database writes), their arrival times at Telegram spread by more than the margin,
        # and the server's sliding window sees 31 in a second (bench/bench_dispatch.py: 3-20 429s per
        # 1,000 messages before, none after). The window below stays as the hard limit.
        waits.append(self._next_slot - now)
        if len(self._global) == self.per_second:
            waits.append(min(s.at for s in self._global) + 1.0 + self.margin - now)
        if chat_id < 0:
            window = self._groups.get(chat_id)
            if window is not None and len(window) == self.group_per_minute:
                waits.append(min(s.at for s in window) + 60.0 + self.margin - now)
        elif chat_id in self._private:
            waits.append(self._private[chat_id].at + self.private_interval + self.margin - now)
        return max(waits)

    async def acquire(self, chat_id: int) -> Stamp | None:
        """Block until a message to `chat_id` may go out; pass the result to `finished` when answered."""
        while True:
            async with self._lock:
                now = self._now()
                wait = self._wait(chat_id, now)
                if wait <= 0:
                    self._next_slot = now + (1.0 + self.margin) / self.per_second
                    stamp = Stamp(now)
                    self._global.append(stamp)
                    if chat_id < 0:
                        self._groups.setdefault(chat_id, deque(maxlen=self.group_per_minute)).append(stamp)
                    else:
                        self._private[chat_id] = stamp
                    break
            await self._sleep(wait)
        # Then the shared slot, outside the lock: this process's next sends reserve theirs meanwhile (one
        # database round trip each would otherwise cap a process at 1/round-trip sends a second).
        await self._reserve()
        stamp.at = max(stamp.at, self._now())
        return stamp

    def finished(self, stamp: Stamp | None) -> None:
        """The request was answered (or failed): Telegram had it by now, so count the send from now."""
        if stamp is not None:
            stamp.at = max(stamp.at, self._now())

    @contextlib.asynccontextmanager
    async def sending(self, chat_id: int) -> AsyncIterator[None]:
        """Wait for a slot, run the request inside, count it until its answer."""
        stamp = await self.acquire(chat_id)
        token = _paced.set(True)
        try:
            yield
        finally:
            _paced.reset(token)
            self.finished(stamp)


class NoLimit(RateLimiter):
    """For `simulate`: nothing is really sent."""

    async def acquire(self, chat_id: int) -> Stamp | None:
        return None
