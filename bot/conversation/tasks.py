"""The task topic on any channel: ✅ done, 📎 evidence (the prompt and its end), ⏰ snooze.

The evidence itself (files, photos, texts) arrives through the adapter, which fetches files its own way.
"""

from __future__ import annotations

from bot.conversation.routes import ID, ChoiceRoute, Topic, by_id
from bot.conversation.subjects import occurrence_subject
from bot.conversation.turn import Turn
from bot.i18n import _, language
from bot.services import par, queue
from bot.services import tasks as work
from bot.services.access import own_occurrence
from bot.texts import fmt_local
from bot.views import actions as wire
from bot.views.model import Action, View
from bot.views.taskcard import subject_text


async def done(turn: Turn, occurrence_id: int) -> None:
    """✅: submitted to the office for review (documents' details first, where the office requires them)."""
    with turn.services.tx() as session:
        work.confirm_done(session, turn.actor, occurrence_id, turn.event)
        par.require_described(session, occurrence_id)
    with language(turn.actor.lang):
        text = "✅ " + _("Sent to the department office for review: {subject}").format(
            subject=subject_text(occurrence_subject(turn.services, occurrence_id)))
        await turn.reply(View((text,), ((Action("📋 " + _("Checklist"), "cl:o:0"),),)))


async def ask_evidence(turn: Turn, occurrence_id: int) -> None:
    """📎: the following messages of this chat are evidence, until ✔️ Finished."""
    with turn.services.tx() as session:
        work.start_evidence(session, turn.actor, occurrence_id, turn.event)
    with language(turn.actor.lang):
        if not turn.takes_documents:  # e.g. Zalo brings only photos to the bot (TRIAL-NOTES #23)
            text = "📎 " + _("Send the supporting documents for {subject}: photos, text or links, one or several "
                            "(a document such as a PDF or Word file: through your personal page, /trang). Then "
                            "press ✔️ Finished.").format(
                subject=subject_text(occurrence_subject(turn.services, occurrence_id)))
        else:
            text = "📎 " + _("Send the supporting documents for {subject}: files, photos, text or links, one or "
                            "several. Then press ✔️ Finished.").format(
                subject=subject_text(occurrence_subject(turn.services, occurrence_id)))
        await turn.reply(View((text,), ((Action("✔️ " + _("Finished"), wire.evidence_end(occurrence_id)),),)))


async def end_evidence(turn: Turn, occurrence_id: int) -> None:
    """✔️ Finished: the wait ends; how many documents the task has, and ✅ next."""
    with turn.services.tx() as session:
        own_occurrence(session, turn.actor, occurrence_id)
        work.clear_state(session, turn.actor.chat_id)
        count = work.evidence_count(session, occurrence_id)
    with language(turn.actor.lang):
        text = _("{count} supporting documents received for {subject}. Press ✅ Done when the task is done.").format(
            count=count, subject=subject_text(occurrence_subject(turn.services, occurrence_id)))
        await turn.reply(View((text,), ((Action("✅ " + _("Mark as done"), wire.done(occurrence_id)),
                                         Action("📌 " + _("Task card"), f"tc:{occurrence_id}")),)))


async def ask_snooze(turn: Turn, occurrence_id: int) -> None:
    """⏰: in how many working days to remind again."""
    with turn.services.tx() as session:  # one statement: the check and what the answer names
        subject = queue.own_subject(session, turn.actor, occurrence_id)
    with language(turn.actor.lang):
        text = "⏰ " + _("Remind again about {subject} in:").format(subject=subject_text(subject))
        await turn.reply(View((text,), ((Action(_("1 working day"), f"snz1:{occurrence_id}"),
                                         Action(_("3 working days"), f"snz3:{occurrence_id}")),)))


async def snooze(turn: Turn, occurrence_id: int, days: int) -> None:
    svc = turn.services
    with svc.tx() as session:
        until = work.snooze(session, turn.actor, occurrence_id, days, turn.event, svc.calendar, svc.zone,
                            svc.send_time)
    with language(turn.actor.lang):
        await turn.reply(View(("⏰ " + _("Will remind again about {subject} at {until}.").format(
            subject=subject_text(occurrence_subject(svc, occurrence_id)), until=fmt_local(until, svc.zone)),)))


async def _snooze1(turn: Turn, args: str) -> None:
    await snooze(turn, int(args), 1)


async def _snooze3(turn: Turn, args: str) -> None:
    await snooze(turn, int(args), 3)


TOPIC = Topic(choices={"done": by_id(done), "ev": by_id(ask_evidence), "evend": by_id(end_evidence),
                       "snz": by_id(ask_snooze), "snz1": ChoiceRoute(ID, _snooze1), "snz3": ChoiceRoute(ID, _snooze3)})
