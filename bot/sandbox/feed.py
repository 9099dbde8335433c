"""What the chat page shows: each private chat's messages in order, with a revision number per change.

The page polls `GET /api/chat/<persona>?after=<rev>` and gets only what was created, edited, deleted or
answered (a button's alert) since `rev`; the fake server tells the feed through SandboxApi's hooks. A
persona switched to Zalo has a second chat in the same feed (entries of channel `zalo`): what the fake Zalo
Bot API sent it (SandboxZalo's hook) and what it typed or sent as a photo.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.clock import Clock
from bot.i18n import N_, _
from bot.sandbox.fake_api import FakeBotApi
from bot.sandbox.fake_zalo import FakeZaloApi, ZaloUser
from bot.sandbox.state import JSONDict, SentMessage

TELEGRAM, ZALO = "telegram", "zalo"
CHANNELS = (TELEGRAM, ZALO)

WEEKDAYS = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"), N_("Saturday"),
            N_("Sunday"))


def clock_json(now: datetime, zone: ZoneInfo, speed: float | None) -> JSONDict:
    """The rehearsal time as the page shows it."""
    local = now.astimezone(zone)
    return {"iso": local.isoformat(timespec="seconds"), "weekday": _(WEEKDAYS[local.weekday()]),
            "date": local.strftime("%d/%m/%Y"), "time": local.strftime("%H:%M"), "speed": speed}


@dataclass
class Entry:
    """One line of a chat: a message (by id) or the alert that answered a button press."""

    seq: int
    rev: int
    at: datetime
    message_id: int | None = None
    alert: str | None = None
    channel: str = TELEGRAM
    zalo: JSONDict | None = None  # a Zalo message: from (bot or user), text, photo (a name in the fake's photos)


class ChatFeed:
    """Revisions of every chat; the messages themselves stay in the fake server's state."""

    def __init__(self, clock: Clock, zone: ZoneInfo) -> None:
        self.clock = clock
        self.zone = zone
        self.rev = 0
        self._seq = itertools.count(1)
        self._chats: dict[int, dict[str, Entry]] = {}

    def _bump(self, chat_id: int, key: str, **fields: Any) -> None:
        self.rev += 1
        chat = self._chats.setdefault(chat_id, {})
        entry = chat.get(key)
        if entry is None:
            chat[key] = Entry(next(self._seq), self.rev, self.clock.now(), **fields)
        else:
            entry.rev = self.rev

    def touch(self, chat_id: int, message_id: int) -> None:
        """A message appeared, changed or disappeared."""
        self._bump(chat_id, f"m{message_id}", message_id=message_id)

    def alert(self, chat_id: int, text: str, channel: str = TELEGRAM) -> None:
        """The bot answered a button press with a notification (Telegram shows it as a toast or alert).

        On the Zalo chat, a note of the sandbox's own (a document Zalo cannot carry)."""
        self._bump(chat_id, f"a{self.rev + 1}", alert=text, channel=channel)

    def zalo(self, chat_id: int, message: JSONDict) -> int:
        """A message on the persona's Zalo chat; returns its place in the chat (its id on the page)."""
        key = f"z{self.rev + 1}"
        self._bump(chat_id, key, channel=ZALO, zalo=message)
        return self._chats[chat_id][key].seq

    def zalo_update(self, chat_id: int, seq: int, **fields: Any) -> None:
        """Fill in a Zalo message drawn already (the photo's name, known once the fake has stored it)."""
        for key, entry in self._chats.get(chat_id, {}).items():
            if entry.seq == seq and entry.zalo is not None:
                entry.zalo.update(fields)
                self._bump(chat_id, key)

    def last_rev(self, chat_id: int) -> int:
        """The newest revision in a chat (the page marks personas with unseen activity)."""
        return max((e.rev for e in self._chats.get(chat_id, {}).values()), default=0)

    def since(self, chat_id: int, after: int, api: FakeBotApi, channel: str = TELEGRAM) -> list[JSONDict]:
        """Entries of a chat (on `channel`) changed after `after`, in chat order."""
        entries = sorted((e for e in self._chats.get(chat_id, {}).values() if e.rev > after and e.channel == channel),
                         key=lambda e: e.seq)
        return [self._render(chat_id, e, api) for e in entries]

    def _render(self, chat_id: int, entry: Entry, api: FakeBotApi) -> JSONDict:
        local = entry.at.astimezone(self.zone)
        base: JSONDict = {"seq": entry.seq, "rev": entry.rev, "at": local.strftime("%H:%M %d/%m/%Y"),
                          "channel": entry.channel}
        if entry.alert is not None:
            return {**base, "kind": "alert", "text": entry.alert}
        if entry.zalo is not None:
            return {**base, **zalo_json(entry.seq, entry.zalo)}
        message = api.state.messages.get((chat_id, entry.message_id or 0))
        if message is None:
            return {**base, "kind": "message", "id": entry.message_id, "deleted": True}
        return {**base, **message_json(message, api)}


def _file_url(api: FakeBotApi, file_id: str) -> str | None:
    stored = api.state.files.get(file_id)
    return f"/files/{stored.file_path}" if stored else None


