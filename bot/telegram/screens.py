"""Screens that edit one message in place: checklist, watch list, task card, review queue and card.

Each handler: parse → service → view → edit (or send, for a command).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot.db.models import UnitRow
from bot.i18n import _, language
from bot.services import blockers, queue, review
from bot.services.access import Refused
from bot.telegram.context import BotContext
from bot.telegram.handlers import actor_of, guarded, reply
from bot.views import checklist as checklist_view
from bot.views import review as review_view
from bot.views import taskcard
from bot.views.model import Action, View, telegram_parts

log = logging.getLogger(__name__)
LIST = re.compile(r"^(cl|wl):([oqra]):(\d{1,4})$")


def keyboard(rows: tuple[tuple[Action, ...], ...]) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(a.label, callback_data=a.data) for a in row]
                                 for row in rows])


async def show(update: Update, view: View, new: bool = False) -> None:
    """A press edits the message it came from (navigation); a command, or `new`, sends a message."""
    text, rows = telegram_parts(view)
    query = update.callback_query
    if query is not None and query.message is not None and not new:
        try:
            await query.edit_message_text(text, reply_markup=keyboard(rows))
            return
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                return
            log.info("cannot edit message (%s): sending a new one", exc)
    await reply(update, text, keyboard(rows))


async def answer(update: Update) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer()


async def open_list(update: Update, context: BotContext, kind: str, f: str, page: int, new: bool = False) -> None:
    actor = actor_of(update, context)
    today = context.services.today()

    def read(session: Session) -> tuple[queue.Page, list[str]]:  # on a worker thread (Services.run)
        facts = (queue.checklist if kind == "cl" else queue.watchlist)(session, actor, today, f, page)
        names = list(session.scalars(select(UnitRow.name).where(UnitRow.id.in_(actor.units)).order_by(UnitRow.id)))
        return facts, names

    facts, names = await context.services.run(read)
    scope = (", ".join(names) or _("Your units")) if kind == "cl" or not actor.can_read_all else _("All units")
    if kind == "wl" and not actor.can_read_all:
        scope = _("Units led by {units}").format(units=scope)
    with language(actor.lang):
        view = checklist_view.checklist(facts, today, scope)
    await answer(update)
    await show(update, view, new=new)


@guarded
async def on_list(update: Update, context: BotContext, args: str) -> None:
    """`cl:<f>:<page>`, `wl:<f>:<page>`; with `:n`, in a new message (the press came from a card)."""
    kind, f, page, *new = args.split(":")
    await open_list(update, context, kind, f, int(page), new=bool(new))


@guarded
async def on_card(update: Update, context: BotContext, args: str) -> None:
    """`tc:<occ>` or `tc:<occ>:<cl|wl>:<f>:<page>` (where "◀ Back" goes)."""
    occ, _sep, back = args.partition(":")
    if back and not LIST.match(back):
        raise Refused("bad_request")
    actor = actor_of(update, context)
    today = context.services.today()
    card = await context.services.run(lambda session: queue.card(session, actor, int(occ), today))
    if not back:
        back = "cl:o:0" if card.can_act else "wl:q:0"
    with language(actor.lang):
        view = taskcard.task_card(card, today, back)
    await answer(update)
    await show(update, view)


@guarded
async def viec(update: Update, context: BotContext) -> None:
    """/viec: the checklist of one's own units; for the office and leadership, the watch list."""
    actor = actor_of(update, context)
    f = context.args[0][:1].lower() if context.args and context.args[0][:1].lower() in queue.FILTERS else "o"
    await open_list(update, context, "cl" if actor.units else "wl", f if actor.units else "q", 0)


async def _review_queue(update: Update, context: BotContext, page: int) -> None:
    actor = actor_of(update, context)
    facts = await context.services.run(lambda session: review.review_queue(session, actor, page))
    with language(actor.lang):
        view = review_view.review_queue(facts)
    await answer(update)
    await show(update, view)


