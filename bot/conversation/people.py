"""People on any channel: joining (`/start <code>`, or a code typed alone), invites (`/moi`, `/loimoi`,
`/huyloimoi`), the members (`/thanhvien`, with 🗑 remove confirmed first).

Choices: `rm:<member>` asks to confirm, `rmy:<member>` removes; `ivd:<invite>` asks to confirm,
`ivy:<invite>` revokes, `ivn:<invite>` keeps it.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from bot.conversation import commands
from bot.conversation.routes import ChoiceRoute, Topic, by_id
from bot.conversation.turn import Turn
from bot.db.models import MemberRow, UnitRow
from bot.i18n import _, language
from bot.i18n.refusals import t
from bot.services import invites
from bot.services.access import Refused, load_actor, require_admin
from bot.services.linking import CHANNEL_NAMES, Linked
from bot.texts import fmt_local, head_title, unit_short
from bot.views.model import Action, View
from bot.views.status import ROLE, members_text

MAX_LISTED = 50  # invites listed by /loimoi
MAX_BUTTONS = 12  # a view carries at most a dozen actions (bot.views.model.TELEGRAM_MAX_BUTTONS)
# A /lienket code typed alone (bot.services.linking: ten of its letters and digits, any case, dashes or spaces).
LINK_CODE = re.compile(r"^[\s\-]*(?:[A-HJKMNP-Za-hjkmnp-z2-9][\s\-]*){10}$")
# An invite code typed alone by someone the bot does not know (secrets.token_urlsafe): what Zalo users do.
INVITE_CODE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def telegram_link(turn: Turn, code: str) -> str:
    """The Telegram deep link for a code, or "" while the Telegram bot's username is unknown (no Telegram)."""
    username = turn.services.telegram_username
    return f"https://t.me/{username}?start={code}" if username else ""


async def start(turn: Turn, args: tuple[str, ...]) -> None:
    """/start [invite code | /lienket code]."""
    if args:
        await accept_code(turn, ("".join(args),))  # `/start ABCDE FGHJK` typed with a space
        return
    await commands.help_text(turn)


async def accept_code(turn: Turn, args: tuple[str, ...]) -> None:
    """Join with an invite, or link this chat with a `/lienket` code (typed after /start, or alone)."""
    code = "".join(args)
    with turn.services.tx() as session:
        joined = invites.accept_invite(session, code, turn.user_id, turn.chat_id, turn.name, turn.event)
    if isinstance(joined, Linked):
        await _linked(turn, joined)
        return
    with language("vi"):
        what = (head_title(joined.unit_name or joined.unit or "")
                if joined.role == "head" else
                _("staff member of {name} ({unit})").format(name=joined.unit_name, unit=joined.unit)
                if joined.role == "staff" else _(ROLE[joined.role]))
    with turn.services.tx() as session:
        roles = load_actor(session, turn.user_id, turn.chat_id).roles
    await turn.set_commands(roles, "vi")
    await turn.reply(View((t("welcome", "vi", name=turn.name, what=what),)))


async def _linked(turn: Turn, linked: Linked) -> None:
    with turn.services.tx() as session:
        actor = load_actor(session, turn.user_id, turn.chat_id)
    if linked.channel == "telegram":
        await turn.set_commands(actor.roles, actor.lang)
    with language(actor.lang):
        text = _("🔗 Done: this {channel} chat is now linked to {name}. Both channels act as you: commands and "
                 "buttons work in either. Reminders still go where they went before; the department office can "
                 "change that (/kenh).").format(channel=CHANNEL_NAMES[linked.channel], name=linked.name)
    await turn.reply(View((text,)))


async def invite_typed(turn: Turn, args: tuple[str, ...]) -> None:
    """An invite code typed alone: a stranger joining (on Zalo there is no deep link); a member gets the help."""
    if turn.actor.known:
        await commands.unknown(turn)
        return
    await accept_code(turn, args)