def message_json(message: JSONDict, api: FakeBotApi) -> JSONDict:
    """A Bot API Message as the page draws it: who, text, buttons, document link, picture."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    buttons = [[{"text": b.get("text", ""), "data": b.get("callback_data"), "url": b.get("url")} for b in row]
               for row in rows]
    out: JSONDict = {"kind": "message", "id": message["message_id"],
                     "from": "bot" if message.get("from", {}).get("is_bot") else "user",
                     "text": message.get("text") or message.get("caption") or "",
                     "edited": "edit_date" in message, "buttons": buttons, "document": None, "photo": None}
    document = message.get("document")
    if document:
        out["document"] = {"name": document.get("file_name") or _("file"), "size": document.get("file_size", 0),
                           "url": _file_url(api, document["file_id"])}
    photo = message.get("photo")
    if photo:
        biggest = photo[-1]
        out["photo"] = {"url": _file_url(api, biggest["file_id"]), "width": biggest.get("width"),
                        "height": biggest.get("height")}
    return out


class NotAPhoto(ValueError):
    """A document sent on Zalo: the message says where to send it instead."""


def zalo_json(seq: int, message: JSONDict) -> JSONDict:
    """A Zalo message as the page draws it: plain text (numbered replies included), no buttons."""
    photo = message.get("photo")
    return {"kind": "message", "id": seq, "from": message.get("from", "bot"),
            "text": message.get("text") or message.get("caption") or "", "edited": False, "buttons": [],
            "document": None, "photo": {"url": f"/zalo/photos/{photo}"} if photo else None}


class SandboxZalo(FakeZaloApi):
    """The fake Zalo Bot API with a hook that puts what the bot sends to a persona's Zalo chat in the feed."""

    def __init__(self, feed: ChatFeed, token: str | None = None) -> None:
        super().__init__(token)
        self.feed = feed
        self.personas: dict[str, int] = {}  # Zalo user id → persona id

    async def _record(self, kind: str, user: ZaloUser, **content: Any) -> JSONDict:
        result = await super()._record(kind, user, **content)
        persona = self.personas.get(user.id)
        if persona is not None:
            self.feed.zalo(persona, {"from": "bot", "kind": kind, "text": content.get("text") or "",
                                     "caption": content.get("caption") or ""})
        return result

    async def say(self, persona: int, user: ZaloUser, text: str) -> int:
        """A persona types in its Zalo chat; returns the message's id on the page."""
        seq = self.feed.zalo(persona, {"from": "user", "text": text})
        await self.user_says(user, text)
        return seq

    async def photo(self, persona: int, user: ZaloUser, content: bytes, caption: str | None) -> int:
        """A persona sends a photo on Zalo (Zalo bots receive pictures, not documents)."""
        seq = self.feed.zalo(persona, {"from": "user", "text": caption or ""})
        event = await self.user_sends_photo(user, content, caption or "")
        self.feed.zalo_update(persona, seq, photo=str(event["message"]["photo"]).rsplit("/", 1)[-1])
        return seq


class SandboxApi(FakeBotApi):
    """The fake Bot API with hooks that keep a ChatFeed up to date."""

    def __init__(self, feed: ChatFeed, **kwargs: Any) -> None:
        self.feed = feed
        self._query_chats: dict[str, int] = {}
        super().__init__(**kwargs)

    def _on_sent(self, message: SentMessage) -> None:
        super()._on_sent(message)
        self.feed.touch(message.chat_id, message.message_id)

    def _method_table(self) -> dict[str, Any]:
        table = super()._method_table()
        delete, answer = table["deleteMessage"], table["answerCallbackQuery"]

        def delete_message(params: JSONDict) -> Any:
            result = delete(params)
            self.feed.touch(int(params["chat_id"]), int(params["message_id"]))
            return result

        def answer_callback_query(params: JSONDict) -> Any:
            result = answer(params)
            chat = self._query_chats.pop(str(params.get("callback_query_id")), None)
            if chat is not None and params.get("text"):
                self.feed.alert(chat, str(params["text"]))
            return result

        table["deleteMessage"], table["answerCallbackQuery"] = delete_message, answer_callback_query
        return table

    def press(self, user_id: int, message_id: int, data: str) -> None:
        """A persona presses a button in its private chat (ValueError if the button is not there)."""
        update = self.user_presses(user_id, message_id, data, strict=True)
        self._query_chats[update["callback_query"]["id"]] = user_id

    def say(self, user_id: int, text: str, name: str) -> int:
        """A persona types in its private chat; returns the new message id."""
        message = self.user_sends(user_id, text, first_name=name)["message"]
        self.feed.touch(user_id, message["message_id"])
        return int(message["message_id"])

    def upload(self, user_id: int, file_name: str, content: bytes, mime_type: str, caption: str | None,
               name: str) -> int:
        """A persona sends a file (as a document, which keeps its name); returns the new message id."""
        message = self.user_sends_document(user_id, file_name, content, mime_type, caption=caption,
                                           first_name=name)["message"]
        self.feed.touch(user_id, message["message_id"])
        return int(message["message_id"])
