"""The first page after sign-in: progress for the office and leadership, the unit's own tasks for a head."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web
from sqlalchemy import select

from bot.db.models import UnitRow
from bot.services import queue, review, status
from bot.services.access import Refused

if TYPE_CHECKING:
    from bot.console.app import Console, Ctx

STATE_ORDER = ("returned", "overdue", "open", "awaiting_review")


def add_routes(app: web.Application, console: Console) -> None:
    def home(ctx: Ctx) -> web.Response:
        today = ctx.ev.now.astimezone(ctx.services.zone).date()
        viewer = ctx.viewer
        with ctx.services.tx() as session:
            if viewer.reads_all:
                progress = status.compute_progress(session, today)
                pending = review.review_queue(session, viewer.actor, 0, 1).total if viewer.edits else None
                names = {u.id: u.name for u in session.scalars(select(UnitRow))}
                return ctx.render("home.html", progress=progress, pending=pending, items=[], today=today,
                                  names=names)
            items: list[queue.Item] = []
            try:
                first = queue.checklist(session, viewer.actor, today, "o", 0)
                items = list(first.items)
                for number in range(1, first.pages):
                    items += queue.checklist(session, viewer.actor, today, "o", number).items
            except Refused:
                items = []
            own = status.compute_progress(session, today, sorted(viewer.units)[0]) if viewer.units else None
        return ctx.render("unit.html", items=items, progress=own, today=today)

    app.router.add_get("/", console.route("signed", home))
