"""Acting heads and extensions from the console: on the People page the office sets who stands in for a unit's
head from one date to another, or cancels it; on the extensions page it grants or refuses the units' requests
for more time. Every step through bot/services/delegation.py (audited there)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.console.plan import _date
from bot.db.models import ActingHeadRow, ExtensionRow, MemberRow, OccurrenceRow, TaskRow
from bot.i18n import _
from bot.services import delegation
from bot.services.access import Refused, require_admin

if TYPE_CHECKING:
    from bot.console.app import Console, Ctx


@dataclass(frozen=True)
class Acting:
    id: int
    unit: str
    member: str
    starts: date
    ends: date
    now: bool  # standing in today


@dataclass(frozen=True)
class Request:
    id: int
    unit: str
    task_id: str
    title: str
    label: str
    by: str
    reason: str
    old_due: date
    wanted_due: date
    created_at: datetime
    decision: str | None
    answer: str | None


def acting_heads(session: Session, today: date) -> list[Acting]:
    """Stand-ins not cancelled that have not ended, by unit then start."""
    rows = session.execute(select(ActingHeadRow, MemberRow.name)
                           .join(MemberRow, MemberRow.id == ActingHeadRow.member_id)
                           .where(ActingHeadRow.cancelled_at.is_(None), ActingHeadRow.ends >= today)
                           .order_by(ActingHeadRow.unit, ActingHeadRow.starts, ActingHeadRow.id))
    return [Acting(a.id, a.unit, name, a.starts, a.ends, a.starts <= today) for a, name in rows]


def candidates(session: Session) -> list[MemberRow]:
    """Who may stand in for a head: the active heads and staff of a unit (a deputy is invited as staff)."""
    return list(session.scalars(select(MemberRow).where(MemberRow.active, MemberRow.unit.is_not(None),
                                                        MemberRow.role.in_(("head", delegation.STAFF)))
                                .order_by(MemberRow.unit, MemberRow.name, MemberRow.id)))


def requests(session: Session, decided: int = 30) -> tuple[list[Request], list[Request]]:
    """The requests waiting (oldest first) and the latest `decided` ones."""
    query = (select(ExtensionRow, OccurrenceRow, TaskRow.title, MemberRow.name)
             .join(OccurrenceRow, OccurrenceRow.id == ExtensionRow.occurrence_id)
             .join(TaskRow, TaskRow.id == OccurrenceRow.task_id)
             .join(MemberRow, MemberRow.id == ExtensionRow.member_id))

    def made(rows: object) -> list[Request]:
        return [Request(e.id, o.unit, o.task_id, title, o.label, name, e.reason, e.old_due, e.wanted_due,
                        e.created_at, e.decision, e.answer) for e, o, title, name in rows]  # type: ignore[attr-defined]

    waiting = made(session.execute(query.where(ExtensionRow.decision.is_(None)).order_by(ExtensionRow.id)))
    done = made(session.execute(query.where(ExtensionRow.decision.is_not(None))
                                .order_by(ExtensionRow.decided_at.desc(), ExtensionRow.id.desc()).limit(decided)))
    return waiting, done


def add_routes(app: web.Application, console: Console) -> None:
    from bot.console.people import listing_of

    def set_acting(ctx: Ctx) -> web.Response:
        raw = str(ctx.form.get("member", ""))
        if not raw.isdigit() or len(raw) > 12:
            raise Refused("not_a_unit_member", unit="-")
        starts, ends = _date(str(ctx.form.get("starts", ""))), _date(str(ctx.form.get("ends", "")))
        with ctx.services.tx() as session:
            require_admin(ctx.viewer.actor)
            member = session.get(MemberRow, int(raw))
            if member is None or member.unit is None:
                raise Refused("not_a_unit_member", unit="-")
            row = delegation.set_acting_head(session, ctx.viewer.actor, member.unit, member.id, starts, ends, ctx.ev)
            name, unit = member.name, row.unit
        return listing_of(ctx, _("{name} stands in for the head of {unit} from {starts} to {ends}: reminders and "
                                 "rights follow them on those days.").format(
            name=name, unit=unit, starts=starts.strftime("%d/%m/%Y"), ends=ends.strftime("%d/%m/%Y")))

    def cancel_acting(ctx: Ctx) -> web.Response:
        with ctx.services.tx() as session:
            require_admin(ctx.viewer.actor)
            row = delegation.cancel_acting_head(session, ctx.viewer.actor, int(ctx.request.match_info["id"]), ctx.ev)
            unit = row.unit
        return listing_of(ctx, _("The stand-in for the head of {unit} was cancelled.").format(unit=unit))

    def extensions(ctx: Ctx, flash: str = "") -> web.Response:
        with ctx.services.tx() as session:
            require_admin(ctx.viewer.actor)
            waiting, done = requests(session)
        return ctx.render("extensions.html", nav="people", waiting=waiting, done=done, flash=flash)

    def decide(ctx: Ctx) -> web.Response:
        grant = ctx.request.match_info["how"] == "grant"
        with ctx.services.tx() as session:
            made = delegation.decide_extension(session, ctx.viewer.actor, int(ctx.request.match_info["id"]), grant,
                                               ctx.ev, ctx.services.calendar, str(ctx.form.get("answer", "")))
            unit, due = made.occurrence.unit, made.occurrence.due
        return extensions(ctx, _("Granted: {unit}'s deadline is now {day}; {moved} reminders moved.").format(
            unit=unit, day=due.strftime("%d/%m/%Y"), moved=made.reminders_moved) if grant else
            _("Refused: {unit} was told; the deadline stays {day}.").format(unit=unit, day=due.strftime("%d/%m/%Y")))

    app.router.add_post("/people/acting", console.route("edit", set_acting))
    app.router.add_post("/people/acting/{id:\\d{1,12}}/cancel", console.route("edit", cancel_acting))
    app.router.add_get("/extensions", console.route("edit", extensions))
    app.router.add_post("/extensions/{id:\\d{1,12}}/{how:grant|refuse}", console.route("edit", decide))
