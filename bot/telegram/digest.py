"""`/tonghop` (alias `/digest`): the weekly digest, now, for whoever asks."""

from __future__ import annotations

from telegram import Update

from bot.engine.digests import build_digest
from bot.services.access import Refused
from bot.telegram.context import BotContext
from bot.telegram.handlers import actor_of, guarded, reply


@guarded
async def tonghop(update: Update, context: BotContext) -> None:
    """Office and leadership get the overview with its chart; a head gets the digest of each of their units."""
    actor = actor_of(update, context)
    if not actor.known:
        raise Refused("stranger")
    svc = context.services
    audiences = ["overview"] if actor.can_read_all else [f"unit:{u}" for u in sorted(actor.units)]
    message = update.effective_message
    assert message is not None
    for audience in audiences:
        for text, photo in build_digest(svc.engine, audience, svc.clock.now(), svc.zone):
            if photo is not None:
                await message.reply_photo(photo, caption=text[:1024])
            else:
                await reply(update, text)