async def invite(turn: Turn, args: tuple[str, ...]) -> None:
    """/moi <unit | lanhdao | quantri>: a one-time invite valid 7 days (a Telegram link, a code for Zalo)."""
    actor = turn.actor
    if not args:
        require_admin(actor)
        raise Refused("moi_usage")
    with turn.services.tx() as session:
        made = invites.create_invite(session, actor, args[0], turn.event)
        unit = session.get(UnitRow, made.unit) if made.unit else None
        unit_name = unit.name if unit is not None else made.unit
    link = telegram_link(turn, made.code)
    with language(actor.lang):
        what = head_title(unit_name) if unit_name else _(ROLE[made.role])
    text = t("invite_link", actor.lang, what=what, expires=fmt_local(made.expires_at), link=link or made.code)
    if turn.services.zalo and link:
        with language(actor.lang):
            text += "\n" + _("On Zalo: send the nhacviec bot this code: {code}").format(code=made.code)
    await turn.reply(View((text,)))


def _member_label(m: MemberRow, names: dict[str, str]) -> str:
    where = unit_short(names.get(m.unit) or m.unit, 22) if m.unit else _(ROLE.get(m.role, m.role))
    return f"{m.name or m.chat_id} ({where})"


async def members(turn: Turn, args: tuple[str, ...]) -> None:
    """/thanhvien [unit]: members per unit with a remove button each (at most 12: narrow by unit for more)."""
    actor = turn.actor
    unit = args[0].upper() if args else None
    with turn.services.tx() as session:
        found, uncovered = invites.members_by_unit(session, actor)
        names = {code: name for code, name in session.execute(select(UnitRow.id, UnitRow.name))}
    if unit is not None:
        found = [m for m in found if (m.unit or "").upper() == unit]
    texts = members_text(found, uncovered if unit is None else [], names)
    removable = [m for m in found if m.id not in actor.member_ids]
    with language(actor.lang):
        rows = tuple((Action("🗑 " + _("Remove {name}").format(name=_member_label(m, names)), f"rm:{m.id}"),)
                     for m in removable[:MAX_BUTTONS])
        if len(removable) > MAX_BUTTONS:
            texts[-1] += "\n\n" + _("Only the first 12 members have a remove button: type /thanhvien <unit>, "
                                     "e.g. /thanhvien TCCB, for one unit's members.")
    for text in texts[:-1]:
        await turn.reply(View((text,)))
    await turn.reply(View((texts[-1],), rows))


def member_text(member: MemberRow, unit_name: str | None = None) -> str:
    """`Name (role — unit)`, the unit by its short name when known (WORDING M5: the office reads names)."""
    where = f" — {unit_short(unit_name or member.unit)}" if member.unit else ""
    return f"{member.name or member.chat_id} ({_(ROLE.get(member.role, member.role))}{where})"


async def remove_ask(turn: Turn, member_id: int) -> None:
    """`rm:<member>`: confirm before removing (a new message under the list)."""
    actor = turn.actor
    require_admin(actor)
    with turn.services.tx() as session:
        member = session.get(MemberRow, member_id)
        if member is None or not member.active:
            raise Refused("no_such_member")
        unit = session.get(UnitRow, member.unit) if member.unit else None
    with language(actor.lang):
        text = "🗑 " + _("Remove {member}? They will no longer receive reminders and will be told.").format(
            member=member_text(member, unit.name if unit else None))
        view = View((text,), ((Action("🗑 " + _("Yes, remove"), f"rmy:{member_id}"),
                               Action("◀ " + _("No"), "no:0")),))
    await turn.reply(view)


async def remove(turn: Turn, member_id: int) -> None:
    """`rmy:<member>`: removed (the member is told through the outbox, bot.services.invites.remove_member)."""
    actor = turn.actor
    with turn.services.tx() as session:
        member = invites.remove_member(session, actor, member_id, turn.event)
        unit = session.get(UnitRow, member.unit) if member.unit else None
    with language(actor.lang):
        text = "🗑 " + _("Removed {member}; they have been told.").format(
            member=member_text(member, unit.name if unit else None))
    await turn.show(View((text,)))