@guarded
async def theodoi(update: Update, context: BotContext) -> None:
    """/theodoi: the watch list (occurrences of the units one leads; every unit for the office and leadership)."""
    await open_list(update, context, "wl", "q", 0)


@guarded
async def on_queue(update: Update, context: BotContext, args: str) -> None:
    """`rq:<page>`."""
    await _review_queue(update, context, int(args))


@guarded
async def duyet(update: Update, context: BotContext) -> None:
    """/duyet: the review queue (admins)."""
    await _review_queue(update, context, 0)


async def _blockers(update: Update, context: BotContext, page: int) -> None:
    actor = actor_of(update, context)
    with context.services.tx() as session:
        facts = blockers.open_blockers(session, actor, page)
    with language(actor.lang):
        view = review_view.blocker_list(facts)
    await answer(update)
    await show(update, view)


@guarded
async def on_blockers(update: Update, context: BotContext, args: str) -> None:
    """`bq:<page>`."""
    await _blockers(update, context, int(args))


@guarded
async def vuongmac(update: Update, context: BotContext) -> None:
    """/vuongmac: open blockers until resolved."""
    await _blockers(update, context, 0)


@guarded
async def on_blocker(update: Update, context: BotContext, args: str) -> None:
    """`bk:<blocker>`: the blocker card."""
    actor = actor_of(update, context)
    with context.services.tx() as session:
        facts = blockers.card(session, actor, int(args))
    with language(actor.lang):
        view = review_view.blocker_card(facts)
    await answer(update)
    await show(update, view)


@guarded
async def on_review(update: Update, context: BotContext, args: str) -> None:
    """`rv:<review>`: the review card, also for an old notice (the queue is the source of truth)."""
    actor = actor_of(update, context)
    with context.services.tx() as session:
        facts = review.review_card(session, actor, int(args))
    with language(actor.lang):
        view = review_view.review_card(facts)
    await answer(update)
    await show(update, view)


@guarded
async def on_file(update: Update, context: BotContext, args: str) -> None:
    """`rvf:<evidence>`: the same bytes the head uploaded, from the archive (or the link/text itself)."""
    actor = actor_of(update, context)
    with context.services.tx() as session:
        row = review.evidence_file(session, actor, int(args))
    path = Path(row.stored_path) if row.stored_path else None
    has_file = path is not None and path.is_file()
    if not has_file and not (row.kind in ("link", "text") and row.text):
        raise Refused("file_missing", name=row.file_name or "?")  # before answering: the refusal is the answer
    await answer(update)
    message = update.effective_message
    assert message is not None
    with language(actor.lang):
        caption = taskcard.short(_("Supporting document #{id}: {name}").format(
            id=row.id, name=row.file_name or ""), 1000)
    if has_file and path is not None:
        data = path.read_bytes()
        if row.kind == "photo":
            await message.reply_photo(data, caption=caption)
        else:
            await message.reply_document(data, filename=row.file_name or path.name, caption=caption)
    else:
        await reply(update, "📎 " + (row.text or "")[:4000])


async def task_summary_screen(update: Update, context: BotContext, code: str, page: int) -> None:
    """The task summary; a press (`nv:<code>:<page>`) edits it in place."""
    actor = actor_of(update, context)
    with context.services.tx() as session:
        summary = queue.task_summary(session, actor, code, context.services.today())
    with language(actor.lang):
        view = taskcard.task_summary(summary, page)
    await answer(update)
    await show(update, view)


@guarded
async def nhiemvu(update: Update, context: BotContext) -> None:
    """/nhiemvu CODE: the task's status per unit, the reader's own occurrences as buttons."""
    if not context.args:
        raise Refused("nhiemvu_usage")
    await task_summary_screen(update, context, context.args[0], 0)


@guarded
async def on_task_summary(update: Update, context: BotContext, args: str) -> None:
    """`nv:<code>:<page>`."""
    code, _sep, page = args.rpartition(":")
    await task_summary_screen(update, context, code, int(page))
