"""One turn of the conversation: who acts, where, what they sent, and how to answer, on any channel.

An adapter builds a Turn from its channel's event (Telegram: an Update; a text channel: a message and its
menu) and hands it to a flow of bot/conversation. A flow calls services and answers with views; the adapter
draws them (buttons and edits on Telegram, numbered replies on Zalo).
"""

from __future__ import annotations

from typing import Protocol

from bot.conversation.services import Services
from bot.services.access import Actor
from bot.services.tasks import Event
from bot.views.model import View


class Turn(Protocol):
    services: Services
    actor: Actor
    private: bool  # a one-to-one chat (a personal link may be given only there)
    event: Event  # now and the channel's update id, for the audit log

    async def reply(self, view: View) -> None:
        """A new message."""

    async def show(self, view: View) -> None:
        """The answer to a choice: edits the chosen message where the channel can, else a new message."""
