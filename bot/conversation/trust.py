"""`/xacnhan` (alias `/confirm`) on any channel: the office lists assumed deadlines and confirms them.

`/xacnhan` lists the drafts; `/xacnhan 1.1 bc-quy3 [TCCB] [dd/mm/yyyy]` confirms what it names (on the
office's own date when one is given); `/xacnhan tailieu 1.1 1.2` makes those evidence lists required.
"""

from __future__ import annotations

from bot.conversation.routes import Topic
from bot.conversation.turn import Turn
from bot.domain.text import nfc
from bot.i18n import language
from bot.services.access import Refused, require_admin
from bot.services.assumptions import confirm_evidence, confirm_matching, drafts
from bot.trust.selection import read_selection
from bot.trust.words import (
    confirmation_text,
    drafts_text,
    evidence_confirmed_text,
    nothing_selected_text,
    unknown_words_text,
)
from bot.views.model import View

EVIDENCE_WORDS = ("tailieu", "evidence")


async def confirm(turn: Turn, args: tuple[str, ...]) -> None:
    """Admins only: list, confirm, or make evidence lists required."""
    actor = turn.actor
    require_admin(actor)
    words = [nfc(a) for a in args]
    with language(actor.lang), turn.services.tx() as session:
        try:
            if not words:
                text = drafts_text(drafts(session))
            elif words[0].lower() in EVIDENCE_WORDS:
                text = evidence_confirmed_text(confirm_evidence(session, actor, words[1:], turn.event))
            else:
                chosen = read_selection(session, words)
                if chosen.unknown:
                    text = unknown_words_text(chosen.unknown)
                else:
                    text = confirmation_text(confirm_matching(
                        session, actor, turn.event, turn.services.calendar, task=chosen.task,
                        deadline=chosen.deadline, unit=chosen.unit, due=chosen.due))
        except Refused as exc:
            if exc.key != "no_such_task":
                raise
            text = nothing_selected_text()
    await turn.reply(View((text,)))


TOPIC = Topic(commands={"xacnhan": confirm, "confirm": confirm})
