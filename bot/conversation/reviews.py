"""The review topic on any channel: the office accepts a completion, or returns it with a reason."""

from __future__ import annotations

from bot.conversation.routes import Topic, by_id, text_only
from bot.conversation.turn import Turn
from bot.conversation.waits import cancel_row
from bot.db.models import OccurrenceRow, ReviewRow
from bot.i18n import _, language
from bot.services import queue, review
from bot.services.access import Refused
from bot.views.model import Action, View
from bot.views.review import confirm_return
from bot.views.taskcard import subject_text


def _subject(turn: Turn, review_id: int) -> queue.Subject:
    with turn.services.tx() as session:
        row = session.get(ReviewRow, review_id)
        occ = session.get(OccurrenceRow, row.occurrence_id) if row else None
        if occ is None:
            raise Refused("bad_request")
        return queue.subject_of(session, occ)


def _queue() -> tuple[Action, ...]:
    return (Action("📝 " + _("Review queue"), "rq:0"),)


async def accept(turn: Turn, review_id: int) -> None:
    with turn.services.tx() as session:
        review.accept(session, turn.actor, review_id, turn.event)
    with language(turn.actor.lang):
        await turn.reply(View(("✔️ " + _("Accepted: {subject}; the unit has been told.").format(
            subject=subject_text(_subject(turn, review_id))),), (_queue(),)))


async def ask_return(turn: Turn, review_id: int) -> None:
    """↩️ asks to confirm (on Telegram it edits the card or the notice in place)."""
    with turn.services.tx() as session:
        card = review.review_card(session, turn.actor, review_id)
    if card.decision is not None:
        raise Refused("already_reviewed")
    with language(turn.actor.lang):
        await turn.show(confirm_return(card))


async def ask_reason(turn: Turn, review_id: int) -> None:
    """Return confirmed: the next text of this chat is the reason."""
    with turn.services.tx() as session:
        review.start_return(session, turn.actor, review_id, turn.event)
    with language(turn.actor.lang):
        await turn.reply(View(("↩️ " + _("Type the reason for returning {subject}:").format(
            subject=subject_text(_subject(turn, review_id))),), (cancel_row(),)))


async def give_back(turn: Turn, review_id: int, reason: str) -> None:
    """The text after a confirmed ↩️: the reason; the unit hears it."""
    with turn.services.tx() as session:
        occ = review.return_with_reason(session, turn.actor, review_id, reason, turn.event)
        subject = queue.subject_of(session, occ)
    with language(turn.actor.lang):
        await turn.reply(View(("↩️ " + _("Returned {subject}; the unit has been told, with your reason.").format(
            subject=subject_text(subject)),), (_queue(),)))


TOPIC = Topic(choices={"rvok": by_id(accept), "rvret": by_id(ask_return), "rvrc": by_id(ask_reason)},
              waits={"return": text_only(give_back)})
