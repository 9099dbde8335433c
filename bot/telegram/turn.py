"""A Turn on Telegram: built from an Update and its context, answers drawn with buttons, a press edits."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Update
from telegram.constants import ChatType

from bot.conversation.services import Services
from bot.services.access import Actor, load_actor
from bot.services.tasks import Event
from bot.telegram import draw
from bot.telegram.context import BotContext
from bot.views.model import View


def event(update: Update, context: BotContext) -> Event:
    return Event(context.services.clock.now(), update.update_id)


def actor_of(update: Update, context: BotContext) -> Actor:
    """Who is acting: loaded by `dedupe` in its transaction, or now if it was not."""
    if context.actor is not None:
        return context.actor
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    with context.services.tx() as session:
        context.actor = load_actor(session, user.id, chat.id, context.services.today())
    return context.actor


@dataclass
class TelegramTurn:
    update: Update
    services: Services
    actor: Actor
    private: bool
    event: Event

    @classmethod
    def of(cls, update: Update, context: BotContext) -> TelegramTurn:
        chat = update.effective_chat
        return cls(update, context.services, actor_of(update, context),
                   chat is not None and chat.type == ChatType.PRIVATE, event(update, context))

    async def reply(self, view: View) -> None:
        await draw.answer(self.update)
        await draw.show(self.update, view, new=True)

    async def show(self, view: View) -> None:
        await draw.answer(self.update)
        await draw.show(self.update, view)
