"""Commands: parse → call a service → reply. Refusals become a Vietnamese message, never a traceback."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from telegram import BotCommand, Update
from telegram.ext import ApplicationHandlerStop

from bot.db.audit import audit
from bot.db.models import MemberRow, ProcessedUpdateRow
from bot.engine.channel import Button
from bot.engine.messages import occurrence_buttons
from bot.services import invites, status
from bot.services.access import Actor, Refused, load_actor, require_admin
from bot.services.metrics import metric_status
from bot.services.tasks import Event
from bot.telegram import safety
from bot.telegram.channel import to_markup
from bot.telegram.context import BotContext
from bot.telegram.i18n import t
from bot.telegram.render import ROLE_VI, details_text, line_text, members_text, overdue_text, progress_text
from bot.texts import fmt_local

log = logging.getLogger(__name__)
Handler = Callable[[Update, BotContext], Awaitable[None]]

COMMANDS = [
    ("viec", "Việc đang mở của đơn vị"), ("tiendo", "Tiến độ theo lĩnh vực, đơn vị"),
    ("quahan", "Việc quá hạn"), ("nhiemvu", "Chi tiết nhiệm vụ: /nhiemvu <mã>"),
    ("moi", "Mời thành viên (quản trị)"), ("thanhvien", "Danh sách thành viên (quản trị)"),
    ("tonghop", "Bản tổng hợp tiến độ ngay bây giờ"), ("xuat", "Xuất tổng hợp và gói minh chứng (quản trị)"),
    ("lich", "Lịch hạn của đơn vị (.ics)"), ("sochieu", "Báo số liệu chỉ tiêu"), ("huongdan", "Hướng dẫn sử dụng"),
    ("lang", "Ngôn ngữ: /lang vi hoặc /lang en"),
]


def bot_commands() -> list[BotCommand]:
    return [BotCommand(name, text) for name, text in COMMANDS]


def event(update: Update, context: BotContext) -> Event:
    return Event(context.services.clock.now(), update.update_id)


def actor_of(update: Update, context: BotContext) -> Actor:
    """Who is acting: loaded by `dedupe` in its transaction, or now if it was not."""
    if context.actor is not None:
        return context.actor
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    with context.services.tx() as session:
        context.actor = load_actor(session, user.id, chat.id)
    return context.actor


async def reply(update: Update, texts: str | list[str], markup: Any = None) -> None:
    message = update.effective_message
    if message is None:
        return
    parts = [texts] if isinstance(texts, str) else texts
    for i, text in enumerate(parts):
        await message.reply_text(text, reply_markup=markup if i == len(parts) - 1 else None)


def guarded(fn: Handler) -> Handler:
    """Turn a Refused into its message (as an alert for buttons)."""

    @functools.wraps(fn)
    async def wrapper(update: Update, context: BotContext) -> None:
        try:
            await fn(update, context)
        except Refused as exc:
            lang = "vi"
            if update.effective_user is not None:
                lang = actor_of(update, context).lang
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


async def dedupe(update: Update, context: BotContext) -> None:
    """Telegram can deliver an update twice; handle it once. The same transaction loads who is acting."""
    user, chat = update.effective_user, update.effective_chat
    try:
        with context.services.tx() as session:
            session.execute(insert(ProcessedUpdateRow).values(update_id=update.update_id,
                                                              at=context.services.clock.now()))
            if user is not None and chat is not None:
                context.actor = load_actor(session, user.id, chat.id)
                safety.restore_reachability(session, user.id, chat.id, context.services.clock.now(), update.update_id)
    except IntegrityError:
        log.info("update %s seen before: ignored", update.update_id)
        raise ApplicationHandlerStop from None


@guarded
async def start(update: Update, context: BotContext) -> None:
    """/start [invite code]."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    if context.args:
        with context.services.tx() as session:
            joined = invites.accept_invite(session, context.args[0], user.id, chat.id, user.full_name,
                                           event(update, context))
        what = {"head": f"trưởng đơn vị {joined.unit_name} ({joined.unit})", "leader": "Lãnh đạo Sở",
                "admin": "quản trị (Văn phòng Sở)"}[joined.role]
        await reply(update, t("welcome", "vi", name=user.full_name, what=what))
        return
    await help_command(update, context)


