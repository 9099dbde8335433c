"""Buttons that change something: every answer names its object (task code and title, unit, deadline, due).

Destructive or hard-to-undo actions (returning a completion, removing a member) ask to confirm first.
"""

from __future__ import annotations

import logging

from telegram import Update

from bot.db.models import MemberRow, UnitRow
from bot.i18n import _, language
from bot.services import invites
from bot.services.access import Refused, require_admin
from bot.telegram import screens
from bot.telegram.context import BotContext
from bot.telegram.handlers import actor_of, event, guarded
from bot.texts import unit_short
from bot.views.model import Action, View
from bot.views.status import ROLE

log = logging.getLogger(__name__)


async def _say(update: Update, lang: str, text: str, actions: tuple[tuple[Action, ...], ...] = ()) -> None:
    await screens.answer(update)
    with language(lang):
        await screens.show(update, View((text,), actions), new=True)
















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





