"""A person's channels on any channel: `/lienket` (a code to use the bot from a second app), `/kenh` (the
office: people's channels and where their reminders go), `/bangdieukhien` (a sign-in link to the console)."""

from __future__ import annotations

from bot.console.chatwords import sign_in_message
from bot.conversation.people import telegram_link
from bot.conversation.routes import Topic, bare
from bot.conversation.turn import Turn
from bot.i18n import _, language, ngettext
from bot.services import channels, linking
from bot.services.access import Refused, require_admin
from bot.texts import fmt_local
from bot.views.model import View
from bot.views.status import ROLE

MAX_CHARS = 3600  # Telegram's limit is 4,096 characters; room for the header and the footer


async def link_code(turn: Turn) -> None:
    """/lienket: a one-day code; sent from the other app, that chat acts as this person too."""
    actor, svc = turn.actor, turn.services
    with svc.tx() as session:
        code = linking.create_link_code(session, actor, turn.event)
    link = telegram_link(turn, code.code)
    expires = fmt_local(code.expires_at, svc.zone)
    with language(actor.lang):
        if link:
            text = _("🔗 Linking code: {code} (works once, until {expires}).\nFrom your other app (Zalo or "
                     "Telegram), send the bot: /start {code} (or just the code). On Telegram you can also open: "
                     "{link}\nAfter that, both apps act as you.").format(code=code.shown, expires=expires, link=link)
        else:
            text = _("🔗 Linking code: {code} (works once, until {expires}).\nFrom your other app (Zalo or "
                     "Telegram), send the bot: /start {code} (or just the code).\nAfter that, both apps act as "
                     "you.").format(code=code.shown, expires=expires)
    await turn.reply(View((text,)))


def _roles(person: channels.Person) -> str:
    return ", ".join(f"{_(ROLE[role]) if role in ROLE else role}{' ' + unit if unit and role == 'head' else ''}"
                     for role, unit in person.roles)


def _has(person: channels.Person) -> str:
    found = ["Telegram"] if person.telegram else []
    if person.zalo:
        found.append(f"Zalo ({person.zalo})")
    if person.email:
        found.append(_("e-mail {address}").format(address=person.email))
    elif person.unit_email:
        found.append(_("e-mail of the unit {address}").format(address=person.unit_email))
    return ", ".join(found) or _("none")


def _receives(person: channels.Person) -> str:
    if person.receives == "email":
        return _("e-mail {address}").format(address=person.address)
    if person.receives == "email_fallback":
        return _("e-mail {address} (the chat is unreachable)").format(address=person.address)
    if person.receives == "none":
        return _("nothing: the chat is unreachable and there is no e-mail address")
    return linking.CHANNEL_NAMES.get(person.receives, person.receives)


def people_text(found: list[channels.Person]) -> str:
    """One message: a line per person, capped under Telegram's limit with a count of the rest."""
    lines = [ngettext("📡 Channels of {count} person:", "📡 Channels of {count} people:",
                      len(found)).format(count=len(found))]
    size, shown = len(lines[0]), 0
    for p in found:
        line = _("#{ids} {name} ({roles}): {channels}. Receives via: {via}").format(
            ids=",".join(map(str, p.member_ids)), name=p.name or "?", roles=_roles(p), channels=_has(p),
            via=_receives(p))
        if size + len(line) + 1 > MAX_CHARS:
            break
        lines.append(line)
        size, shown = size + len(line) + 1, shown + 1
    if shown < len(found):
        lines.append(ngettext("… and {count} more person: type /kenh <unit code> for one unit.",
                              "… and {count} more people: type /kenh <unit code> for one unit.",
                              len(found) - shown).format(count=len(found) - shown))
    lines.append(_("Change: /kenh <number> zalo | telegram | email [address]; revoke web links: "
                   "/kenh <number> thuhoi"))
    return "\n".join(lines)


async def people(turn: Turn, args: tuple[str, ...]) -> None:
    """/kenh [unit] lists; /kenh <member> zalo|telegram|email [address]|thuhoi changes."""
    actor = turn.actor
    require_admin(actor)
    if args and args[0].lstrip("#").isdigit():
        if len(args) < 2 or len(args) > 3 or len(args[0]) > 12:
            raise Refused("kenh_usage")
        with turn.services.tx() as session:
            done = channels.set_channel(session, actor, int(args[0].lstrip("#")), args[1],
                                        args[2] if len(args) > 2 else "", turn.event)
        await turn.reply(View((_done_text(done, actor.lang),)))
        return
    with turn.services.tx() as session:
        found = channels.people(session, actor, args[0] if args else None)
    with language(actor.lang):
        text = people_text(found) if found else _("No member matches. Type /kenh for everyone.")
    await turn.reply(View((text,)))


def _done_text(done: channels.ChannelSet, lang: str) -> str:
    with language(lang):
        if done.choice == "revoke":
            return _("🔒 Personal web links of {name} revoked: the links they had no longer open.").format(
                name=done.name)
        if done.choice == "email":
            return _("📧 {name} now receives reminders by e-mail at {address} (while e-mail sending is on in the "
                     "configuration; otherwise on their chat). They were told.").format(name=done.name,
                                                                                        address=done.address)
        return _("📨 {name} now receives reminders on {channel}. They were told.").format(
            name=done.name, channel=linking.CHANNEL_NAMES[done.choice])


async def console(turn: Turn) -> None:
    """/bangdieukhien: a one-time sign-in link to the office console, on the member's own channel."""
    links = turn.services.links
    with language(turn.actor.lang), turn.services.tx() as session:
        text = sign_in_message(session, turn.actor, links.base_url if links is not None else None, turn.event)
    await turn.reply(View((text,)))


TOPIC = Topic(commands={"lienket": bare(link_code), "link": bare(link_code), "kenh": people, "channels": people,
                        "bangdieukhien": bare(console), "console": bare(console)})
