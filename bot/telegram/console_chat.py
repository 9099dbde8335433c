"""`/bangdieukhien`: a one-time sign-in link to the office console, on the member's own channel."""

from __future__ import annotations

from telegram import Update

from bot.console.chatwords import sign_in_message
from bot.i18n import language
from bot.services.tasks import Event
from bot.telegram.context import BotContext
from bot.telegram.handlers import actor_of, guarded, reply


@guarded
async def bangdieukhien(update: Update, context: BotContext) -> None:
    actor = actor_of(update, context)
    links = context.services.links
    with language(actor.lang), context.services.tx() as session:
        text = sign_in_message(session, actor, links.base_url if links is not None else None,
                               Event(context.services.clock.now(), update.update_id))
    await reply(update, text)
