"""A channel that does not answer (DNS failure, refused connection, 5xx, timeouts) is weather, not a crash.

At start the bot asks each channel who it is before polling; while that fails, the rest of the bot runs and the
question is retried with back-off (1 s, 2 s … 30 s); one log line when a channel is first unreachable, one when
it answers (the Watch). What is channel-neutral lives here; the python-telegram-bot side (its errors, its
Application's error handlers and updater) is `bot.telegram.weather`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any, cast

from bot.ops.health import Watch

log = logging.getLogger("nhacviec.ops")
MAX_DELAY = 30.0


def describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:160]


async def pause(seconds: float, stopped: asyncio.Event) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stopped.wait(), seconds)


async def retry_until(ask: Callable[[], Awaitable[Any]]) -> None:
    """Call `ask` after 1 s, 2 s, 4 s … (at most 30 s apart) until it does not raise."""
    delay = 1.0
    while True:
        await asyncio.sleep(delay)
        try:
            await ask()
        except Exception:  # noqa: BLE001 - still away
            delay = min(delay * 2, MAX_DELAY)
            continue
        return


async def start_zalo(zalo: Any, watch: Watch) -> asyncio.Task[Any] | None:
    """Start the Zalo channel now if its API answers; else return a task that waits for it (back-off, one line
    each way) and starts it then, while the rest of the bot runs."""

    def ping() -> Awaitable[Any]:
        return cast(Awaitable[Any], zalo.api.call("getMe"))

    def weather(up: bool, error: BaseException | None) -> None:  # the poll loop's state changes, one line each
        watch.mark_channel("zalo", up, describe(error) if error is not None else "")

    async def start() -> None:
        zalo.weather = weather
        await zalo.start()
        watch.mark_channel("zalo", True)

    try:
        await ping()
    except Exception as exc:  # noqa: BLE001 - DNS, refused, 5xx, timeout: weather
        watch.mark_channel("zalo", False, describe(exc))
    else:
        await start()
        return None

    async def later() -> None:
        await retry_until(ping)
        await start()

    return asyncio.ensure_future(later())
