"""Screens that one message shows and navigation replaces: checklist, watch list, task card, review queue and
card, difficulties list and card, a task's summary. Each: service → view → show (a press replaces the
message it came from where the channel can; `new` sends another)."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.conversation.turn import Turn
from bot.db.models import UnitRow
from bot.i18n import _, language
from bot.services import blockers, queue, review
from bot.services.access import Refused
from bot.views import checklist as checklist_view
from bot.views import review as review_view
from bot.views import taskcard
from bot.views.model import View

LIST = re.compile(r"^(cl|wl):([oqra]):(\d{1,4})$")


async def _put(turn: Turn, view: View, new: bool = False) -> None:
    await (turn.reply(view) if new else turn.show(view))


async def open_list(turn: Turn, kind: str, f: str, page: int, new: bool = False) -> None:
    """`cl`: the checklist of one's own units; `wl`: the watch list; `f` the filter, `page` from 0."""
    actor = turn.actor
    today = turn.services.today()

    def read(session: Session) -> tuple[queue.Page, list[str]]:  # on a worker thread (Services.run)
        facts = (queue.checklist if kind == "cl" else queue.watchlist)(session, actor, today, f, page)
        names = list(session.scalars(select(UnitRow.name).where(UnitRow.id.in_(actor.units)).order_by(UnitRow.id)))
        return facts, names

    facts, names = await turn.services.run(read)
    scope = (", ".join(names) or _("Your units")) if kind == "cl" or not actor.can_read_all else _("All units")
    if kind == "wl" and not actor.can_read_all:
        scope = _("Units led by {units}").format(units=scope)
    with language(actor.lang):
        await _put(turn, checklist_view.checklist(facts, today, scope), new)


async def checklist(turn: Turn, f: str) -> None:
    """/viec: the checklist of one's own units; for the office and leadership, the watch list."""
    units = bool(turn.actor.units)
    await open_list(turn, "cl" if units else "wl", f if units else "q", 0, new=True)


async def card(turn: Turn, args: str) -> None:
    """`tc:<occ>` or `tc:<occ>:<cl|wl>:<f>:<page>` (where "◀ Back" goes)."""
    occ, _sep, back = args.partition(":")
    if back and not LIST.match(back):
        raise Refused("bad_request")
    today = turn.services.today()
    actor = turn.actor
    facts = await turn.services.run(lambda session: queue.card(session, actor, int(occ), today))
    with language(turn.actor.lang):
        await turn.show(taskcard.task_card(facts, today, back or ("cl:o:0" if facts.can_act else "wl:q:0")))


async def review_queue(turn: Turn, page: int, new: bool = False) -> None:
    actor = turn.actor
    facts = await turn.services.run(lambda session: review.review_queue(session, actor, page))
    with language(turn.actor.lang):
        await _put(turn, review_view.review_queue(facts), new)


async def review_card(turn: Turn, review_id: int) -> None:
    """`rv:<review>`: the review card, also for an old notice (the queue is the source of truth)."""
    with turn.services.tx() as session:
        facts = review.review_card(session, turn.actor, review_id)
    with language(turn.actor.lang):
        await turn.show(review_view.review_card(facts))


async def difficulties(turn: Turn, page: int, new: bool = False) -> None:
    with turn.services.tx() as session:
        facts = blockers.open_blockers(session, turn.actor, page)
    with language(turn.actor.lang):
        await _put(turn, review_view.blocker_list(facts), new)


async def difficulty(turn: Turn, blocker_id: int) -> None:
    with turn.services.tx() as session:
        facts = blockers.card(session, turn.actor, blocker_id)
    with language(turn.actor.lang):
        await turn.show(review_view.blocker_card(facts))


async def task_summary(turn: Turn, code: str, page: int, new: bool = False) -> None:
    """A task's status per unit (`/nhiemvu CODE`, `nv:<code>:<page>`)."""
    with turn.services.tx() as session:
        summary = queue.task_summary(session, turn.actor, code, turn.services.today())
    with language(turn.actor.lang):
        await _put(turn, taskcard.task_summary(summary, page), new)
