"""`/dong dd/mm/yyyy reason` (alias `/close`): the office closes, in bulk, what was due before a date."""

from __future__ import annotations

from datetime import timedelta

from bot.conversation.routes import Topic
from bot.conversation.turn import Turn
from bot.domain.plan import parse_day
from bot.domain.text import nfc
from bot.i18n import _, language
from bot.services.access import require_admin
from bot.services.closing import Closing, close_before
from bot.texts import fmt_date
from bot.views.model import View


def closing_text(result: Closing) -> str:
    """What was closed, in the current language."""
    if not result.closed:
        return _("No open deadline was due before {date}: nothing to close.").format(date=fmt_date(result.before))
    units = ", ".join(f"{unit} {count}" for unit, count in result.per_unit.items())
    return "\n".join([
        _("🔒 Closed {count} deadlines due before {date}. Reason: {reason}").format(
            count=result.closed, date=fmt_date(result.before), reason=result.reason),
        _("By unit: {units}.").format(units=units),
        _("{count} reminders cancelled. These deadlines now read \"closed\": never overdue, never done.").format(
            count=result.reminders_cancelled),
    ])


async def close(turn: Turn, words: tuple[str, ...]) -> None:
    """Admins only; the date is the first argument, the reason the rest (required)."""
    actor = turn.actor
    require_admin(actor)
    args = [nfc(a) for a in words]
    with language(actor.lang):
        if len(args) < 2:
            await turn.reply(View((_("Usage: /dong dd/mm/yyyy reason. Closes every open deadline due before that "
                                     "date, e.g. /dong 02/05/2019 before the bot was deployed"),)))
            return
        try:
            before = parse_day(args[0])
        except ValueError:
            await turn.reply(View((_("\"{text}\" is not a date dd/mm/yyyy. Example: /dong 02/05/2019 reason")
                                   .format(text=args[0][:20]),)))
            return
        today = turn.services.today()
        if before > today + timedelta(days=1):
            await turn.reply(View((_("{date} is after today: only deadlines already due can be closed.")
                                   .format(date=fmt_date(before)),)))
            return
        with turn.services.tx() as session:
            result = close_before(session, actor, before, " ".join(args[1:]), turn.event)
        await turn.reply(View((closing_text(result),)))


TOPIC = Topic(commands={"dong": close, "close": close})
