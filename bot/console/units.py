"""Units from the console: add one, rename one, merge one into another after a confirmation that says what
moves (bot/services/units.py, audited there). The office only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web
from sqlalchemy import func, select

from bot.console.plan import preview_or_do
from bot.db.models import MemberRow, OccurrenceRow, UnitRow
from bot.i18n import _
from bot.services import units
from bot.services.access import require_admin

if TYPE_CHECKING:
    from bot.console.app import Console, Ctx


def add_routes(app: web.Application, console: Console) -> None:
    def show(ctx: Ctx, flash: str = "", preview: Any = None, status: int = 200) -> web.Response:
        with ctx.services.tx() as session:
            require_admin(ctx.viewer.actor)
            rows = list(session.scalars(select(UnitRow).order_by(UnitRow.retired, UnitRow.id)))
            work = dict(session.execute(select(OccurrenceRow.unit, func.count()).group_by(OccurrenceRow.unit)).all())
            people = dict(session.execute(select(MemberRow.unit, func.count()).where(MemberRow.active)
                                          .group_by(MemberRow.unit)).all())
        return ctx.render("units.html", nav="people", rows=rows, work=work, people=people, flash=flash,
                          preview=preview, status=status)

    def add(ctx: Ctx) -> web.Response:
        with ctx.services.tx() as session:
            row = units.add_unit(session, ctx.viewer.actor, str(ctx.form.get("code", ""))[:40],
                                 str(ctx.form.get("name", ""))[:400], ctx.ev)
            code, name = row.id, row.name
        return show(ctx, _("Unit {code} ({name}) added: invite its head from the People page.").format(
            code=code, name=name))

    def rename(ctx: Ctx) -> web.Response:
        with ctx.services.tx() as session:
            row = units.rename_unit(session, ctx.viewer.actor, ctx.request.match_info["code"],
                                    str(ctx.form.get("name", ""))[:400], ctx.ev)
            code, name = row.id, row.name
        return show(ctx, _("Unit {code} is now named \"{name}\"; later plan updates keep this name.").format(
            code=code, name=name))

    def merge(ctx: Ctx) -> web.Response:
        """Without `confirm`: what would move (nothing stored); with it: merge (audited)."""
        source, target = str(ctx.form.get("source", ""))[:24], str(ctx.form.get("target", ""))[:24]
        confirm = ctx.form.get("confirm") == "1"
        result = preview_or_do(ctx, confirm, lambda session: units.merge_units(session, ctx.viewer.actor, source,
                                                                                target, ctx.ev))
        if confirm:
            return show(ctx, _("{source} was merged into {target}: {occurrences} items of work and {members} members "
                               "moved; {source} no longer appears in lists.").format(
                source=result.source, target=result.target, occurrences=result.occurrences, members=result.members))
        return show(ctx, preview=result)

    app.router.add_get("/units", console.route("edit", show))
    app.router.add_post("/units/add", console.route("edit", add))
    app.router.add_post("/units/{code:[A-Za-z0-9_-]{1,24}}/rename", console.route("edit", rename))
    app.router.add_post("/units/merge", console.route("edit", merge))
