"""`/loimoi` lists the open invites with a 🗑 button each (confirmed before revoking); `/huyloimoi <id>`.

Callback data: `ivd:<invite>` asks to confirm, `ivy:<invite>` revokes, `ivn:<invite>` keeps it.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from telegram import Update

from bot.engine.channel import Button
from bot.i18n import _, language
from bot.services import invites
from bot.services.access import Refused, require_admin
from bot.telegram.channel import to_markup
from bot.telegram.context import BotContext
from bot.telegram.handlers import actor_of, event, guarded, reply
from bot.texts import fmt_local

PATTERN = r"^iv[dyn]:\d{1,12}$"
_DATA = re.compile(PATTERN)
MAX_LISTED = 50


def _what(invite: invites.OpenInvite) -> str:
    return invites.role_text(invite.role, invite.unit_name or invite.unit)


@guarded
async def loimoi(update: Update, context: BotContext) -> None:
    """/loimoi: every invite that would still work, with who made it and until when."""
    actor = actor_of(update, context)
    svc = context.services
    with svc.tx() as session:
        found = invites.open_invites(session, actor, svc.clock.now())
    with language(actor.lang):
        if not found:
            await reply(update, _("No open invite links. Make one with /moi <unit code>."))
            return
        lines = [_("📨 Open invite links: {count}").format(count=len(found))]
        lines += [_("#{id} · {what} · made by {who} · expires {expires}").format(
            id=i.id, what=_what(i), who=i.created_by, expires=fmt_local(i.expires_at, svc.zone))
            for i in found[:MAX_LISTED]]
        lines.append(_("Press 🗑 to revoke a link (you will be asked to confirm), or type /huyloimoi <number>."))
        buttons = tuple((Button(_("🗑 Revoke #{id} ({what})").format(id=i.id, what=(i.unit or _what(i))[:24]),
                                f"ivd:{i.id}"),) for i in found[:MAX_LISTED])
    await reply(update, "\n".join(lines), to_markup(buttons))


@guarded
async def huyloimoi(update: Update, context: BotContext) -> None:
    """/huyloimoi <id>: revoke at once (typing the number is the confirmation)."""
    actor = actor_of(update, context)
    require_admin(actor)
    arg = context.args[0].lstrip("#") if context.args else ""
    if not arg.isdigit() or len(arg) > 12:
        raise Refused("huyloimoi_usage")
    await _revoke(update, context, int(arg))


async def _revoke(update: Update, context: BotContext, invite_id: int,
                  answer: Callable[[], Awaitable[object]] | None = None) -> None:
    """Revoke, then (for a button) answer the press: a refusal is still shown as the button's alert."""
    actor = actor_of(update, context)
    with context.services.tx() as session:
        gone = invites.revoke_invite(session, actor, invite_id, event(update, context))
    if answer is not None:
        await answer()
    with language(actor.lang):
        await reply(update, _("🗑 Invite link #{id} ({what}) revoked: it no longer works.").format(
            id=gone.id, what=_what(gone)))


@guarded
async def on_invite_button(update: Update, context: BotContext) -> None:
    """🗑 → confirm (✔️ revoke / keep)."""
    query = update.callback_query
    assert query is not None
    if _DATA.match(query.data or "") is None:
        raise Refused("bad_request")
    action, ref = (query.data or "").split(":")
    invite_id = int(ref)
    actor = actor_of(update, context)
    require_admin(actor)
    svc = context.services
    if action == "ivy":
        await _revoke(update, context, invite_id, query.answer)
        return
    if action == "ivn":
        await query.answer()
        with language(actor.lang):
            await reply(update, _("Invite link #{id} kept.").format(id=invite_id))
        return
    with svc.tx() as session:
        found = [i for i in invites.open_invites(session, actor, svc.clock.now()) if i.id == invite_id]
    if not found:
        raise Refused("no_such_invite", invite=invite_id)
    await query.answer()
    with language(actor.lang):
        text = _("Revoke invite link #{id} ({what}, expires {expires})? Whoever received it will no longer "
                 "be able to join with it.").format(id=invite_id, what=_what(found[0]),
                                                     expires=fmt_local(found[0].expires_at, svc.zone))
        markup = to_markup(((Button(_("🗑 Revoke"), f"ivy:{invite_id}"), Button(_("Keep"), f"ivn:{invite_id}")),))
    await reply(update, text, markup)
