"""Difficulties at a desk: leadership gives directions, the office answers or forwards them to
leadership, either marks one resolved; through bot/services/blockers.py (the chat's rules and notices)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from bot.i18n import _
from bot.services import blockers, tasks

if TYPE_CHECKING:
    from bot.console.app import Console, Ctx

LIST_SIZE = 100


def add_routes(app: web.Application, console: Console) -> None:
    def listing(ctx: Ctx, flash: str = "") -> web.Response:
        with ctx.services.tx() as session:
            found = blockers.open_blockers(session, ctx.viewer.actor, 0, LIST_SIZE)
            cards = [blockers.card(session, ctx.viewer.actor, b.blocker_id) for b in found.items]
        return ctx.render("difficulties.html", cards=cards, total=found.total, flash=flash, nav="difficulties")

    def answer(ctx: Ctx) -> web.Response:
        with ctx.services.tx() as session:
            subject = blockers.reply(session, ctx.viewer.actor, int(ctx.request.match_info["id"]),
                                     str(ctx.form.get("text", "")), ctx.ev)
        return listing(ctx, _("Sent to {unit}: {code} {title}.").format(unit=subject.unit_name, code=subject.task_id,
                                                                        title=subject.title))

    def forward(ctx: Ctx) -> web.Response:
        with ctx.services.tx() as session:
            tasks.forward_blocker(session, ctx.viewer.actor, int(ctx.request.match_info["id"]), ctx.ev)
        return listing(ctx, _("Forwarded to the department's leadership for direction."))

    def resolve(ctx: Ctx) -> web.Response:
        with ctx.services.tx() as session:
            subject = blockers.resolve(session, ctx.viewer.actor, int(ctx.request.match_info["id"]), ctx.ev)
        return listing(ctx, _("Marked resolved: {code} {title} ({unit}).").format(
            code=subject.task_id, title=subject.title, unit=subject.unit_name))

    app.router.add_get("/difficulties", console.route("direct", listing))
    app.router.add_post("/difficulties/{id:\\d{1,12}}/reply", console.route("direct", answer))
    app.router.add_post("/difficulties/{id:\\d{1,12}}/forward", console.route("edit", forward))
    app.router.add_post("/difficulties/{id:\\d{1,12}}/resolve", console.route("direct", resolve))