def _what(found: invites.OpenInvite) -> str:
    return invites.role_text(found.role, found.unit_name or found.unit)


async def open_invites(turn: Turn, args: tuple[str, ...]) -> None:
    """/loimoi: every invite that would still work, with who made it and until when."""
    actor, svc = turn.actor, turn.services
    with svc.tx() as session:
        found = invites.open_invites(session, actor, svc.clock.now())
    with language(actor.lang):
        if not found:
            await turn.reply(View((_("No open invite links. Make one with /moi <unit code>."),)))
            return
        lines = [_("📨 Open invite links: {count}").format(count=len(found))]
        lines += [_("#{id} · {what} · made by {who} · expires {expires}").format(
            id=i.id, what=_what(i), who=i.created_by, expires=fmt_local(i.expires_at, svc.zone))
            for i in found[:MAX_LISTED]]
        lines.append(_("Press 🗑 to revoke a link (you will be asked to confirm), or type /huyloimoi <number>."))
        rows = tuple((Action(_("🗑 Revoke #{id} ({what})").format(id=i.id, what=(i.unit or _what(i))[:24]),
                             f"ivd:{i.id}"),) for i in found[:MAX_BUTTONS])
        view = View(("\n".join(lines),), rows)
    await turn.reply(view)


async def revoke_typed(turn: Turn, args: tuple[str, ...]) -> None:
    """/huyloimoi <id>: revoke at once (typing the number is the confirmation)."""
    require_admin(turn.actor)
    arg = args[0].lstrip("#") if args else ""
    if not arg.isdigit() or len(arg) > 12:
        raise Refused("huyloimoi_usage")
    await _revoke(turn, int(arg))


async def _revoke(turn: Turn, invite_id: int) -> None:
    actor = turn.actor
    with turn.services.tx() as session:
        gone = invites.revoke_invite(session, actor, invite_id, turn.event)
    with language(actor.lang):
        await turn.reply(View((_("🗑 Invite link #{id} ({what}) revoked: it no longer works.").format(
            id=gone.id, what=_what(gone)),)))


async def revoke_ask(turn: Turn, invite_id: int) -> None:
    """`ivd:<invite>`: 🗑 → confirm (✔️ revoke / keep)."""
    actor, svc = turn.actor, turn.services
    require_admin(actor)
    with svc.tx() as session:
        found = [i for i in invites.open_invites(session, actor, svc.clock.now()) if i.id == invite_id]
    if not found:
        raise Refused("no_such_invite", invite=invite_id)
    with language(actor.lang):
        text = _("Revoke invite link #{id} ({what}, expires {expires})? Whoever received it will no longer "
                 "be able to join with it.").format(id=invite_id, what=_what(found[0]),
                                                     expires=fmt_local(found[0].expires_at, svc.zone))
        view = View((text,), ((Action(_("🗑 Revoke"), f"ivy:{invite_id}"), Action(_("Keep"), f"ivn:{invite_id}")),))
    await turn.reply(view)


async def revoke(turn: Turn, invite_id: int) -> None:
    """`ivy:<invite>`: revoked."""
    require_admin(turn.actor)
    await _revoke(turn, invite_id)


async def keep(turn: Turn, invite_id: int) -> None:
    """`ivn:<invite>`: kept."""
    require_admin(turn.actor)
    with language(turn.actor.lang):
        await turn.reply(View((_("Invite link #{id} kept.").format(id=invite_id),)))


def _routes() -> dict[str, ChoiceRoute]:
    return {"rm": by_id(remove_ask), "rmy": by_id(remove), "ivd": by_id(revoke_ask), "ivy": by_id(revoke),
            "ivn": by_id(keep)}


TOPIC = Topic(commands={"start": start, "moi": invite, "invite": invite, "thanhvien": members, "members": members,
                        "loimoi": open_invites, "invites": open_invites, "huyloimoi": revoke_typed,
                        "revoke": revoke_typed},
              choices=_routes())
CODE_TYPED = [(LINK_CODE, accept_code), (INVITE_CODE, invite_typed)]
