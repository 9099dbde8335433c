"""Telegram that does not answer (DNS failure, refused connection, 5xx, timeouts) is weather, not a crash.

At start the bot asks Telegram who it is (getMe) before polling. While that fails, the personal page, Zalo and
the outbox sweeps already run (sends to Telegram go back to the queue with back-off), and getMe is retried with
back-off (1 s, 2 s … 30 s); one log line when Telegram is first unreachable, one when it answers. Later, a
polling error is one line per state change too (no traceback), and a probe tells when Telegram is back.

This is python-telegram-bot's side of `bot.ops.weather`: its errors, an Application's error handlers and its
updater's log (the Zalo runtime's Application, `start_zalo`, goes through them too while it runs on PTB).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from telegram.error import BadRequest, InvalidToken, NetworkError, TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.ops.health import Watch
from bot.ops.weather import MAX_DELAY, describe, pause, retry_until


def is_weather(exc: BaseException) -> bool:
    """A network failure (connect, DNS, timeout, 5xx), not a wrong request or a wrong token."""
    return isinstance(exc, NetworkError) and not isinstance(exc, BadRequest | InvalidToken)


async def until_telegram_answers(bot: Any, watch: Watch, stopped: asyncio.Event) -> bool:
    """getMe until it answers (True) or the bot is stopped (False); a wrong token raises at once."""
    delay = 1.0
    while not stopped.is_set():
        try:
            await bot.initialize()
        except TelegramError as exc:
            if not is_weather(exc):
                raise
            watch.mark_channel("telegram", False, describe(exc))
            await pause(delay, stopped)
            delay = min(delay * 2, MAX_DELAY)
            continue
        watch.mark_channel("telegram", True)
        return True
    return False


async def start_without_telegram(app: Any, watch: Watch, stopped: asyncio.Event,
                                 start_others: Callable[[], Awaitable[None]], sweep: Callable[[], Awaitable[Any]],
                                 interval: float) -> bool:
    """Before polling: Telegram answers at once (True, nothing else done), or the others start and the
    sweeps run here until it does (True) or the bot is stopped (False)."""
    try:
        await app.bot.initialize()
        watch.mark_channel("telegram", True)
        return True
    except TelegramError as exc:
        if not is_weather(exc):
            raise
        watch.mark_channel("telegram", False, describe(exc))
    await start_others()

    async def sweeping() -> None:
        while not stopped.is_set():
            await sweep()  # watched: never raises
            await pause(interval, stopped)

    sweeper = asyncio.ensure_future(sweeping())
    try:
        return await until_telegram_answers(app.bot, watch, stopped)
    finally:
        sweeper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sweeper


def watch_polling(app: Any, watch: Watch, name: str = "telegram",
                  probe: Callable[[], Awaitable[Any]] | None = None) -> Callable[[BaseException], None]:
    """A polling error that is weather: one line per change (the Watch), a probe until the channel answers again,
    and no traceback from the chat's own error handler (this one runs first and stops the others). Returns the
    function that reports such an error (for an updater that logs its errors itself)."""
    probing: list[asyncio.Task[Any]] = []
    ask = probe or app.bot.get_me

    async def until_back() -> None:
        await retry_until(ask)
        watch.mark_channel(name, True)

    def down(error: BaseException) -> None:
        watch.mark_channel(name, False, describe(error))
        if not probing or probing[0].done():
            probing[:] = [asyncio.ensure_future(until_back())]

    async def on_error(update: object, context: Any) -> None:
        error = context.error
        if update is None and error is not None and is_weather(error):
            down(error)
            raise ApplicationHandlerStop

    others = dict(app.error_handlers)
    app.error_handlers.clear()
    app.add_error_handler(on_error)
    for callback, block in others.items():
        app.add_error_handler(callback, block=block)
    return down
