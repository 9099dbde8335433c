"""Zalo as a Channel: the message drawn as plain text with numbered replies, sent with sendMessage.

Zalo has no buttons: each button becomes a numbered reply ("Reply N to …") and the menu (reply number → action data) is
kept per chat so that a later reply "N" acts like the press. Texts are at most 2,000 characters: a longer
text goes as several messages, the last one carrying the replies.
"""

from __future__ import annotations

import zlib
from dataclasses import replace
from typing import Protocol

from bot.engine.channel import Failure, OutMessage, SendError
from bot.engine.ratelimit import RateLimiter
from bot.i18n import _
from bot.views.model import PLAIN_TEXT_LIMIT, Action, View, plain_text
from bot.zalo.api import ZaloApi, ZaloError, classify
from bot.zalo.menus import KIND, Menu, parse, updated

Actions = tuple[tuple[Action, ...], ...]


class MenuStore(Protocol):
    """Where the numbered replies of the last menu to a chat are kept (chat: the Zalo chat id)."""

    def remember(self, chat: str, replies: dict[str, str], message_id: int = 0,
                 labels: dict[str, str] | None = None, text: str = "") -> None: ...

    def current(self, chat: str) -> Menu: ...

    def is_group(self, chat: str) -> bool: ...

    def address_of(self, key: int) -> str | None: ...


class MemoryMenus:
    """Menus in memory (unit tests); the bot keeps them in the database (bot.zalo.menus.DbMenus)."""

    def __init__(self) -> None:
        self._menus: dict[str, dict[str, str]] = {}

    def remember(self, chat: str, replies: dict[str, str], message_id: int = 0,
                 labels: dict[str, str] | None = None, text: str = "") -> None:
        self._menus[chat] = updated(self._menus.get(chat), replies, message_id, labels, text)

    def current(self, chat: str) -> Menu:
        return parse(self._menus.get(chat))

    def lookup(self, chat: str, reply: str) -> str | None:
        return self.current(chat).replies.get(reply.strip())

    def is_group(self, chat: str) -> bool:
        return self._menus.get(chat, {}).get(KIND) == "group"

    def address_of(self, key: int) -> str | None:
        return None  # unit tests give the address with each message


def _items(text: str) -> list[str]:
    """`text` as items: a line with the indented lines under it (a task and its details stay together)."""
    items: list[str] = []
    for line in text.split("\n"):
        if items and line[:1] in (" ", "\t") and line.strip():
            items[-1] += "\n" + line
        else:
            items.append(line)
    return items


def _pieces(text: str, limit: int) -> list[str]:
    """`text` in pieces of at most `limit` characters, cut only between items; every piece after the first
    starts with the text's first line (its header) marked as continued, so none starts mid-list unnamed."""
    items = _items(text)
    header = items[0].strip()[:200] if items else ""
    continued = _("{header} (continued)").format(header=header)
    pieces: list[str] = []
    current = ""
    for item in items:
        while len(item) > limit - len(continued) - 1:  # one item longer than a message: cut at the limit
            room = limit - len(continued) - 1
            if current:
                pieces.append(current)
            pieces.append(item[:room] if not pieces else f"{continued}\n{item[:room]}")
            current, item = "", item[room:]
        if current and len(current) + 1 + len(item) > limit:
            pieces.append(current)
            current = f"{continued}\n{item}"
        else:
            current = f"{current}\n{item}" if current else (f"{continued}\n{item}" if pieces else item)
    if current or not pieces:
        pieces.append(current)
    return pieces


def link_line(url: str) -> str:
    """The reader's personal page under a Zalo message: what a text chat cannot carry goes there."""
    return _("🔗 Your page (send documents, enter figures): {url}").format(url=url)


def draw(text: str, actions: Actions, link: str = "",
         limit: int = PLAIN_TEXT_LIMIT) -> tuple[list[str], dict[str, str]]:
    """The texts Zalo shows (≤ `limit` characters each) and the reply menu of the last one."""
    blocks = (text, link_line(link)) if link else (text,)
    whole, replies = plain_text(View(blocks, actions), 10 ** 6)
    if len(whole) <= limit:
        return [whole], replies
    menu = whole[len("\n\n".join(blocks)):]  # "\n\n" + the numbered replies, or ""
    body = _pieces("\n\n".join(blocks), limit)
    if len(body[-1]) + len(menu) > limit:
        body.append("")
    body[-1] = (body[-1] + menu).strip("\n")
    return body, replies


def message_id_of(result: object) -> int:
    """Zalo message ids are hex strings; the bot keeps an integer for reference only."""
    raw = str((result if isinstance(result, dict) else {}).get("message_id", "0"))
    try:
        return int(raw, 16) % (2 ** 53)
    except ValueError:
        return zlib.crc32(raw.encode())


def limiter_key(chat: str) -> int:
    """The rate limiter counts chats by integer id; Zalo ids are hex strings."""
    return zlib.crc32(chat.encode())


class ZaloSender:
    """Sends text with numbered replies to a Zalo chat, within the rate limit, remembering the menu."""

    def __init__(self, api: ZaloApi, menus: MenuStore, limiter: RateLimiter | None = None) -> None:
        self.api = api
        self.menus = menus
        # The platform publishes no limits: conservative defaults, configurable (zalo.rate_per_second).
        self.limiter = limiter or RateLimiter(per_second=5, private_interval=1.0)

    async def send_text(self, chat: str, text: str, actions: Actions = (), link: str = "") -> int:
        """Send; raises ZaloError. Returns the id of the last message sent."""
        texts, replies = draw(text, actions, link)
        message_id = 0
        for piece in texts:
            async with self.limiter.sending(limiter_key(chat)):
                message_id = message_id_of(await self.api.call("sendMessage", chat_id=chat, text=piece or "…"))
        labels = {str(n): a.label for n, a in enumerate((a for row in actions for a in row), start=1)}
        self.menus.remember(chat, replies, message_id, labels, text)
        return message_id


class ZaloChannel(ZaloSender):
    """Sends OutMessages whose `address` is a Zalo chat id; raises SendError with the outbox's policy."""

    async def send(self, message: OutMessage) -> int:
        address = message.address or self.menus.address_of(message.chat_id)
        if not address:
            raise SendError(Failure.UNREACHABLE, "unknown zalo chat")
        message = replace(message, address=address)
        actions = tuple(tuple(Action(b.text, b.data) for b in row) for row in message.buttons)
        # A personal link acts as its person: never into a group, where every member could open it.
        link = "" if message.link and self.menus.is_group(message.address) else message.link
        try:
            return await self.send_text(message.address, message.text, actions, link)
        except ZaloError as exc:
            raise classify(exc) from None
