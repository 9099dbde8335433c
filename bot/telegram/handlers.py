"""The Telegram command menus: the default (a head's) and those of the office's and leadership's chats."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from telegram import Bot, BotCommand

from bot.conversation.commands import commands_for
from bot.db.models import MemberRow
from bot.i18n import language
from bot.telegram.turn import set_chat_commands


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