@guarded
async def help_command(update: Update, context: BotContext) -> None:
    actor = actor_of(update, context)
    if not actor.known:
        raise Refused("stranger")
    text = t("help_leader", actor.lang) if actor.roles == {"leader"} else t("help_head", actor.lang)
    if actor.is_admin:
        text += t("help_admin", actor.lang)
    await reply(update, text)


@guarded
async def viec(update: Update, context: BotContext) -> None:
    """/viec: the unit's open tasks with their buttons."""
    actor = actor_of(update, context)
    today = context.services.today()
    with context.services.tx() as session:
        lines, total = status.open_tasks(session, actor, today)
    if not lines:
        await reply(update, t("no_open", actor.lang))
        return
    await reply(update, f"📋 Việc đang mở: {total} (hiển thị {len(lines)} việc gần hạn nhất)")
    for line in lines:
        await reply(update, line_text(line, today), to_markup(occurrence_buttons(line.occurrence_id)))


@guarded
async def tiendo(update: Update, context: BotContext) -> None:
    """/tiendo [unit]."""
    actor = actor_of(update, context)
    unit = context.args[0] if context.args else None
    today = context.services.today()
    with context.services.tx() as session:
        report = status.progress(session, actor, today, unit)
        goals = metric_status(session, {report.unit} if report.unit else None)
    await reply(update, progress_text(report, today, goals))


@guarded
async def quahan(update: Update, context: BotContext) -> None:
    actor = actor_of(update, context)
    today = context.services.today()
    with context.services.tx() as session:
        lines = status.overdue(session, actor, today)
    await reply(update, overdue_text(lines, today) if lines else t("no_overdue", actor.lang))


@guarded
async def nhiemvu(update: Update, context: BotContext) -> None:
    actor = actor_of(update, context)
    if not context.args:
        raise Refused("nhiemvu_usage")
    with context.services.tx() as session:
        details = status.task_details(session, actor, context.args[0])
        names = {m.id: m.name for m in session.query(MemberRow)}
    await reply(update, details_text(details, context.services.today(), names))


@guarded
async def moi(update: Update, context: BotContext) -> None:
    """/moi <unit | lanhdao | quantri>: a one-time deep link valid 7 days."""
    actor = actor_of(update, context)
    if not context.args:
        require_admin(actor)
        raise Refused("moi_usage")
    with context.services.tx() as session:
        invite = invites.create_invite(session, actor, context.args[0], event(update, context))
    link = f"https://t.me/{context.bot.username}?start={invite.code}"
    what = f"trưởng đơn vị {invite.unit}" if invite.unit else ROLE_VI[invite.role]
    await reply(update, t("invite_link", actor.lang, what=what, expires=fmt_local(invite.expires_at), link=link))


@guarded
async def thanhvien(update: Update, context: BotContext) -> None:
    """/thanhvien: members per unit with a remove button each."""
    actor = actor_of(update, context)
    with context.services.tx() as session:
        members, uncovered = invites.members_by_unit(session, actor)
    texts = members_text(members, uncovered)
    buttons = tuple((Button(f"🗑 Xóa #{m.id} {m.name[:20]}", f"rm:{m.id}"),) for m in members
                    if m.id not in actor.member_ids)[:50]
    await reply(update, texts, to_markup(buttons))


@guarded
async def lang(update: Update, context: BotContext) -> None:
    actor = actor_of(update, context)
    if not actor.known:
        raise Refused("stranger")
    choice = context.args[0].lower() if context.args else ""
    with context.services.tx() as session:
        invites.set_language(session, actor, choice, event(update, context))
    await reply(update, t("lang_set", choice))


@guarded
async def unknown(update: Update, context: BotContext) -> None:
    """Anything the bot cannot act on: a short help, never silence."""
    actor = actor_of(update, context)
    if not actor.known:
        raise Refused("stranger")
    await reply(update, t("unknown_input", actor.lang))
