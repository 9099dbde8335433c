"""`/xacnhan` (alias `/confirm`): the office lists assumed deadlines and confirms them, several at once.

`/xacnhan` lists the drafts; `/xacnhan 1.1 bc-quy3 [TCCB] [dd/mm/yyyy]` confirms what it names (on the
office's own date when one is given); `/xacnhan tailieu 1.1 1.2` makes those evidence lists required.
"""

from __future__ import annotations

from telegram import Update

from bot.domain.text import nfc
from bot.i18n import language
from bot.services.access import Refused, require_admin
from bot.services.assumptions import confirm_evidence, confirm_matching, drafts
from bot.telegram.context import BotContext
from bot.telegram.handlers import actor_of, event, guarded, reply
from bot.trust.selection import read_selection
from bot.trust.words import (
    confirmation_text,
    drafts_text,
    evidence_confirmed_text,
    nothing_selected_text,
    unknown_words_text,
)

EVIDENCE_WORDS = ("tailieu", "evidence")


@guarded
async def xacnhan(update: Update, context: BotContext) -> None:
    """Admins only: list, confirm, or make evidence lists required."""
    actor = actor_of(update, context)
    require_admin(actor)
    words = [nfc(a) for a in context.args or []]
    with language(actor.lang), context.services.tx() as session:
        try:
            if not words:
                text = drafts_text(drafts(session))
            elif words[0].lower() in EVIDENCE_WORDS:
                text = evidence_confirmed_text(confirm_evidence(session, actor, words[1:], event(update, context)))
            else:
                chosen = read_selection(session, words)
                if chosen.unknown:
                    text = unknown_words_text(chosen.unknown)
                else:
                    text = confirmation_text(confirm_matching(
                        session, actor, event(update, context), context.services.calendar, task=chosen.task,
                        deadline=chosen.deadline, unit=chosen.unit, due=chosen.due))
        except Refused as exc:
            if exc.key != "no_such_task":
                raise
            text = nothing_selected_text()
    await reply(update, text)


COMMANDS = [(("xacnhan", "confirm"), xacnhan)]
