"""What the Telegram adapter itself needs: the command menus, and `guarded` with its helpers for the handlers
not yet on the conversation core (a Refused becomes a message in the reader's language, never a traceback)."""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from telegram import Bot, BotCommand, Update

from bot.conversation import commands
from bot.conversation.commands import COMMANDS as COMMANDS  # re-exported: the table moved to the core
from bot.conversation.commands import commands_for
from bot.db.audit import audit
from bot.db.models import MemberRow
from bot.i18n import language
from bot.services.access import Refused
from bot.telegram import safety
from bot.telegram.context import BotContext
from bot.telegram.draw import reply
from bot.telegram.turn import TelegramTurn, actor_of, set_chat_commands
from bot.telegram.turn import event as event  # re-exported for the handlers not yet moved

log = logging.getLogger(__name__)
Handler = Callable[..., Awaitable[None]]


def bot_commands() -> list[BotCommand]:
    """The default command menu (a head's; Vietnamese)."""
    with language("vi"):
        return [BotCommand(name, text[:256]) for name, text in commands_for({"head"})]


async def set_role_commands(bot: Bot, engine: Engine) -> None:
    """At start: the menus of the office and leadership chats (heads use the default menu)."""
    with Session(engine) as session:
        rows = session.scalars(select(MemberRow).where(MemberRow.active, MemberRow.role.in_(("admin", "leader")))
                               .order_by(MemberRow.id)).all()
        chats: dict[int, tuple[set[str], str]] = {}
        for row in rows:
            chats.setdefault(row.chat_id, (set(), row.lang))[0].add(row.role)
            heads = session.scalars(select(MemberRow.role).where(MemberRow.active, MemberRow.chat_id == row.chat_id))
            chats[row.chat_id][0].update(heads)
    for chat_id, (roles, lang) in chats.items():
        await set_chat_commands(bot, chat_id, frozenset(roles), lang)


STRANGER_QUIET_SECONDS = 600.0
STRANGER_ANSWERS = 5  # refusals a non-member gets per STRANGER_QUIET_SECONDS; a flood beyond them is not answered


def _may_answer_stranger(context: BotContext, user_id: int) -> bool:
    """Whether a user who is no member may be told again (per application: a few answers, then quiet)."""
    seen: dict[int, tuple[float, int]] = context.application.bot_data.setdefault("refused_strangers", {})
    now = time.monotonic()
    if len(seen) > 10_000:  # bounded: forget the old ones
        for key in [k for k, (start, _n) in seen.items() if now - start > STRANGER_QUIET_SECONDS]:
            del seen[key]
    start, count = seen.get(user_id, (now, 0))
    if now - start > STRANGER_QUIET_SECONDS:
        start, count = now, 0
    seen[user_id] = (start, count + 1)
    return count < STRANGER_ANSWERS


def guarded(fn: Handler) -> Handler:
    """Turn a Refused into its message (as an alert for buttons)."""

    @functools.wraps(fn)
    async def wrapper(update: Update, context: BotContext, *args: Any) -> None:
        try:
            await fn(update, context, *args)
        except Refused as exc:
            lang = "vi"
            if update.effective_user is not None:
                actor = actor_of(update, context)
                lang = actor.lang
                if not actor.known and update.callback_query is None \
                        and not _may_answer_stranger(context, update.effective_user.id):
                    return  # a stranger's flood is not answered message by message
            text = safety.refusal_text(exc, lang)
            with context.services.tx() as session:
                audit(session, context.services.clock.now(),
                      f"user:{update.effective_user.id if update.effective_user else '?'}", "refused", exc.key,
                      {"params": {k: str(v)[:100] for k, v in exc.params.items()}}, update.update_id)
            if update.callback_query is not None:
                await update.callback_query.answer(text[:200], show_alert=True)
                return
            await reply(update, text)

    return wrapper


@guarded
async def unknown(update: Update, context: BotContext) -> None:
    """Anything the bot cannot act on: a short help, never silence."""
    await commands.unknown(TelegramTurn.of(update, context))
