"""Commands: parse → call a service → reply. Refusals become a message in the reader's language, never a traceback."""

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
from bot.db.models import MemberRow, UnitRow
from bot.engine.channel import Button
from bot.i18n import _, language
from bot.i18n.refusals import t
from bot.services import invites
from bot.services.access import Refused, load_actor, require_admin
from bot.services.linking import CHANNEL_NAMES, Linked
from bot.telegram import safety
from bot.telegram.channel import to_markup
from bot.telegram.context import BotContext
from bot.telegram.draw import reply
from bot.telegram.turn import TelegramTurn, actor_of, event, set_chat_commands
from bot.texts import fmt_local, head_title, unit_short
from bot.views.status import ROLE, members_text

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


def load_roles(context: BotContext, user_id: int, chat_id: int) -> frozenset[str]:
    with context.services.tx() as session:
        return load_actor(session, user_id, chat_id).roles


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
async def start(update: Update, context: BotContext) -> None:
    """/start [invite code | /lienket code]."""
    if context.args:
        await accept_code(update, context, "".join(context.args))  # `/start ABCDE FGHJK` typed with a space
        return
    await help_command(update, context)


async def accept_code(update: Update, context: BotContext, code: str) -> None:
    """Join with an invite, or link this chat with a `/lienket` code (typed after /start, or alone)."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    with context.services.tx() as session:
        joined = invites.accept_invite(session, code, user.id, chat.id, user.full_name, event(update, context))
    if isinstance(joined, Linked):
        await _linked(update, context, joined)
        return
    with language("vi"):
        what = (head_title(joined.unit_name or joined.unit or "")
                if joined.role == "head" else
                _("staff member of {name} ({unit})").format(name=joined.unit_name, unit=joined.unit)
                if joined.role == "staff" else _(ROLE[joined.role]))
    await set_chat_commands(context.bot, chat.id, load_roles(context, user.id, chat.id), "vi")
    await reply(update, t("welcome", "vi", name=user.full_name, what=what))


async def _linked(update: Update, context: BotContext, linked: Linked) -> None:
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    with context.services.tx() as session:
        actor = load_actor(session, user.id, chat.id)
    context.actor = actor
    if linked.channel == "telegram":
        await set_chat_commands(context.bot, chat.id, actor.roles, actor.lang)
    with language(actor.lang):
        text = _("🔗 Done: this {channel} chat is now linked to {name}. Both channels act as you: commands and "
                 "buttons work in either. Reminders still go where they went before; the department office can "
                 "change that (/kenh).").format(channel=CHANNEL_NAMES[linked.channel], name=linked.name)
    await reply(update, text)


@guarded
async def help_command(update: Update, context: BotContext) -> None:
    """Exactly the commands of the reader's roles."""
    await commands.help_text(TelegramTurn.of(update, context))





@guarded
async def moi(update: Update, context: BotContext) -> None:
    """/moi <unit | lanhdao | quantri>: a one-time deep link valid 7 days."""
    actor = actor_of(update, context)
    if not context.args:
        require_admin(actor)
        raise Refused("moi_usage")
    with context.services.tx() as session:
        invite = invites.create_invite(session, actor, context.args[0], event(update, context))
        unit = session.get(UnitRow, invite.unit) if invite.unit else None
        unit_name = unit.name if unit is not None else invite.unit
    link = f"https://t.me/{context.bot.username}?start={invite.code}"
    with language(actor.lang):
        what = head_title(unit_name) if unit_name else _(ROLE[invite.role])
    text = t("invite_link", actor.lang, what=what, expires=fmt_local(invite.expires_at), link=link)
    if context.services.zalo:
        with language(actor.lang):
            text += "\n" + _("On Zalo: send the nhacviec bot this code: {code}").format(code=invite.code)
    await reply(update, text)


def _member_label(m: MemberRow, names: dict[str, str]) -> str:
    where = unit_short(names.get(m.unit) or m.unit, 22) if m.unit else _(ROLE.get(m.role, m.role))
    return f"{m.name or m.chat_id} ({where})"


@guarded
async def thanhvien(update: Update, context: BotContext) -> None:
    """/thanhvien [unit]: members per unit with a remove button each (at most 12: narrow by unit for more)."""
    actor = actor_of(update, context)
    unit = context.args[0].upper() if context.args else None
    with context.services.tx() as session:
        members, uncovered = invites.members_by_unit(session, actor)
        names = {code: name for code, name in session.execute(select(UnitRow.id, UnitRow.name))}
    if unit is not None:
        members = [m for m in members if (m.unit or "").upper() == unit]
    texts = members_text(members, uncovered if unit is None else [], names)
    removable = [m for m in members if m.id not in actor.member_ids]
    with language(actor.lang):
        buttons = tuple((Button("🗑 " + _("Remove {name}").format(name=_member_label(m, names)), f"rm:{m.id}"),)
                        for m in removable[:12])
        if len(removable) > 12:
            texts[-1] += "\n\n" + _("Only the first 12 members have a remove button: type /thanhvien <unit>, "
                                     "e.g. /thanhvien TCCB, for one unit's members.")
    await reply(update, texts, to_markup(buttons))



@guarded
async def unknown(update: Update, context: BotContext) -> None:
    """Anything the bot cannot act on: a short help, never silence."""
    await commands.unknown(TelegramTurn.of(update, context))
