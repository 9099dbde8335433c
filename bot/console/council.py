"""The council stage (after 20/11): the office records the council's question or point deduction on a
(sub)criterion and turns it into a short task for a unit (2–3 working days, with its own reminders), lists the
items with their state, and reminds the units whose people answer the survey (DTXHH). Every step through
bot/dossier/council.py (audited there); leadership reads."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web
from sqlalchemy import select

from bot.console.dossier import _set_id
from bot.console.plan import _date
from bot.db.models import CouncilItemRow, CriterionRow, CriterionUnitRow, OccurrenceRow, UnitRow
from bot.dossier import council, facts, tree
from bot.i18n import _
from bot.services.access import Refused

if TYPE_CHECKING:
    from bot.console.app import Console, Ctx


def add_routes(app: web.Application, console: Console) -> None:
    def show(ctx: Ctx, flash: str = "", status: int = 200) -> web.Response:
        chosen_criterion = str(ctx.form.get("criterion", "")) if ctx.form else ctx.request.query.get("criterion", "")
        with ctx.services.tx() as session:
            facts.require_reader(ctx.viewer.actor)
            sets = tree.criteria_sets(session)
            if not sets:
                return ctx.render("dossier_empty.html", nav="council", problems=[], warnings=[], status=status)
            chosen, nodes = tree.tree(session, _set_id(ctx))
            ids = [n.id for n in nodes]
            items = list(session.execute(
                select(CouncilItemRow, CriterionRow.code, OccurrenceRow.status, OccurrenceRow.due)
                .join(CriterionRow, CriterionRow.id == CouncilItemRow.criterion_id)
                .outerjoin(OccurrenceRow, OccurrenceRow.id == CouncilItemRow.occurrence_id)
                .where(CouncilItemRow.criterion_id.in_(ids)).order_by(CouncilItemRow.id.desc())))
            survey_ids = [n.id for n in nodes if n.survey]
            survey_units = set(session.scalars(select(CriterionUnitRow.unit).where(
                CriterionUnitRow.criterion_id.in_(survey_ids))))
            units = [(u.id, u.name) for u in session.scalars(select(UnitRow).where(UnitRow.retired.is_(False))
                                                             .order_by(UnitRow.id))]
        return ctx.render("council.html", nav="council", sets=sets, chosen=chosen, nodes=nodes, items=items,
                          units=units, survey=[n for n in nodes if n.survey], survey_units=survey_units,
                          picked=int(chosen_criterion) if chosen_criterion.isdigit() and len(chosen_criterion) < 12
                          else None, flash=flash, status=status)

    def record(ctx: Ctx) -> web.Response:
        form = ctx.form
        raw = str(form.get("criterion", ""))
        if not raw.isdigit() or len(raw) > 12:
            raise Refused("bad_request")
        days = 3 if str(form.get("days", "2")) == "3" else 2
        today = ctx.ev.now.astimezone(ctx.services.zone).date()
        with ctx.services.tx() as session:
            made = council.record_council_item(
                session, ctx.viewer.actor, int(raw), str(form.get("kind", ""))[:12], str(form.get("text", "")),
                str(form.get("points", "")) or None, str(form.get("unit", "")).strip()[:24] or None, ctx.ev, today,
                ctx.services.calendar, days)
        if made.due is None:
            return show(ctx, _("Recorded on criterion {code}. No single unit owes it: name the unit to give it a "
                               "task.").format(code=made.code))
        return show(ctx, _("Recorded on criterion {code}: {unit} must answer by {day} ({reminders} reminders "
                           "planned).").format(code=made.code, unit=made.unit, day=made.due.strftime("%d/%m/%Y"),
                                               reminders=made.reminders))

    def survey(ctx: Ctx) -> web.Response:
        until = _date(str(ctx.form.get("until", "")))
        chosen = [str(u)[:24] for u in ctx.form.getall("unit", [])]
        set_raw = str(ctx.form.get("set", ""))
        today = ctx.ev.now.astimezone(ctx.services.zone).date()
        with ctx.services.tx() as session:
            set_id = tree.resolve_set(session, int(set_raw) if set_raw.isdigit() and len(set_raw) < 12 else None).id
            if not chosen:
                raise Refused("console_nothing_ticked")
            done = council.remind_survey(session, ctx.viewer.actor, set_id, chosen, until, ctx.ev, today,
                                         ctx.services.calendar)
        return show(ctx, _("Survey reminder sent to {units} units; {notices} reminders in all until {day}.").format(
            units=len(done.units), notices=done.notices, day=until.strftime("%d/%m/%Y")))

    app.router.add_get("/council", console.route("direct", show))
    app.router.add_post("/council/item", console.route("edit", record))
    app.router.add_post("/council/survey", console.route("edit", survey))
