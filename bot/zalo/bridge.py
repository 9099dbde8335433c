"""Zalo behind python-telegram-bot: the chat handlers run unchanged for Zalo chats.

`ZaloBridge` is the HTTP layer (a PTB `BaseRequest`) of a second Application. Its Bot API calls are
answered by Zalo: `getUpdates` returns Zalo events as Telegram updates (bot.zalo.inbound), from Zalo's long
polling or from the checked webhook's queue; `sendMessage` and `editMessageText` become a Zalo text with
numbered replies (Zalo cannot edit: an edit is a new message); a toast becomes a short message; files the
bot would attach are named with a note, since Zalo bots send only text and photos by URL. Everything else
(who may act, services, audit, states) is the same code as on Telegram.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from telegram.request import BaseRequest, RequestData

from bot.conversation.menus import Choice, Confirm, Menu, Stale, read_reply
from bot.db import addresses
from bot.db.models import ChatStateRow, MemberRow
from bot.domain.clock import Clock
from bot.engine.channel import Failure
from bot.engine.outbox import queue_notice
from bot.i18n import _, language
from bot.i18n.refusals import t
from bot.views import actions as wire
from bot.views.model import Action
from bot.zalo.api import ZaloApi, ZaloError, classify
from bot.zalo.channel import Actions, ZaloSender
from bot.zalo.files import DEFAULT_FILE_HOSTS, DownloadError, download
from bot.zalo.inbound import Chat, to_update
from bot.zalo.menus import KIND, DbMenus
from bot.zalo.updates import IDLE, Incoming, parse_event

log = logging.getLogger(__name__)
FILE_PREFIX = "zalo-photo-"
RETRIED = (Failure.RETRY, Failure.RETRY_AFTER)  # certainly not delivered: the outbox sends it later


def _answer(result: Any) -> tuple[int, bytes]:
    return 200, json.dumps({"ok": True, "result": result}).encode()


def _failed(status: int, description: str) -> tuple[int, bytes]:
    return status, json.dumps({"ok": False, "error_code": status, "description": description}).encode()


def _actions(markup: Any) -> Actions:
    if isinstance(markup, str):
        markup = json.loads(markup)
    rows = (markup or {}).get("inline_keyboard") or []
    return tuple(tuple(Action(str(b.get("text", "")), str(b["callback_data"])) for b in row if b.get("callback_data"))
                 for row in rows)


def _menu_actions(menu: Menu) -> Actions:
    return tuple((Action(menu.labels.get(n, n), data),) for n, data in sorted(menu.replies.items(),
                                                                              key=lambda item: int(item[0])))


class ZaloBridge(BaseRequest):
    """Answers a PTB Bot's requests with the Zalo Bot API (see the module docstring)."""

    def __init__(self, api: ZaloApi, sender: ZaloSender, engine: Engine, clock: Clock, files_dir: Path,
                 photo_limit: int = 20 * 1024 * 1024, links: Any = None,
                 file_hosts: tuple[str, ...] = DEFAULT_FILE_HOSTS) -> None:
        self.api = api
        self.sender = sender
        self.menus = DbMenus(engine)
        self.engine = engine
        self.clock = clock
        self.files_dir = files_dir
        self.photo_limit = photo_limit
        self.links = links  # bot.web.personal.LinkMaker, when the personal page is on
        self.file_hosts = file_hosts  # photos are fetched from these hosts only (zalo.file_hosts)
        self.inbox: asyncio.Queue[Incoming] | None = None  # set in webhook mode: events come from there
        self._files: dict[str, tuple[Path, int, float]] = {}
        self._queries: dict[str, int] = {}  # callback query id → chat key, for the toast of its answer
        self._http: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        self.files_dir.mkdir(parents=True, exist_ok=True)

    async def shutdown(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None
        for path, _size, _at in self._files.values():
            path.unlink(missing_ok=True)
        self._files.clear()

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: Any = None, write_timeout: Any = None, connect_timeout: Any = None,
                         pool_timeout: Any = None) -> tuple[int, bytes]:
        name = url.rstrip("/").rsplit("/", 1)[-1]
        params = request_data.parameters if request_data is not None else {}
        try:
            return await self._method(name, params)
        except ZaloError as exc:
            log.warning("zalo %s failed: %s", name, exc)
            return _failed(502 if exc.code in (0, 429) or exc.code >= 500 else 400, exc.description or "zalo error")

    async def _method(self, name: str, params: dict[str, Any]) -> tuple[int, bytes]:
        if name == "getMe":
            return _answer({"id": 1, "is_bot": True, "first_name": "nhacviec", "username": "nhacviec_zalo"})
        if name == "getUpdates":
            return _answer(await self._updates(float(params.get("timeout") or 0)))
        if name in ("sendMessage", "editMessageText"):
            return await self._text(params, str(params.get("text") or ""), _actions(params.get("reply_markup")))
        if name == "editMessageReplyMarkup":
            actions = _actions(params.get("reply_markup"))
            return await self._text(params, "", actions) if actions else _answer(True)
        if name == "answerCallbackQuery":
            key = self._queries.pop(str(params.get("callback_query_id") or ""), 0)
            if params.get("text") and key:
                await self._send_to(key, str(params["text"]))
            return _answer(True)
        if name in ("sendDocument", "sendPhoto"):
            return await self._attachment(params)
        if name == "getFile":
            return self._file(str(params.get("file_id") or ""))
        return _answer(True)  # setMyCommands, sendChatAction, deleteMessage…: nothing to do on Zalo

    # --- outgoing ---------------------------------------------------------------------------------------
    def _address(self, key: int) -> tuple[str, bool] | None:
        """The Zalo chat id of `key`, and whether it is a group."""
        with Session(self.engine) as session:
            row = addresses.address_of(session, key)
        if row is None or row.channel != "zalo":
            return None
        return row.address, (row.menu or {}).get(KIND) == "group"

    async def _send_to(self, key: int, text: str, actions: Actions = ()) -> int | None:
        found = self._address(key)
        if found is None:
            return None
        chat, group = found
        # Asked for evidence: Zalo carries photos only, so documents go through the personal page
        # (a personal link acts as its person: never into a group).
        wants_files = any(a.data.startswith("evend:") for row in actions for a in row)
        link = self.links.for_chat(key) if wants_files and self.links is not None and not group else ""
        return await self._deliver(key, chat, text, actions, link)

    async def _deliver(self, key: int, chat: str, text: str, actions: Actions = (), link: str = "") -> int:
        """Send now; when Zalo certainly did not take it (429, 5xx, no connection), the outbox sends it later
        with the same retry policy as reminders: an answer is never lost after its action was recorded."""
        try:
            return await self.sender.send_text(chat, text, actions, link)
        except ZaloError as exc:
            failure = classify(exc)
            if failure.failure not in RETRIED:
                raise
            log.warning("zalo reply to chat %s queued for retry: %s", key, failure.reason)
            buttons = [[(a.label, a.data) for a in row] for row in actions]
            with Session(self.engine) as session, session.begin():
                queue_notice(session, self.clock.now(), f"reply:{key}", f"chat:{key}", text, buttons or None)
            return 0

    async def _text(self, params: dict[str, Any], text: str, actions: Actions) -> tuple[int, bytes]:
        key = int(params.get("chat_id") or 0)
        message_id = await self._send_to(key, text, actions)
        if message_id is None:
            return _failed(400, "Bad Request: chat not found")
        return _answer({"message_id": message_id % 2_000_000_000, "date": int(time.time()), "text": text,
                        "chat": {"id": key, "type": "private"}})

    async def _attachment(self, params: dict[str, Any]) -> tuple[int, bytes]:
        key = int(params.get("chat_id") or 0)
        caption = str(params.get("caption") or "")
        with language(self._lang(key)):
            note = _("(Zalo cannot carry this file: open it on Telegram or by e-mail, or ask the office.)")
        return await self._text({"chat_id": key}, f"{caption}\n{note}".strip(), ())

    def _lang(self, key: int) -> str:
        with Session(self.engine) as session:
            lang = session.scalar(select(MemberRow.lang).where(MemberRow.user_id == addresses.identity(session, key))
                                  .limit(1))
        return lang or "vi"

    def _file(self, file_id: str) -> tuple[int, bytes]:
        held = self._files.get(file_id)
        if held is None:
            return _failed(400, "Bad Request: file not found")
        path, size, _at = held
        return _answer({"file_id": file_id, "file_unique_id": file_id[-24:], "file_size": size,
                        "file_path": str(path.resolve())})

    # --- incoming ---------------------------------------------------------------------------------------
    async def _updates(self, timeout: float) -> list[dict[str, Any]]:
        events: list[Incoming] = []
        if self.inbox is not None:
            try:
                events.append(await asyncio.wait_for(self.inbox.get(), timeout or 0.001))
            except TimeoutError:
                return []
            while not self.inbox.empty():
                events.append(self.inbox.get_nowait())
        else:
            try:
                result = await self.api.call("getUpdates", read_timeout=timeout + 10, timeout=str(int(timeout)))
            except ZaloError as exc:
                if exc.code == IDLE:  # the long poll ended with nothing to say: poll again at once
                    return []
                raise
            for item in result if isinstance(result, list) else [result]:
                incoming = parse_event(item)
                if incoming is not None:
                    events.append(incoming)
        updates = []
        for incoming in events:
            update = await self._update(incoming)
            if update is not None:
                updates.append(update)
        return updates

    def _chat(self, incoming: Incoming, menu: Menu) -> tuple[Chat, str | None]:
        """The chat and its sender (identity is the sender's: in a group only who sent acts), and the kind of
        what the chat waits for, if anything."""
        now = self.clock.now()
        with Session(self.engine) as session, session.begin():
            sender = addresses.zalo_key(session, incoming.user_id if incoming.group else incoming.chat_id,
                                        incoming.name, now)
            key = sender
            if incoming.group:
                key = addresses.zalo_key(session, incoming.chat_id, "", now)
                row = addresses.address_of(session, key)
                if row is not None and (row.menu or {}).get(KIND) != "group":
                    row.menu = {**(row.menu or {}), KIND: "group"}
            person = addresses.identity(session, sender)
            known = session.scalar(select(MemberRow.id).where(
                MemberRow.active, (MemberRow.user_id == person) | (MemberRow.chat_id == sender)).limit(1)) is not None
            state = session.get(ChatStateRow, key)
            waiting = state.kind if state is not None else None
        return Chat(key, known, menu.message, sender, incoming.group), waiting

    async def _choice(self, chat: Chat, incoming: Incoming, menu: Menu, waiting: str | None) -> str | None | bool:
        """What a typed reply presses (bot.conversation.menus): action data; None (a message, not a reply);
        False (answered here: an out-of-date number, or a confirmation asked)."""
        meaning = read_reply(incoming.text, menu, waiting)
        if isinstance(meaning, Choice):
            return meaning.data
        if not isinstance(meaning, Stale | Confirm):
            return None
        with language(self._lang(chat.user)):
            if isinstance(meaning, Stale):  # a number of an older menu: say so, and show the current one again
                note = _("This menu is out of date: {number} is not one of its replies. The current menu:").format(
                    number=meaning.number)
                await self._deliver(chat.key, incoming.chat_id, f"{note}\n\n{menu.text}", _menu_actions(menu))
                return False
            ask = _("Other messages came after the menu this number belongs to. Confirm: {action}?").format(
                action=meaning.label)
            await self._deliver(chat.key, incoming.chat_id, f"{ask}\n\n{menu.text}",
                                ((Action("✅ " + _("Confirm"), meaning.data),
                                  Action("✖️ " + _("Cancel"), wire.cancel())),))
        return False

    async def _update(self, incoming: Incoming) -> dict[str, Any] | None:
        menu = self.menus.current(incoming.chat_id)
        chat, waiting = self._chat(incoming, menu)
        photo = None
        pressed: str | None = None
        if incoming.event == "message.image.received" and incoming.photo_url:
            photo = await self._photo(chat, incoming)
            if photo is None:
                return None
        elif incoming.event == "message.text.received":
            choice = await self._choice(chat, incoming, menu, waiting)
            if choice is False:
                return None
            pressed = choice if isinstance(choice, str) else None
        update = to_update(incoming, chat, photo, pressed)
        if "callback_query" in update:
            if len(self._queries) > 1000:  # answers come within seconds; never let this grow
                self._queries.clear()
            self._queries[update["callback_query"]["id"]] = chat.key
        return update

    async def _photo(self, chat: Chat, incoming: Incoming) -> tuple[str, int] | None:
        """Download now (Zalo's links expire), counting the bytes; a refusal is told at once."""
        if self._http is None:
            self._http = aiohttp.ClientSession()
        self._forget_old()
        try:
            got = await download(self._http, incoming.photo_url, self.photo_limit, self.file_hosts)
        except DownloadError as exc:
            if exc.reason == "bad_url":
                log.warning("zalo photo from a host that is not Zalo's refused (chat %s)", chat.key)
            with language(self._lang(chat.user)):
                text = {"too_big": t("file_too_big"),
                        "empty": _("The photo is empty (0 bytes): please send it again.")}.get(
                    exc.reason, _("The photo could not be downloaded from Zalo: please send it again."))
            await self._deliver(chat.key, incoming.chat_id, text)
            return None
        file_id = FILE_PREFIX + got.sha256[:40]
        path = self.files_dir / f"{file_id}.jpg"
        path.write_bytes(got.content)
        self._files[file_id] = (path, len(got.content), time.monotonic())
        return file_id, len(got.content)

    def _forget_old(self, older_than: float = 3600.0) -> None:
        """Downloaded photos are kept until the handler archived them; an hour is plenty."""
        now = time.monotonic()
        for file_id, (path, _size, at) in list(self._files.items()):
            if now - at > older_than:
                path.unlink(missing_ok=True)
                del self._files[file_id]
