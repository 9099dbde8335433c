"""`/trang`: the reader's personal page address (documents, figures), on any channel."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType

from bot.db.audit import audit
from bot.i18n import _, language
from bot.services.access import Refused, require_known
from bot.telegram.context import BotContext
from bot.telegram.handlers import actor_of, guarded, reply


@guarded
async def trang(update: Update, context: BotContext) -> None:
    """A fresh signed link to the member's own page (expires; the office can revoke it)."""
    actor = actor_of(update, context)
    require_known(actor)
    chat = update.effective_chat
    if chat is None or chat.type != ChatType.PRIVATE:  # a group's members would all act as this person
        raise Refused("page_private_only")
    links = context.services.links
    with language(actor.lang):
        if links is None:
            await reply(update, _("The personal page is not turned on for this bot (ask the office)."))
            return
        url = links.for_member(actor.member_ids[0])
        with context.services.tx() as session:
            audit(session, context.services.clock.now(), f"member:{actor.member_id}", "page_link_issued",
                  str(actor.member_ids[0]), {"days": links.days}, update.update_id)
        await reply(update, _("Your personal page (checklist, supporting documents with their number, date "
                              "and summary, figures). Do not share it: it acts as you. Valid {days} days:\n{url}")
                    .format(days=links.days, url=url))
