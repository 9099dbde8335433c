"""PTB's request hook on the channel-neutral limiter (`bot.engine.ratelimit.RateLimiter`).

Replies to presses and commands wait for the same limiter as the dispatcher's sends, and get a bounded retry
on RetryAfter.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.engine.ratelimit import RateLimiter, paced

log = logging.getLogger(__name__)


def _seconds(exc: RetryAfter) -> float:
    value: Any = exc._retry_after  # the public property warns in PTB 22 unless PTB_TIMEDELTA is set
    return float(value.total_seconds() if hasattr(value, "total_seconds") else value)


class TelegramRateLimiter(BaseRateLimiter[None]):
    """PTB's hook on every request: replies wait for the limiter, and a RetryAfter is retried (bounded).

    Messages to a chat (`chat_id` in the request) take a slot like the dispatcher's sends; other requests
    (answerCallbackQuery, setMyCommands...) only wait out a RetryAfter pause. A RetryAfter pauses the whole
    limiter (dispatcher included), then the request is retried up to `retries` times if the wait is at most
    `max_wait` s. The answer to a press only stops the button's spinner: when it cannot be made, it is
    dropped rather than raised, so a recorded action is never reported as failed.
    """

    QUIET = ("answerCallbackQuery",)

    def __init__(self, limiter: RateLimiter, retries: int = 3, max_wait: float = 60.0) -> None:
        self.limiter = limiter
        self.retries = retries
        self.max_wait = max_wait

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def process_request(self, callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any]
                                                                      | list[dict[str, Any]]]],
                              args: Any, kwargs: dict[str, Any], endpoint: str, data: dict[str, Any],
                              rate_limit_args: None) -> bool | dict[str, Any] | list[dict[str, Any]]:
        if paced():  # a dispatcher send: already paced, and its failures are settled in the outbox
            return await callback(*args, **kwargs)
        chat_id = data.get("chat_id")
        for attempt in range(self.retries + 1):
            stamp = None
            if isinstance(chat_id, int):
                stamp = await self.limiter.acquire(chat_id)
            else:
                await self.limiter.wait_paused()
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                seconds = _seconds(exc)
                self.limiter.pause(seconds)
                log.warning("%s: RetryAfter %s s (attempt %s)", endpoint, seconds, attempt + 1)
                if attempt == self.retries or seconds > self.max_wait:
                    if endpoint in self.QUIET:
                        return True
                    raise
            finally:
                self.limiter.finished(stamp)
        raise AssertionError("unreachable")
