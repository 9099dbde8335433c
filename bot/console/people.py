"""People: members and their channels, invites one by one or from a list (.xlsx/.csv), revoke an invite,
remove a member after a confirmation; every change through bot/services/invites.py (audited there)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.console.roster import RosterError, read_roster
from bot.db.models import MemberRow, UnitRow
from bot.domain.text import nfc
from bot.i18n import _
from bot.services import channels, invites
from bot.services.access import Actor, Refused, unit_by_code
from bot.services.tasks import Event

if TYPE_CHECKING:
    from bot.console.app import Console, Ctx

MAX_LIST_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Invited:
    """One row of the list and what came of it: a code to send, or why not."""

    line: int
    name: str
    unit: str
    title: str
    contact: str
    code: str = ""
    invite_id: int = 0
    problem: str = ""


def _unit_of(session: Session, given: str) -> UnitRow | None:
    """A unit by its code, or by its exact name (any case)."""
    row = unit_by_code(session, given)
    if row is not None:
        return row
    wanted = nfc(given).strip().casefold()
    return next((u for u in session.scalars(select(UnitRow).where(UnitRow.retired.is_(False)))
                 if u.name.casefold() == wanted), None)


def invite_list(session: Session, actor: Actor, name: str, data: bytes, ev: Event) -> list[Invited]:
    """One invite per person of the list (as a head of their unit); a row's problem leaves the others made."""
    out = []
    for person in read_roster(name, data):
        row = Invited(person.line, person.name, person.unit, person.title, person.contact)
        if not person.name:
            out.append(_with(row, problem=_("the name is empty")))
            continue
        unit = _unit_of(session, person.unit) if person.unit else None
        if unit is None:
            out.append(_with(row, problem=_("unit \"{unit}\" is not in the plan").format(unit=person.unit)))
            continue
        invite = invites.create_invite(session, actor, unit.id, ev)
        out.append(_with(row, unit=unit.id, code=invite.code, invite_id=invite.id))
    return out


def _with(row: Invited, **changes: Any) -> Invited:
    return Invited(**{**row.__dict__, **changes})


def listing_of(ctx: Ctx, flash: str = "", made: list[Invited] | None = None, error: str = "",
               status: int = 200) -> web.Response:
    """The People page: members and channels, open invites, acting heads (bot/console/standins.py)."""
    from bot.console.standins import acting_heads, candidates

    today = ctx.ev.now.astimezone(ctx.services.zone).date()
    with ctx.services.tx() as session:
        persons = channels.people(session, ctx.viewer.actor)
        _members, uncovered = invites.members_by_unit(session, ctx.viewer.actor)
        open_ = invites.open_invites(session, ctx.viewer.actor, ctx.ev.now)
        units = {u.id: u.name for u in session.scalars(select(UnitRow))}
        acting, standins = acting_heads(session, today), candidates(session)
    return ctx.render("people.html", persons=persons, uncovered=uncovered, invites=open_, units=units,
                      flash=flash, made=made or [], error=error, status=status, acting=acting, standins=standins)


def add_routes(app: web.Application, console: Console) -> None:
    listing = listing_of

    def invite_one(ctx: Ctx) -> web.Response:
        with ctx.services.tx() as session:
            invite = invites.create_invite(session, ctx.viewer.actor, str(ctx.form.get("target", ""))[:40], ctx.ev)
            made = [Invited(0, "", invite.unit or invite.role, "", "", invite.code, invite.id)]
        return listing(ctx, _("Invite made: send the code below to the person."), made)

    def invite_many(ctx: Ctx) -> web.Response:
        upload = ctx.form.get("file")
        if upload is None or not hasattr(upload, "file"):
            return listing(ctx, error=_("Choose a list (.xlsx or .csv) first."), status=400)
        data = upload.file.read(MAX_LIST_BYTES + 1)
        if len(data) > MAX_LIST_BYTES:
            return listing(ctx, error=_("The list is larger than 2 MB."), status=413)
        try:
            with ctx.services.tx() as session:
                made = invite_list(session, ctx.viewer.actor, upload.filename or "", data, ctx.ev)
        except RosterError as exc:
            texts = {"type": _("Send the list as .xlsx or .csv."),
                     "encoding": _("The .csv file is not UTF-8: save it again as \"CSV UTF-8\"."),
                     "unreadable": _("The .xlsx file cannot be opened ({why}).").format(why=exc.why),
                     "header": _("No header row naming the columns \"full name\" and \"unit\" in the first 10 rows.")}
            return listing(ctx, error=texts[exc.key], status=400)
        good = sum(1 for m in made if m.code)
        return listing(ctx, _("{good} invites made, {bad} rows need fixing (listed below).").format(
            good=good, bad=len(made) - good), made)

    def revoke(ctx: Ctx) -> web.Response:
        with ctx.services.tx() as session:
            invites.revoke_invite(session, ctx.viewer.actor, int(ctx.request.match_info["id"]), ctx.ev)
        return listing(ctx, _("The invite was revoked: its code no longer works."))

    def confirm_remove(ctx: Ctx) -> web.Response:
        with ctx.services.tx() as session:
            invites.members_by_unit(session, ctx.viewer.actor)  # the office only
            member = session.get(MemberRow, int(ctx.request.match_info["id"]))
            if member is None or not member.active:
                raise Refused("no_such_member")
            units = {u.id: u.name for u in session.scalars(select(UnitRow))}
        return ctx.render("remove.html", member=member, units=units)

    def remove(ctx: Ctx) -> web.Response:
        with ctx.services.tx() as session:
            member = invites.remove_member(session, ctx.viewer.actor, int(ctx.request.match_info["id"]), ctx.ev)
            name = member.name
        return listing(ctx, _("{name} was removed: the bot no longer reminds them; the history is kept.").format(
            name=name))

    app.router.add_get("/people", console.route("edit", listing))
    app.router.add_post("/people/invite", console.route("edit", invite_one))
    app.router.add_post("/people/bulk", console.route("edit", invite_many))
    app.router.add_post("/invites/{id:\\d{1,12}}/revoke", console.route("edit", revoke))
    app.router.add_get("/people/{id:\\d{1,12}}/remove", console.route("edit", confirm_remove))
    app.router.add_post("/people/{id:\\d{1,12}}/remove", console.route("edit", remove))


