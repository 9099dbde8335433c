"""Telegram's limits: 30 messages/s overall, ~1/s per private chat, 20/min per group chat.

Measured in real (monotonic) time, not the rehearsal clock: Telegram counts real seconds.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable


class RateLimiter:
    """Waits until sending to `chat_id` stays within every limit, then counts the send."""

    def __init__(self, per_second: int = 30, private_interval: float = 1.0, group_per_minute: int = 20,
                 margin: float = 0.03, time_source: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.per_second = per_second
        self.private_interval = private_interval
        self.group_per_minute = group_per_minute
        self.margin = margin  # server clocks and ours disagree slightly at window edges
        self._now = time_source
        self._sleep = sleep
        self._global: deque[float] = deque(maxlen=per_second)
        self._private: dict[int, float] = {}
        self._groups: dict[int, deque[float]] = {}
        self._paused_until = 0.0
        self._lock = asyncio.Lock()

    def pause(self, seconds: float) -> None:
        """After a RetryAfter, Telegram blocks every request for a while."""
        self._paused_until = max(self._paused_until, self._now() + seconds)

    def _wait(self, chat_id: int, now: float) -> float:
        waits = [self._paused_until - now]
        if len(self._global) == self.per_second:
            waits.append(self._global[0] + 1.0 + self.margin - now)
        if chat_id < 0:
            window = self._groups.get(chat_id)
            if window is not None and len(window) == self.group_per_minute:
                waits.append(window[0] + 60.0 + self.margin - now)
        elif chat_id in self._private:
            waits.append(self._private[chat_id] + self.private_interval + self.margin - now)
        return max(waits)

    async def acquire(self, chat_id: int) -> None:
        """Block until a message to `chat_id` may go out."""
        while True:
            async with self._lock:
                now = self._now()
                wait = self._wait(chat_id, now)
                if wait <= 0:
                    self._global.append(now)
                    if chat_id < 0:
                        self._groups.setdefault(chat_id, deque(maxlen=self.group_per_minute)).append(now)
                    else:
                        self._private[chat_id] = now
                    return
            await self._sleep(wait)


class NoLimit(RateLimiter):
    """For `simulate`: nothing is really sent."""

    async def acquire(self, chat_id: int) -> None:
        return None
