"""The command table (what each role sees in the help and the command menu) and the small commands: help,
language, and the answer to anything the bot cannot act on."""

from __future__ import annotations

from bot.conversation.routes import Topic
from bot.conversation.turn import Turn
from bot.i18n import N_, _, language
from bot.i18n.refusals import t
from bot.services import invites
from bot.services.access import Refused
from bot.trust.commands import TRUST_COMMANDS
from bot.views.model import View
from bot.views.status import ROLE

# (command, description, roles that see it in the help and the command menu)
COMMANDS: list[tuple[str, str, frozenset[str]]] = [
    ("viec", N_("Checklist of your unit's tasks (the office and leadership: every unit)"),
     frozenset({"head", "admin", "leader"})),
    ("duyet", N_("Completions waiting for your review"), frozenset({"admin"})),
    ("theodoi", N_("Tasks of the units you lead or watch, worst first"), frozenset({"head", "admin", "leader"})),
    ("vuongmac", N_("Difficulties reported, until resolved"), frozenset({"head", "admin", "leader"})),
    ("quahan", N_("Overdue tasks"), frozenset({"head", "admin", "leader"})),
    ("nhiemvu", N_("A task's status per unit: /nhiemvu <code>, e.g. /nhiemvu 5.2"),
     frozenset({"head", "admin", "leader"})),
    ("tiendo", N_("Progress per area and unit: /tiendo [unit]"), frozenset({"head", "admin", "leader"})),
    ("solieu", N_("Report the figures of your unit's metrics"), frozenset({"head"})),
    ("tonghop", N_("The progress summary, now"), frozenset({"admin", "leader"})),
    ("lich", N_("Your unit's deadline calendar (.ics)"), frozenset({"head", "admin"})),
    ("moi", N_("Invite a head of unit: /moi <unit>, or /moi lanhdao, /moi quantri"), frozenset({"admin"})),
    ("thanhvien", N_("Members, and units with nobody to remind"), frozenset({"admin"})),
    ("xuat", N_("Summary workbook and package of supporting documents"), frozenset({"admin"})),
    ("trang", N_("Your personal page: documents and figures on the phone"), frozenset({"head", "admin", "leader"})),
    ("kenh", N_("Members' channels (Telegram, Zalo, e-mail) and where their reminders go"), frozenset({"admin"})),
    ("lienket", N_("Use the bot from another app too (Zalo or Telegram)"), frozenset({"head", "admin", "leader"})),
    ("lang", N_("Language: /lang vi or /lang en"), frozenset({"head", "admin", "leader"})),
    ("huy", N_("Cancel what the bot is waiting for (a difficulty, a reason, a figure)"),
     frozenset({"head", "admin", "leader"})),
    ("huongdan", N_("This help"), frozenset({"head", "admin", "leader"})),
    *TRUST_COMMANDS,  # confirmations, delegation, extensions (bot.trust)
]


def commands_for(roles: frozenset[str] | set[str]) -> list[tuple[str, str]]:
    """The commands of these roles, in menu order, in the current language."""
    return [(name, _(text)) for name, text, who in COMMANDS if who & set(roles)]


async def help_text(turn: Turn) -> None:
    """Exactly the commands of the reader's roles."""
    actor = turn.actor
    if not actor.known:
        raise Refused("stranger")
    with language(actor.lang):
        who = [_(ROLE[r]) for r in ("head", "leader", "admin") if r in actor.roles]
        lines = [f"/{name} – {text}" for name, text in commands_for(actor.roles)]
        text = _("CCHC reminder bot — you are: {roles}.").format(roles=", ".join(who)) + "\n" + "\n".join(lines)
        if "head" in actor.roles:
            text += "\n" + _("In a reminder: ✅ Done, 📎 Send documents, ⏰ Remind me later, ⚠️ Report a difficulty.")
        await turn.reply(View((text,)))


async def set_language(turn: Turn, choice: str) -> None:
    """/lang vi | en."""
    if not turn.actor.known:
        raise Refused("stranger")
    with turn.services.tx() as session:
        invites.set_language(session, turn.actor, choice.lower(), turn.event)
    await turn.reply(View((t("lang_set", choice.lower()),)))


async def unknown(turn: Turn) -> None:
    if not turn.actor.known:
        raise Refused("stranger")
    await turn.reply(View((t("unknown_input", turn.actor.lang),)))


async def _help(turn: Turn, args: tuple[str, ...]) -> None:
    await help_text(turn)


async def _lang(turn: Turn, args: tuple[str, ...]) -> None:
    await set_language(turn, args[0] if args else "")


TOPIC = Topic(commands={"help": _help, "huongdan": _help, "lang": _lang})
