"""The way out of a prompt (its ✖️ choice, cancelling the wait) and the personal link."""

from __future__ import annotations

from bot.conversation.routes import ID, ChoiceRoute, Topic, bare
from bot.conversation.turn import Turn
from bot.db.audit import audit
from bot.i18n import _, language
from bot.i18n.refusals import t
from bot.services import tasks
from bot.services.access import Refused, require_known
from bot.views import actions as wire
from bot.views.model import Action, View


def cancel_row() -> tuple[Action, ...]:
    """The "✖️ Cancel" choice under a prompt that waits for text (typed as a word on a text channel)."""
    return (Action("✖️ " + _("Cancel"), wire.cancel_wait()),)


async def cancel(turn: Turn) -> None:
    """✖️ Cancel, ◀ No, /huy: nothing changes, and the chat stops waiting for text."""
    require_known(turn.actor)
    with turn.services.tx() as session:
        tasks.clear_state(session, turn.actor.chat_id)
    await turn.show(View((t("cancelled", turn.actor.lang),)))


async def page_link(turn: Turn) -> None:
    """/trang: a fresh signed link to the member's own page, in a private chat only (it acts as them)."""
    actor = turn.actor
    require_known(actor)
    if not turn.private:  # every member of a group could open it
        raise Refused("page_private_only")
    links = turn.services.links
    with language(actor.lang):
        if links is None:
            await turn.reply(View((_("The personal page is not turned on for this bot (ask the office)."),)))
            return
        url = links.for_member(actor.member_ids[0])
        with turn.services.tx() as session:
            audit(session, turn.event.now, f"member:{actor.member_id}", "page_link_issued",
                  str(actor.member_ids[0]), {"days": links.days}, turn.event.update_id)
        await turn.reply(View((_("Your personal page (checklist, supporting documents with their number, date "
                                 "and summary, figures). Do not share it: it acts as you. Valid {days} days:\n{url}")
                               .format(days=links.days, url=url),)))


async def _cancel(turn: Turn, args: str) -> None:
    await cancel(turn)


TOPIC = Topic(commands={"huy": bare(cancel), "cancel": bare(cancel), "trang": bare(page_link),
                        "page": bare(page_link)},
              choices={"no": ChoiceRoute(ID, _cancel), "x": ChoiceRoute(ID, _cancel)})
