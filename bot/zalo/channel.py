"""Zalo as a Channel: the message drawn as plain text with numbered replies, sent with sendMessage.

Zalo has no buttons: each button becomes a numbered reply ("Reply N to …") and the menu (reply number → action data) is
kept per chat so that a later reply "N" acts like the press. Texts are at most 2,000 characters.
"""

from __future__ import annotations

import zlib
from typing import Protocol

from bot.engine.channel import OutMessage
from bot.engine.ratelimit import RateLimiter
from bot.views.model import PLAIN_TEXT_LIMIT, Action, View, plain_text
from bot.zalo.api import ZaloApi, ZaloError, classify


class MenuStore(Protocol):
    """Where the numbered replies of the last message to a chat are kept."""

    def remember(self, chat: str, replies: dict[str, str]) -> None: ...

    def lookup(self, chat: str, reply: str) -> str | None: ...


class MemoryMenus:
    """Menus in memory (tests, the sandbox); a deployment keeps them in the database."""

    def __init__(self) -> None:
        self._menus: dict[str, dict[str, str]] = {}

    def remember(self, chat: str, replies: dict[str, str]) -> None:
        if replies:
            self._menus[chat] = dict(replies)

    def lookup(self, chat: str, reply: str) -> str | None:
        return self._menus.get(chat, {}).get(reply.strip())


def draw(message: OutMessage) -> tuple[str, dict[str, str]]:
    """The text Zalo shows and its reply menu."""
    view = View((message.text,), tuple(tuple(Action(b.text, b.data) for b in row) for row in message.buttons))
    return plain_text(view, PLAIN_TEXT_LIMIT)


def limiter_key(chat: str) -> int:
    """The rate limiter counts chats by integer id; Zalo ids are hex strings."""
    return zlib.crc32(chat.encode())


class ZaloChannel:
    """Sends OutMessages whose `address` is a Zalo chat id; raises SendError with the outbox's policy."""

    def __init__(self, api: ZaloApi, menus: MenuStore, limiter: RateLimiter | None = None) -> None:
        self.api = api
        self.menus = menus
        # The platform publishes no limits: conservative defaults, configurable (zalo.rate_per_second).
        self.limiter = limiter or RateLimiter(per_second=5, private_interval=1.0)

    async def send(self, message: OutMessage) -> int:
        chat = message.address
        text, replies = draw(message)
        async with self.limiter.sending(limiter_key(chat)):
            try:
                result = await self.api.call("sendMessage", chat_id=chat, text=text)
            except ZaloError as exc:
                raise classify(exc) from None
        self.menus.remember(chat, replies)
        # Zalo message ids are hex strings; the outbox keeps an integer for reference only.
        raw = str((result or {}).get("message_id", "0"))
        try:
            return int(raw, 16) % (2 ** 63)
        except ValueError:
            return zlib.crc32(raw.encode())
