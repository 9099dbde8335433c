"""Interim (replaced by the people topic at the merge): /start CODE on the core, so the Zalo adapter is testable."""

from __future__ import annotations

from bot.conversation import commands
from bot.conversation.routes import Topic
from bot.conversation.turn import Turn
from bot.i18n import _, language
from bot.i18n.refusals import t
from bot.services import invites
from bot.services.access import load_actor
from bot.services.linking import CHANNEL_NAMES, Linked
from bot.texts import head_title
from bot.views.model import View
from bot.views.status import ROLE


async def start(turn: Turn, args: tuple[str, ...]) -> None:
    if not args:
        await commands.help_text(turn)
        return
    with turn.services.tx() as session:
        joined = invites.accept_invite(session, "".join(args), turn.user_id, turn.chat_id, turn.name, turn.event)
    if isinstance(joined, Linked):
        with turn.services.tx() as session:
            actor = load_actor(session, turn.user_id, turn.chat_id)
        with language(actor.lang):
            text = _("🔗 Done: this {channel} chat is now linked to {name}. Both channels act as you: commands and "
                     "buttons work in either. Reminders still go where they went before; the department office can "
                     "change that (/kenh).").format(channel=CHANNEL_NAMES[joined.channel], name=joined.name)
        await turn.reply(View((text,)))
        return
    with language("vi"):
        what = (head_title(joined.unit_name or joined.unit or "") if joined.role == "head" else
                _("staff member of {name} ({unit})").format(name=joined.unit_name, unit=joined.unit)
                if joined.role == "staff" else _(ROLE[joined.role]))
    await turn.reply(View((t("welcome", "vi", name=turn.name, what=what),)))


TOPIC = Topic(commands={"start": start})
