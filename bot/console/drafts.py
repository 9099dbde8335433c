"""The office's list of drafts: deadlines, owners and evidence lists the plan did not give (assumed) wait for the
office to confirm them, several at once, optionally on the province's own date (bot/services/assumptions.py,
audited there). Leadership reads the list; only the office confirms."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web
from sqlalchemy import select

from bot.console.plan import _date
from bot.db.models import TaskRow, UnitRow
from bot.i18n import _
from bot.services import assumptions
from bot.services.access import Refused, require_admin

if TYPE_CHECKING:
    from bot.console.app import Console, Ctx

SHOWN = 2000  # rows on one page; the office narrows by task or unit beyond that


def _ids(form: Any, name: str) -> list[int]:
    out = []
    for raw in form.getall(name, []):
        if not str(raw).isdigit() or len(str(raw)) > 12:
            raise Refused("bad_request")
        out.append(int(raw))
    return out


def add_routes(app: web.Application, console: Console) -> None:
    def listing(ctx: Ctx, flash: str = "", status: int = 200) -> web.Response:
        task = str(ctx.request.query.get("task", ""))[:24].strip() or None
        unit = str(ctx.request.query.get("unit", ""))[:24].strip() or None
        with ctx.services.tx() as session:
            rows = assumptions.drafts(session, task=task, unit=unit)
            lists = list(session.scalars(select(TaskRow).where(TaskRow.retired_at.is_(None),
                                                               TaskRow.evidence_source == "assumed",
                                                               TaskRow.evidence_confirmed.is_(False))
                                         .order_by(TaskRow.id)))
            titles = {t.id: t.title for t in session.scalars(select(TaskRow).where(
                TaskRow.id.in_({d.task_id for d in rows[:SHOWN]})))}
            units = {u.id: u.name for u in session.scalars(select(UnitRow))}
        return ctx.render("drafts.html", drafts=rows[:SHOWN], total=len(rows), lists=lists, titles=titles,
                          units=units, task=task or "", unit=unit or "", flash=flash, status=status)

    def confirm(ctx: Ctx) -> web.Response:
        ids = _ids(ctx.form, "occ")
        raw = str(ctx.form.get("due", "")).strip()
        due = _date(raw) if raw else None
        with ctx.services.tx() as session:
            if not ids:
                require_admin(ctx.viewer.actor)
                raise Refused("console_nothing_ticked")
            done = assumptions.confirm(session, ctx.viewer.actor, ids, ctx.ev, ctx.services.calendar, due)
        text = (_("{count} drafts confirmed on {day}; {moved} reminders moved.").format(
                    count=len(done.confirmed), day=due.strftime("%d/%m/%Y"), moved=done.reminders_moved)
                if due is not None else _("{count} drafts confirmed: their reminders will be sent.").format(
                    count=len(done.confirmed)))
        return listing(ctx, text)

    def confirm_lists(ctx: Ctx) -> web.Response:
        chosen = [str(t)[:24] for t in ctx.form.getall("task", [])]
        with ctx.services.tx() as session:
            if not chosen:
                require_admin(ctx.viewer.actor)
                raise Refused("console_nothing_ticked")
            done = assumptions.confirm_evidence(session, ctx.viewer.actor, chosen, ctx.ev)
        return listing(ctx, _("The evidence lists of {count} tasks are now required.").format(count=len(done)))

    app.router.add_get("/drafts", console.route("direct", listing))
    app.router.add_post("/drafts/confirm", console.route("edit", confirm))
    app.router.add_post("/drafts/evidence", console.route("edit", confirm_lists))
