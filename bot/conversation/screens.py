"""Screens that one message shows and navigation replaces: checklist, watch list, task card, review queue and
card, difficulties list and card, a task's summary. Each: service → view → show (a press replaces the
message it came from where the channel can; `new` sends another)."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.conversation.routes import ChoiceRoute, Topic, bare, by_id, by_page
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


async def evidence_file(turn: Turn, evidence_id: int) -> None:
    """`rvf:<evidence>`: the same bytes the head uploaded, from the archive (or the link/text itself)."""
    with turn.services.tx() as session:
        row = review.evidence_file(session, turn.actor, evidence_id)
    path = Path(row.stored_path) if row.stored_path else None
    has_file = path is not None and path.is_file()
    if not has_file and not (row.kind in ("link", "text") and row.text):
        raise Refused("file_missing", name=row.file_name or "?")
    with language(turn.actor.lang):
        caption = taskcard.short(_("Supporting document #{id}: {name}").format(
            id=row.id, name=row.file_name or ""), 1000)
    if has_file and path is not None:
        await turn.send_file(path.read_bytes(), row.file_name or path.name, caption, photo=row.kind == "photo")
    else:
        await turn.reply(View(("📎 " + (row.text or "")[:4000],)))


async def _viec(turn: Turn, args: tuple[str, ...]) -> None:
    """/viec [o|q|r|a]: the checklist (the office and leadership: the watch list)."""
    f = args[0][:1].lower() if args and args[0][:1].lower() in queue.FILTERS else "o"
    await checklist(turn, f)


async def _watch(turn: Turn) -> None:
    """/theodoi: the watch list (occurrences of the units one leads; every unit for the office and leadership)."""
    await open_list(turn, "wl", "q", 0)


async def _nhiemvu(turn: Turn, args: tuple[str, ...]) -> None:
    """/nhiemvu CODE: the task's status per unit, the reader's own occurrences as choices."""
    if not args:
        raise Refused("nhiemvu_usage")
    await task_summary(turn, args[0], 0)


async def _list(turn: Turn, args: str) -> None:
    """`cl:<f>:<page>`, `wl:<f>:<page>`; with `:n`, in a new message (the press came from a card)."""
    kind, f, page, *new = args.split(":")
    await open_list(turn, kind, f, int(page), new=bool(new))


def _list_route(kind: str) -> ChoiceRoute:
    async def run(turn: Turn, args: str) -> None:
        await _list(turn, f"{kind}:{args}")

    return ChoiceRoute(re.compile(r"^[oqra]:\d{1,4}(:n)?$"), run)


async def _summary_page(turn: Turn, args: str) -> None:
    """`nv:<code>:<page>`."""
    code, _sep, page = args.rpartition(":")
    await task_summary(turn, code, int(page))


async def _first_queue(turn: Turn) -> None:
    await review_queue(turn, 0)


async def _first_difficulties(turn: Turn) -> None:
    await difficulties(turn, 0)


TOPIC = Topic(
    commands={"viec": _viec, "theodoi": bare(_watch), "watch": bare(_watch), "duyet": bare(_first_queue),
              "reviews": bare(_first_queue), "vuongmac": bare(_first_difficulties),
              "blockers": bare(_first_difficulties), "nhiemvu": _nhiemvu},
    choices={"cl": _list_route("cl"), "wl": _list_route("wl"),
             "tc": ChoiceRoute(re.compile(r"^\d{1,12}(:(cl|wl):[oqra]:\d{1,4})?$"), card),
             "rq": by_page(review_queue), "rv": by_id(review_card), "rvf": by_id(evidence_file),
             "bq": by_page(difficulties), "bk": by_id(difficulty),
             "nv": ChoiceRoute(re.compile(r"^[\w.\-]{1,24}:\d{1,3}$", re.ASCII), _summary_page)})
