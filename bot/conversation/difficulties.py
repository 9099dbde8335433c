"""The difficulty (blocker) topic on any channel: report, forward, direct, resolve, withdraw.

A head presses ⚠️ and types the difficulty (the prompt offers the way out); the office forwards it to
leadership or gives a direction; whoever may resolves it; its head withdraws it while nobody has answered.
Every answer names the task, unit, deadline and due date.
"""

from __future__ import annotations

from bot.conversation.routes import Topic, by_id, text_only
from bot.conversation.subjects import occurrence_subject
from bot.conversation.turn import Turn
from bot.conversation.waits import cancel_row
from bot.i18n import _, language
from bot.services import blockers, tasks
from bot.views import actions as wire
from bot.views.model import Action, View
from bot.views.taskcard import subject_text


def _open_list() -> tuple[Action, ...]:
    return (Action("⚠️ " + _("Open difficulties"), "bq:0"),)


async def ask(turn: Turn, occurrence_id: int) -> None:
    """⚠️: the next text of this chat is the difficulty."""
    with turn.services.tx() as session:
        tasks.start_blocker(session, turn.actor, occurrence_id, turn.event)
    with language(turn.actor.lang):
        text = "⚠️ " + _("Describe the difficulty with {subject} (one message):").format(
            subject=subject_text(occurrence_subject(turn.services, occurrence_id)))
        await turn.reply(View((text,), (cancel_row(),)))


async def report(turn: Turn, occurrence_id: int, text: str) -> None:
    """The text after ⚠️: the difficulty, to the office; it can be withdrawn until answered."""
    with turn.services.tx() as session:
        row = tasks.report_blocker(session, turn.actor, occurrence_id, text, turn.event)
        occ_id, blocker_id = row.occurrence_id, row.id
    with language(turn.actor.lang):
        await turn.reply(View(("⚠️ " + _("Difficulty sent to the department office: {subject}").format(
            subject=subject_text(occurrence_subject(turn.services, occ_id))),),
            ((Action("↩️ " + _("Withdraw the difficulty"), wire.blocker_withdraw(blocker_id)),),)))


async def forward(turn: Turn, blocker_id: int) -> None:
    """➡️ (the office): the difficulty goes to the department's leadership."""
    with turn.services.tx() as session:
        row = tasks.forward_blocker(session, turn.actor, blocker_id, turn.event)
        occ_id = row.occurrence_id
    with language(turn.actor.lang):
        await turn.reply(View(("➡️ " + _("Difficulty forwarded to the department's leadership: {subject}").format(
            subject=subject_text(occurrence_subject(turn.services, occ_id))),)))


async def ask_direction(turn: Turn, blocker_id: int) -> None:
    """💬: the next text of this chat is the direction."""
    with turn.services.tx() as session:
        subject = blockers.start_reply(session, turn.actor, blocker_id, turn.event)
    with language(turn.actor.lang):
        await turn.reply(View(("💬 " + _("Type your direction on the difficulty with {subject} (one message):")
                               .format(subject=subject_text(subject)),), (cancel_row(),)))


async def direct(turn: Turn, blocker_id: int, text: str) -> None:
    """The text after 💬: the direction, to the unit and the office."""
    with turn.services.tx() as session:
        subject = blockers.reply(session, turn.actor, blocker_id, text, turn.event)
    with language(turn.actor.lang):
        await turn.reply(View(("💬 " + _("Direction sent on {subject}: the unit and the office will receive it.")
                               .format(subject=subject_text(subject)),), (_open_list(),)))


async def resolve(turn: Turn, blocker_id: int) -> None:
    """✔️: the difficulty leaves the list."""
    with turn.services.tx() as session:
        subject = blockers.resolve(session, turn.actor, blocker_id, turn.event)
    with language(turn.actor.lang):
        await turn.reply(View(("✔️ " + _("Difficulty marked resolved: {subject}").format(
            subject=subject_text(subject)),), (_open_list(),)))


async def withdraw(turn: Turn, blocker_id: int) -> None:
    """↩️ under a reported difficulty: its head takes it back while nobody has answered it."""
    with turn.services.tx() as session:
        subject = blockers.withdraw(session, turn.actor, blocker_id, turn.event)
    with language(turn.actor.lang):
        await turn.reply(View(("↩️ " + _("Difficulty withdrawn: {subject}; the office has been told.").format(
            subject=subject_text(subject)),)))


TOPIC = Topic(choices={"blk": by_id(ask), "fwd": by_id(forward), "bkr": by_id(ask_direction),
                       "bkd": by_id(resolve), "bkw": by_id(withdraw)},
              waits={"blocker": text_only(report), "blocker_reply": text_only(direct)})
