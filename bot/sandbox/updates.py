"""The getUpdates side of the fake Bot API: pending updates and long polling."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from bot.sandbox.state import ApiError

JSONDict = dict[str, Any]


class UpdateQueue:
    """Pending updates with Telegram's offset confirmation and single-poller rule."""

    def __init__(self) -> None:
        self.pending: list[JSONDict] = []
        self._next_update_id = 1
        self._poll_generation = 0
        self._changed: asyncio.Event | None = None
        self.closing = False

    def _wake(self) -> None:
        # Waiters hold the old event; swapping it wakes them all exactly once.
        if self._changed is not None:
            self._changed.set()
        self._changed = asyncio.Event()

    def push(self, kind: str, payload: JSONDict) -> JSONDict:
        """Queue an update of the given kind ("message", "callback_query"...) and return it."""
        update = {"update_id": self._next_update_id, kind: payload}
        self._next_update_id += 1
        self.pending.append(update)
        self._wake()
        return update

    def clear(self) -> None:
        """Drop every pending update (deleteWebhook/setWebhook drop_pending_updates)."""
        self.pending.clear()

    def close(self) -> None:
        """Release every waiting long poll (server shutdown)."""
        self.closing = True
        self._wake()

    def _confirm(self, offset: int) -> None:
        if offset > 0:
            self.pending = [u for u in self.pending if u["update_id"] >= offset]
        elif offset < 0:
            self.pending = self.pending[offset:]

    async def poll(self, offset: int, limit: int, timeout: float) -> list[JSONDict]:
        """Answer getUpdates: confirm below offset, then wait up to timeout for something."""
        self._confirm(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        self._wake()  # a newer poll terminates an older one, like Telegram
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(0.0, timeout)
        limit = min(max(limit, 1), 100)
        while True:
            if generation != self._poll_generation:
                raise ApiError(409, "Conflict: terminated by other getUpdates request; make sure "
                                    "that only one bot instance is running")
            ready = self.pending[:limit]
            remaining = deadline - loop.time()
            if ready or remaining <= 0 or self.closing:
                return ready
            assert self._changed is not None
            event = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)
