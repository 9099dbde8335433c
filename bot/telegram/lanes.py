"""Updates in lanes, one per chat: a chat that floods the bot cannot hold the others.

PTB's default processor runs any 8 updates at once: 300 updates of one chat, each waiting for that chat's
pace (1 message a second), took every slot and everyone else waited minutes. Here each chat has its own lane
(its updates one after another, in order) and takes at most one of the shared workers; a lane holds at most
`backlog` waiting updates, and what arrives beyond that is dropped (logged), as a flood.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

log = logging.getLogger(__name__)


@dataclass
class _Lane:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    waiting: int = 0


def chat_of(update: object) -> int | None:
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return update.effective_chat.id
        if update.effective_user is not None:
            return update.effective_user.id
    return None


class ChatLanes(BaseUpdateProcessor):
    """At most `workers` updates run at once, at most one per chat; a chat's backlog beyond `backlog` drops."""

    def __init__(self, workers: int = 8, backlog: int = 3, admitted: int = 4096) -> None:
        super().__init__(admitted)  # PTB's own bound: updates admitted (running or waiting in a lane)
        self.workers, self.backlog = workers, backlog
        self._slots: asyncio.Semaphore | None = None
        self._lanes: dict[int, _Lane] = {}
        self.dropped = 0

    async def initialize(self) -> None:
        self._slots = asyncio.Semaphore(self.workers)

    async def shutdown(self) -> None:
        self._lanes.clear()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.workers)
        chat = chat_of(update)
        if chat is None:
            async with self._slots:
                await coroutine
            return
        lane = self._lanes.setdefault(chat, _Lane())
        if lane.lock.locked() and lane.waiting >= self.backlog:
            self.dropped += 1
            close = getattr(coroutine, "close", None)
            if close is not None:
                close()  # never awaited: no "coroutine was never awaited" warning
            if self.dropped % 100 == 1:
                log.warning("chat %s floods the bot: update dropped (%s dropped so far)", chat, self.dropped)
            return
        lane.waiting += 1
        try:
            async with lane.lock:
                lane.waiting -= 1
                async with self._slots:
                    await coroutine
        finally:
            if not lane.lock.locked() and lane.waiting == 0 and self._lanes.get(chat) is lane:
                del self._lanes[chat]
