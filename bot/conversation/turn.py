"""One turn of the conversation: who acts, where, what they sent, and how to answer, on any channel.

An adapter builds a Turn from its channel's event (Telegram: an Update; a text channel: a message and its
menu) and hands it, with what was sent (bot.conversation.incoming), to `bot.conversation.router.handle`.
A flow calls services and answers with views; the adapter draws them (buttons and edits on Telegram,
numbered replies on Zalo), sends files the way its channel can, and fetches the files people send.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from bot.conversation.incoming import File
from bot.conversation.services import Services
from bot.services.access import Actor
from bot.services.tasks import Event
from bot.views.model import View


class Turn(Protocol):
    services: Services
    actor: Actor
    private: bool  # a one-to-one chat (a personal link may be given only there)
    event: Event  # now and the channel's update id, for the audit log
    channel: str  # "telegram" | "zalo": the channel the person wrote on (bot.services.linking.CHANNEL_NAMES)
    user_id: int  # the sender (identity is the sender's, also in a group)
    chat_id: int  # the chat the answer goes to
    name: str  # the sender's display name on the channel (for a new member)
    pressed: bool  # the turn is a choice (a button or a numbered reply), not a message
    file_limit: int  # the largest file the channel carries to the person, in bytes (0: it carries none)
    takes_documents: bool  # the person can send documents (PDF, Word) here, not only photos

    async def reply(self, view: View) -> None:
        """A new message."""

    async def show(self, view: View) -> None:
        """The answer to a choice: edits the chosen message where the channel can, else a new message."""

    async def refuse(self, text: str) -> None:
        """A refusal: an alert over the pressed button where the channel has one, else a message."""

    async def send_file(self, data: bytes | Path, name: str, caption: str, photo: bool = False) -> None:
        """A file (an export, a calendar, a stored document); a channel that cannot carry it says so."""

    async def fetch(self, file: File, limit: int) -> bytes:
        """The bytes of a file the person sent, counted (Refused file_too_big over `limit`, empty_file at 0)."""

    async def set_commands(self, roles: frozenset[str], lang: str) -> None:
        """The channel's command menu for this chat (a no-op where there is none)."""
