"""A Turn on Zalo: answers are plain text with numbered replies (bot.zalo.channel.draw); nothing is edited."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.conversation.incoming import File
from bot.conversation.services import Services
from bot.i18n import _, language
from bot.services.access import Actor, Refused
from bot.services.tasks import Event
from bot.views import actions as wire
from bot.views.model import View

if TYPE_CHECKING:
    from bot.zalo.adapter import ZaloAdapter


@dataclass
class ZaloTurn:
    adapter: ZaloAdapter
    services: Services
    actor: Actor
    private: bool
    event: Event
    user_id: int  # the sender's key (bot.db.addresses): identity is the sender's, also in a group
    chat_id: int  # the chat's key (a group's own key in a group)
    name: str
    pressed: bool
    address: str  # the Zalo chat id the answers go to
    channel: str = "zalo"
    takes_documents: bool = False  # photos only: documents go through the personal page
    file_limit: int = 0  # a Zalo bot sends text and photos by URL only

    async def _send(self, view: View) -> None:
        actions = view.actions
        # Asked for evidence: Zalo carries only photos, so documents go through the personal page (a personal
        # link acts as its person: never into a group).
        wants_files = any(wire.prefix(a.data) == "evend" for row in actions for a in row)
        links = self.services.links
        link = links.for_chat(self.chat_id) if wants_files and links is not None and self.private else ""
        with language(self.actor.lang):
            await self.adapter.deliver(self.chat_id, self.address, "\n\n".join(view.blocks), actions, link)

    async def reply(self, view: View) -> None:
        await self._send(view)

    async def show(self, view: View) -> None:
        await self._send(view)  # Zalo cannot edit a message: the answer is a new one

    async def refuse(self, text: str) -> None:
        await self.adapter.deliver(self.chat_id, self.address, text)

    async def send_file(self, data: bytes | Path, name: str, caption: str, photo: bool = False) -> None:
        with language(self.actor.lang):
            note = _("(Zalo cannot carry this file: open it on Telegram or by e-mail, or ask the office.)")
        await self.adapter.deliver(self.chat_id, self.address, f"{caption}\n{note}".strip())

    async def fetch(self, file: File, limit: int) -> bytes:
        data = self.adapter.photo(file.ref)
        if data is None:
            raise Refused("file_missing", name=file.name or file.ref)
        if len(data) > limit:
            raise Refused("file_too_big")
        if not data:
            raise Refused("empty_file")
        return data

    async def set_commands(self, roles: frozenset[str], lang: str) -> None:
        return None  # Zalo has no command menu: the help lists the commands
