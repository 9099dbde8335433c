"""Buttons that change something: every answer names its object (task code and title, unit, deadline, due).

Destructive or hard-to-undo actions (returning a completion, removing a member) ask to confirm first.
"""

from __future__ import annotations

import logging

from telegram import Update

from bot.conversation import difficulties, reviews, waits
from bot.conversation import tasks as flows
from bot.db.models import MemberRow, UnitRow
from bot.i18n import _, language
from bot.services import invites
from bot.services.access import Actor, Refused, require_admin
from bot.telegram import screens
from bot.telegram.context import BotContext
from bot.telegram.handlers import actor_of, event, guarded
from bot.telegram.turn import TelegramTurn
from bot.texts import unit_short
from bot.views.model import Action, View
from bot.views.status import ROLE

log = logging.getLogger(__name__)


async def _say(update: Update, lang: str, text: str, actions: tuple[tuple[Action, ...], ...] = ()) -> None:
    await screens.answer(update)
    with language(lang):
        await screens.show(update, View((text,), actions), new=True)


@guarded
async def on_done(update: Update, context: BotContext, args: str) -> None:
    await flows.done(TelegramTurn.of(update, context), int(args))


@guarded
async def on_evidence(update: Update, context: BotContext, args: str) -> None:
    await flows.ask_evidence(TelegramTurn.of(update, context), int(args))


@guarded
async def on_evidence_end(update: Update, context: BotContext, args: str) -> None:
    await flows.end_evidence(TelegramTurn.of(update, context), int(args))


@guarded
async def on_snooze_menu(update: Update, context: BotContext, args: str) -> None:
    await flows.ask_snooze(TelegramTurn.of(update, context), int(args))


async def on_snooze1(update: Update, context: BotContext, args: str) -> None:
    await on_snooze(update, context, args, 1)


async def on_snooze3(update: Update, context: BotContext, args: str) -> None:
    await on_snooze(update, context, args, 3)


@guarded
async def on_snooze(update: Update, context: BotContext, args: str, days: int) -> None:
    await flows.snooze(TelegramTurn.of(update, context), int(args), days)


@guarded
async def on_blocker(update: Update, context: BotContext, args: str) -> None:
    await difficulties.ask(TelegramTurn.of(update, context), int(args))


@guarded
async def on_accept(update: Update, context: BotContext, args: str) -> None:
    await reviews.accept(TelegramTurn.of(update, context), int(args))


@guarded
async def on_return_ask(update: Update, context: BotContext, args: str) -> None:
    await reviews.ask_return(TelegramTurn.of(update, context), int(args))


@guarded
async def on_return_confirmed(update: Update, context: BotContext, args: str) -> None:
    await reviews.ask_reason(TelegramTurn.of(update, context), int(args))


@guarded
async def on_forward(update: Update, context: BotContext, args: str) -> None:
    await difficulties.forward(TelegramTurn.of(update, context), int(args))


@guarded
async def on_blocker_reply(update: Update, context: BotContext, args: str) -> None:
    await difficulties.ask_direction(TelegramTurn.of(update, context), int(args))


@guarded
async def on_blocker_done(update: Update, context: BotContext, args: str) -> None:
    await difficulties.resolve(TelegramTurn.of(update, context), int(args))


def member_text(member: MemberRow, unit_name: str | None = None) -> str:
    """`Name (role — unit)`, the unit by its short name when known (WORDING M5: the office reads names)."""
    where = f" — {unit_short(unit_name or member.unit)}" if member.unit else ""
    return f"{member.name or member.chat_id} ({_(ROLE.get(member.role, member.role))}{where})"


@guarded
async def on_remove_ask(update: Update, context: BotContext, args: str) -> None:
    actor = actor_of(update, context)
    require_admin(actor)
    with context.services.tx() as session:
        member = session.get(MemberRow, int(args))
        if member is None or not member.active:
            raise Refused("no_such_member")
        unit = session.get(UnitRow, member.unit) if member.unit else None
    with language(actor.lang):
        text = "🗑 " + _("Remove {member}? They will no longer receive reminders and will be told.").format(
            member=member_text(member, unit.name if unit else None))
        await _say(update, actor.lang, text, ((Action("🗑 " + _("Yes, remove"), f"rmy:{args}"),
                                               Action("◀ " + _("No"), "no:0")),))


@guarded
async def on_remove(update: Update, context: BotContext, args: str) -> None:
    actor = actor_of(update, context)
    with context.services.tx() as session:
        member = invites.remove_member(session, actor, int(args), event(update, context))
        unit = session.get(UnitRow, member.unit) if member.unit else None
    with language(actor.lang):  # the member is told through the outbox (bot.services.invites.remove_member)
        text = "🗑 " + _("Removed {member}; they have been told.").format(
            member=member_text(member, unit.name if unit else None))
        await screens.answer(update)
        await screens.show(update, View((text,)))


@guarded
async def on_cancel(update: Update, context: BotContext, args: str) -> None:
    await waits.cancel(TelegramTurn.of(update, context))


@guarded
async def huy(update: Update, context: BotContext) -> None:
    """/huy: the way out of any prompt (`dedupe` already ended the wait, as for any command)."""
    await waits.cancel(TelegramTurn.of(update, context))


@guarded
async def on_blocker_text(update: Update, context: BotContext, actor: Actor, ref: int, text: str) -> None:
    """The text after ⚠️: the difficulty, to the office."""
    await difficulties.report(TelegramTurn.of(update, context), ref, text)


@guarded
async def on_blocker_withdraw(update: Update, context: BotContext, args: str) -> None:
    await difficulties.withdraw(TelegramTurn.of(update, context), int(args))


@guarded
async def on_return_reason(update: Update, context: BotContext, actor: Actor, ref: int, text: str) -> None:
    """The text after a confirmed ↩️: the reason; the unit hears it."""
    await reviews.give_back(TelegramTurn.of(update, context), ref, text)


@guarded
async def on_direction(update: Update, context: BotContext, actor: Actor, ref: int, text: str) -> None:
    """The text after 💬: the direction, to the unit and the office."""
    await difficulties.direct(TelegramTurn.of(update, context), ref, text)
