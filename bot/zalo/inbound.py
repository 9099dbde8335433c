"""A Zalo event as the Telegram update the chat handlers already understand.

Zalo has no buttons: a reply that is the number of an offered action ("2") becomes the press of that
button (a callback query with its data); a command ("/viec") gets its bot_command entity; an invite code sent
alone by someone the bot does not know becomes `/start CODE`; a photo arrives as a URL and is downloaded at
once (the link expires) to a local file that getFile then hands out, like a local Bot API server does.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from bot.zalo.updates import Incoming

UPDATE_BASE = 1 << 62  # Zalo update ids never meet Telegram's (processed_updates holds both)
CODE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")  # invite codes (secrets.token_urlsafe)
COMMAND = re.compile(r"^/[A-Za-z0-9_]{1,32}")


@dataclass(frozen=True)
class Chat:
    """What the bridge knows of the chat a message came from, and of its sender."""

    key: int  # the integer chat id the handlers see (bot.db.addresses)
    known: bool  # the sender is a member already (then a bare code is a message, not an invite)
    menu_message: int = 0  # the message of the last menu (a press "comes from" it)
    sender: int = 0  # the integer user id of who sent it (in a private chat: `key`)
    group: bool = False

    @property
    def user(self) -> int:
        return self.sender or self.key


def update_id(incoming: Incoming) -> int:
    """Stable per Zalo message: a webhook retry or a repeated poll is recognised as the same update."""
    raw = hashlib.sha256(f"{incoming.chat_id}|{incoming.message_id}|{incoming.date_ms}".encode()).digest()
    return UPDATE_BASE + int.from_bytes(raw[:7], "big")


def _user(chat: Chat, incoming: Incoming) -> dict[str, Any]:
    return {"id": chat.user, "is_bot": False, "first_name": incoming.name or str(chat.user)}


def _message(chat: Chat, incoming: Incoming, message_id: int, **content: Any) -> dict[str, Any]:
    where: dict[str, Any] = ({"id": chat.key, "type": "group", "title": "Zalo"} if chat.group else
                             {"id": chat.key, "type": "private", "first_name": incoming.name or str(chat.key)})
    return {"message_id": message_id, "date": incoming.date_ms // 1000 or 1, "chat": where,
            "from": _user(chat, incoming), **content}


def to_update(incoming: Incoming, chat: Chat, photo: tuple[str, int] | None = None,
              pressed: str | None = None) -> dict[str, Any]:
    """The Telegram update for one Zalo event: the press of `pressed` (action data the bridge read from a
    numbered reply), or the message itself; `photo` is (file id, size) of a photo already downloaded."""
    uid = update_id(incoming)
    message_id = uid % 1_000_000_000
    text = incoming.text.strip()
    if pressed is not None:
        data = pressed
        shown = _message(chat, incoming, chat.menu_message or message_id, text="")
        return {"update_id": uid, "callback_query": {"id": str(uid), "from": _user(chat, incoming),
                                                     "chat_instance": str(chat.key), "data": data, "message": shown}}
    if photo is not None:
        file_id, size = photo
        unique = hashlib.sha256(file_id.encode()).hexdigest()[:24]
        content: dict[str, Any] = {"photo": [{"file_id": file_id, "file_unique_id": unique, "width": 1,
                                              "height": 1, "file_size": size}]}
        if incoming.caption:
            content["caption"] = incoming.caption
        return {"update_id": uid, "message": _message(chat, incoming, message_id, **content)}
    if not chat.known and CODE.match(text):
        text = "/start " + text
    content = {"text": text or "?"}
    command = COMMAND.match(text)
    if command:
        content["entities"] = [{"type": "bot_command", "offset": 0, "length": command.end()}]
    return {"update_id": uid, "message": _message(chat, incoming, message_id, **content)}
