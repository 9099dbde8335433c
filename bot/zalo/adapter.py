"""Zalo into the conversation core: each Zalo event becomes a Turn and what it means (bot.conversation.router).

Zalo has no buttons. A typed reply is read against the chat's last numbered menu by the core's rules
(bot.conversation.menus.read_reply): a command, a choice, text (a prompt waiting for text owns it), the way out,
an out-of-date number ("this menu is out of date" and the current menu again) or an irreversible choice from an
older menu (asks to confirm). A photo arrives as a URL and is downloaded at once (the link expires), only from
the channel's own file hosts. Identity is the sender's: in a group only who sent acts.

Answers go out at once; when Zalo certainly did not take one (429, 5xx, no connection) it goes into the outbox
and is retried like a reminder: an answer is never lost after its action was recorded. Messages of one chat are
handled in order, chats in parallel (at most `workers` at a time).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Coroutine
from typing import Any

import aiohttp
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.conversation import router
from bot.conversation.incoming import Choice, Command, File, Text
from bot.conversation.menus import Confirm, Menu, Stale, read_reply
from bot.conversation.services import Services
from bot.db import addresses
from bot.db.models import ChatStateRow, MemberRow
from bot.db.notices import queue_notice
from bot.engine.channel import Failure
from bot.i18n import _, language
from bot.i18n.refusals import t
from bot.services.tasks import Event
from bot.views import actions as wire
from bot.views.model import Action
from bot.zalo.api import ZaloError, classify
from bot.zalo.channel import Actions, ZaloSender
from bot.zalo.files import DEFAULT_FILE_HOSTS, DownloadError, download
from bot.zalo.menus import KIND, parse
from bot.zalo.turn import ZaloTurn
from bot.zalo.updates import Incoming

log = logging.getLogger(__name__)
UPDATE_BASE = 1 << 62  # Zalo update ids never meet Telegram's (processed_updates holds both)
RETRIED = (Failure.RETRY, Failure.RETRY_AFTER)  # certainly not delivered: the outbox sends it later
PHOTO_PREFIX = "zalo-photo-"


def update_id(incoming: Incoming) -> int:
    """Stable per Zalo message: a webhook retry or a repeated poll is recognised as the same update."""
    raw = hashlib.sha256(f"{incoming.chat_id}|{incoming.message_id}|{incoming.date_ms}".encode()).digest()
    return UPDATE_BASE + int.from_bytes(raw[:7], "big")


def _menu_actions(menu: Menu) -> Actions:
    return tuple((Action(menu.labels.get(n, n), data),) for n, data in sorted(menu.replies.items(),
                                                                              key=lambda item: int(item[0])))


class ZaloAdapter:
    """Receives Zalo events (from long polling or the webhook) and answers them through the conversation core."""

    def __init__(self, services: Services, sender: ZaloSender, photo_limit: int = 20 * 1024 * 1024,
                 file_hosts: tuple[str, ...] = DEFAULT_FILE_HOSTS, workers: int = 8) -> None:
        self.services = services
        self.sender = sender
        self.photo_limit = photo_limit
        self.file_hosts = file_hosts  # photos are fetched from these hosts only (zalo.file_hosts)
        self._photos: dict[str, bytes] = {}  # downloaded for the turn being handled
        self._lanes: dict[str, asyncio.Lock] = {}
        self._workers = asyncio.Semaphore(workers)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._http: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._http is not None:
            await self._http.close()
            self._http = None

    # --- receiving ---------------------------------------------------------------------------------------
    async def receive(self, incoming: Incoming) -> None:
        """Queue one event in its chat's lane and return (the poll or the webhook goes on)."""
        task = asyncio.ensure_future(self._in_lane(incoming))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _in_lane(self, incoming: Incoming) -> None:
        lane = self._lanes.setdefault(incoming.chat_id, asyncio.Lock())
        try:
            async with lane, self._workers:
                await self.handle(incoming)
        except Exception:  # noqa: BLE001 - one message never stops the channel
            log.exception("error while handling a Zalo message")
            try:
                await self.deliver(0, incoming.chat_id, t("error"))
            except Exception:  # noqa: BLE001 - nothing more to do
                log.warning("the error notice could not be sent to a Zalo chat")
        finally:
            if not lane.locked() and self._lanes.get(incoming.chat_id) is lane:
                del self._lanes[incoming.chat_id]

    async def handle(self, incoming: Incoming) -> None:
        """One event, answered (for tests: awaits the whole turn)."""
        if incoming.unsupported:
            return
        key, sender, waiting, menu = self._who(incoming)
        meaning: Command | Choice | Text | File
        if incoming.event == "message.image.received":
            if not incoming.photo_url:
                return
            photo = await self._photo(key, sender, incoming)
            if photo is None:
                return
            meaning = photo
        else:
            read = read_reply(incoming.text, menu, waiting)
            if isinstance(read, Stale | Confirm):
                await self._not_a_choice(key, sender, incoming, menu, read)
                return
            meaning = read
        uid = update_id(incoming)
        actor = router.begin(self.services, uid, sender, key, isinstance(meaning, Command))
        if actor is None:  # a webhook retry or a repeated poll
            return
        turn = ZaloTurn(self, self.services, actor, not incoming.group, Event(self.services.clock.now(), uid),
                        sender, key, incoming.name or str(sender), isinstance(meaning, Choice), incoming.chat_id)
        try:
            await router.handle(turn, meaning)
        finally:
            if isinstance(meaning, File):
                self._photos.pop(meaning.ref, None)

    def _who(self, incoming: Incoming) -> tuple[int, int, str | None, Menu]:
        """The chat's key, the sender's key, what the chat waits for and its last numbered menu, in one
        transaction (the sender's key is created on first contact; in a group the group has its own key, marked
        as a group: no personal link goes there)."""
        now = self.services.clock.now()
        with Session(self.services.engine) as session, session.begin():
            sender = addresses.zalo_key(session, incoming.user_id if incoming.group else incoming.chat_id,
                                        incoming.name, now)
            key = sender
            if incoming.group:
                key = addresses.zalo_key(session, incoming.chat_id, "", now)
            row = addresses.address_of(session, key)
            if incoming.group and row is not None and (row.menu or {}).get(KIND) != "group":
                row.menu = {**(row.menu or {}), KIND: "group"}
            menu = parse(row.menu if row is not None else None)
            state = session.get(ChatStateRow, key)
            waiting = state.kind if state is not None else None
        return key, sender, waiting, menu

    async def _not_a_choice(self, key: int, sender: int, incoming: Incoming, menu: Menu,
                            meaning: Stale | Confirm) -> None:
        """A number of an older menu (say so, show the current one again), or an irreversible choice from an
        older menu (ask to confirm it)."""
        with language(self._lang(sender)):
            if isinstance(meaning, Stale):
                note = _("This menu is out of date: {number} is not one of its replies. The current menu:").format(
                    number=meaning.number)
                await self.deliver(key, incoming.chat_id, f"{note}\n\n{menu.text}", _menu_actions(menu))
                return
            ask = _("Other messages came after the menu this number belongs to. Confirm: {action}?").format(
                action=meaning.label)
            await self.deliver(key, incoming.chat_id, f"{ask}\n\n{menu.text}",
                               ((Action("✅ " + _("Confirm"), meaning.data),
                                 Action("✖️ " + _("Cancel"), wire.cancel())),))

    def _lang(self, key: int) -> str:
        with Session(self.services.engine) as session:
            lang = session.scalar(select(MemberRow.lang).where(MemberRow.user_id == addresses.identity(session, key))
                                  .limit(1))
        return lang or "vi"

    async def _photo(self, key: int, sender: int, incoming: Incoming) -> File | None:
        """Download now (Zalo's links expire), counting the bytes; a refusal is told at once."""
        if self._http is None:
            self._http = aiohttp.ClientSession()
        try:
            got = await download(self._http, incoming.photo_url, self.photo_limit, self.file_hosts)
        except DownloadError as exc:
            if exc.reason == "bad_url":
                log.warning("zalo photo from a host that is not Zalo's refused (chat %s)", key)
            with language(self._lang(sender)):
                text = {"too_big": t("file_too_big"),
                        "empty": _("The photo is empty (0 bytes): please send it again.")}.get(
                    exc.reason, _("The photo could not be downloaded from Zalo: please send it again."))
            await self.deliver(key, incoming.chat_id, text)
            return None
        ref = PHOTO_PREFIX + got.sha256[:40]
        self._photos[ref] = got.content
        return File(ref, "", len(got.content), "photo", got.sha256[:24], incoming.caption or None)

    def photo(self, ref: str) -> bytes | None:
        return self._photos.get(ref)

    # --- sending -----------------------------------------------------------------------------------------
    async def deliver(self, key: int, chat: str, text: str, actions: Actions = (), link: str = "") -> int:
        """Send now; when Zalo certainly did not take it (429, 5xx, no connection), the outbox sends it later
        with the same retry policy as reminders: an answer is never lost after its action was recorded."""
        try:
            return await self.sender.send_text(chat, text, actions, link)
        except ZaloError as exc:
            failure = classify(exc)
            if failure.failure not in RETRIED or not key:
                raise
            log.warning("zalo reply to chat %s queued for retry: %s", key, failure.reason)
            buttons = [[(a.label, a.data) for a in row] for row in actions]
            with Session(self.services.engine) as session, session.begin():
                queue_notice(session, self.services.clock.now(), f"reply:{key}", f"chat:{key}", text,
                             buttons or None)
            return 0
