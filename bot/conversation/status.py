"""Status on any channel: /tiendo (progress per area and unit, metrics against targets), /quahan (overdue)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bot.conversation import screens
from bot.conversation.routes import Topic, by_page
from bot.conversation.turn import Turn
from bot.i18n import language
from bot.services import status
from bot.services.metrics import metric_status
from bot.views.model import Action, View
from bot.views.status import progress_text, unit_pages


async def progress(turn: Turn, unit: str | None, page: int = 0, new: bool = True) -> None:
    """/tiendo [unit]: one message at any size (the per-unit list pages with ◀ ▶, `td:<page>`)."""
    actor, today = turn.actor, turn.services.today()

    def read(session: Session) -> tuple[status.Progress, list[Any]]:  # on a worker thread (Services.run)
        report = status.progress(session, actor, today, unit)
        return report, metric_status(session, {report.unit} if report.unit else None)

    report, goals = await turn.services.run(read)
    with language(actor.lang):
        texts = progress_text(report, today, goals, unit_page=page)
    pages = unit_pages(report)
    page = min(max(page, 0), pages - 1)
    arrows = (((Action("◀", f"td:{page - 1}"),) if page > 0 else ())
              + ((Action("▶", f"td:{page + 1}"),) if page + 1 < pages else ()))
    rows = (arrows,) if arrows and not report.unit else ()
    first = View((texts[0],), rows)  # the arrows go under the per-unit list (the first part)
    await (turn.reply(first) if new else turn.show(first))
    for text in texts[1:]:
        await turn.reply(View((text,)))


async def overdue(turn: Turn) -> None:
    """/quahan: the overdue filter of one's list (every unit's for the office), paged in one message like /viec."""
    await screens.open_list(turn, "cl" if turn.actor.units else "wl", "q", 0, new=True)


async def _progress(turn: Turn, args: tuple[str, ...]) -> None:
    """/tiendo [unit]."""
    await progress(turn, args[0] if args else None)


async def _progress_page(turn: Turn, page: int) -> None:
    """`td:<page>`: another page of /tiendo's per-unit list, in place."""
    await progress(turn, None, page, new=False)


async def _overdue(turn: Turn, args: tuple[str, ...]) -> None:
    await overdue(turn)


TOPIC = Topic(commands={"tiendo": _progress, "quahan": _overdue}, choices={"td": by_page(_progress_page)})
