"""Screens on Telegram: the handlers of bot/conversation/screens.py (one line each) and the evidence file.

`keyboard`, `show` and `answer` (bot/telegram/draw.py) are re-exported here for the other handlers.
"""

from __future__ import annotations

from pathlib import Path

from telegram import Update

from bot.conversation import screens as flows
from bot.i18n import _, language
from bot.services import queue, review
from bot.services.access import Refused
from bot.telegram.context import BotContext
from bot.telegram.draw import answer, keyboard, show
from bot.telegram.handlers import actor_of, guarded, reply
from bot.telegram.turn import TelegramTurn
from bot.views import taskcard
from bot.views.model import Action

__all__ = ["Action", "answer", "keyboard", "show"]


def _turn(update: Update, context: BotContext) -> TelegramTurn:
    return TelegramTurn.of(update, context)


async def open_list(update: Update, context: BotContext, kind: str, f: str, page: int, new: bool = False) -> None:
    await flows.open_list(_turn(update, context), kind, f, page, new)


@guarded
async def on_list(update: Update, context: BotContext, args: str) -> None:
    """`cl:<f>:<page>`, `wl:<f>:<page>`; with `:n`, in a new message (the press came from a card)."""
    kind, f, page, *new = args.split(":")
    await flows.open_list(_turn(update, context), kind, f, int(page), new=bool(new))


@guarded
async def on_card(update: Update, context: BotContext, args: str) -> None:
    await flows.card(_turn(update, context), args)


@guarded
async def viec(update: Update, context: BotContext) -> None:
    """/viec [o|q|r|a]: the checklist (the office and leadership: the watch list)."""
    f = context.args[0][:1].lower() if context.args and context.args[0][:1].lower() in queue.FILTERS else "o"
    await flows.checklist(_turn(update, context), f)


@guarded
async def theodoi(update: Update, context: BotContext) -> None:
    """/theodoi: the watch list (occurrences of the units one leads; every unit for the office and leadership)."""
    await flows.open_list(_turn(update, context), "wl", "q", 0)


@guarded
async def on_queue(update: Update, context: BotContext, args: str) -> None:
    await flows.review_queue(_turn(update, context), int(args))


@guarded
async def duyet(update: Update, context: BotContext) -> None:
    """/duyet: the review queue (admins)."""
    await flows.review_queue(_turn(update, context), 0)


@guarded
async def on_blockers(update: Update, context: BotContext, args: str) -> None:
    await flows.difficulties(_turn(update, context), int(args))


@guarded
async def vuongmac(update: Update, context: BotContext) -> None:
    """/vuongmac: open difficulties until resolved."""
    await flows.difficulties(_turn(update, context), 0)


@guarded
async def on_blocker(update: Update, context: BotContext, args: str) -> None:
    await flows.difficulty(_turn(update, context), int(args))


@guarded
async def on_review(update: Update, context: BotContext, args: str) -> None:
    await flows.review_card(_turn(update, context), int(args))


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


@guarded
async def nhiemvu(update: Update, context: BotContext) -> None:
    """/nhiemvu CODE: the task's status per unit, the reader's own occurrences as buttons."""
    if not context.args:
        raise Refused("nhiemvu_usage")
    await flows.task_summary(_turn(update, context), context.args[0], 0)


@guarded
async def on_task_summary(update: Update, context: BotContext, args: str) -> None:
    """`nv:<code>:<page>`."""
    code, _sep, page = args.rpartition(":")
    await flows.task_summary(_turn(update, context), code, int(page))
