"""Status on any channel: /tiendo (progress per area and unit, metrics against targets), /quahan (overdue)."""

from __future__ import annotations

from bot.conversation.turn import Turn
from bot.i18n import language
from bot.i18n.refusals import t
from bot.services import status
from bot.services.metrics import metric_status
from bot.views.model import View
from bot.views.status import overdue_text, progress_text


async def _texts(turn: Turn, texts: list[str]) -> None:
    for text in texts:  # already cut at the longest message a channel takes (views.status)
        await turn.reply(View((text,)))


async def progress(turn: Turn, unit: str | None) -> None:
    today = turn.services.today()
    with turn.services.tx() as session:
        report = status.progress(session, turn.actor, today, unit)
        goals = metric_status(session, {report.unit} if report.unit else None)
    with language(turn.actor.lang):
        await _texts(turn, progress_text(report, today, goals))


async def overdue(turn: Turn) -> None:
    today = turn.services.today()
    with turn.services.tx() as session:
        lines = status.overdue(session, turn.actor, today)
    with language(turn.actor.lang):
        await _texts(turn, overdue_text(lines, today) if lines else [t("no_overdue", turn.actor.lang)])
