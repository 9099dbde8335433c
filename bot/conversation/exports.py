"""`/xuat` (`/export`): the workbook and evidence package as files; `/lich` and 📅 choices: a unit's .ics."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from sqlalchemy import select

from bot.conversation.routes import ChoiceRoute, Topic, bare, by_page
from bot.conversation.turn import Turn
from bot.db.audit import audit
from bot.db.models import UnitRow
from bot.exports.calendar import find_unit, unit_calendar
from bot.exports.package import MAX_PART, Export, fmt_size, write_export
from bot.exports.records import load_snapshot
from bot.i18n import _, language
from bot.i18n.refusals import t
from bot.services.access import Refused, require_admin, require_known
from bot.texts import fmt_date
from bot.views.model import Action, View

UNIT = re.compile(r"^[A-Za-z0-9_.-]{1,24}$")  # `ics:<unit>`: a unit id, never a path
PICKER_PAGE = 10  # 10 units + ◀ ▶: at most 12 actions


def _export_dir(turn: Turn) -> Path:
    svc = turn.services
    stamp = svc.clock.now().astimezone(svc.zone)
    return svc.evidence_dir.resolve().parent / "exports" / f"{stamp:%Y%m%d-%H%M%S}-{turn.event.update_id}"


def _summary(done: Export, kept: list[Path], lang: str, occurrences: int) -> str:
    pkg = done.package
    text = t("export_done", lang, occurrences=occurrences, files=pkg.file_count, parts=len(pkg.paths),
             size=fmt_size(sum(pkg.sizes) + done.workbook_size))
    if len(pkg.paths) > 1:
        text += "\n" + t("export_parts_hint", lang)
    if pkg.missing:
        text += "\n" + t("export_missing", lang, count=len(pkg.missing))
    if pkg.mismatched:
        text += "\n" + t("export_mismatched", lang, count=len(pkg.mismatched), files="; ".join(pkg.mismatched[:5]))
    for path in kept:
        text += "\n" + t("export_kept", lang, name=path.name, size=fmt_size(path.stat().st_size), path=str(path))
    return text


async def export(turn: Turn) -> None:
    """Admins: build the export in a folder next to the evidence store and send the files a channel accepts
    (a file over MAX_PART, above Telegram's 50 MB upload limit, stays on the server and the summary names it)."""
    actor = turn.actor
    require_admin(actor)
    svc = turn.services
    await turn.reply(View((t("export_started", actor.lang),)))
    with svc.tx() as session:  # a short read; the slow writing happens outside the transaction
        snap = load_snapshot(session, svc.today())
    out = _export_dir(turn)
    done = await asyncio.to_thread(write_export, snap, out, MAX_PART, svc.zone)
    pkg = done.package
    files = [done.workbook, *pkg.paths]
    limit = min(MAX_PART, turn.file_limit)  # Telegram refuses uploads over 50 MB; Zalo carries no file
    kept = [p for p in files if p.stat().st_size > limit]
    sendable = [p for p in files if p not in kept]
    for path in sendable:
        caption = (t("export_workbook_caption", actor.lang, day=fmt_date(snap.today)) if path == done.workbook else
                   t("export_part_caption", actor.lang, n=pkg.paths.index(path) + 1, of=len(pkg.paths)))
        await turn.send_file(path, path.name, caption)
    for path in sendable:  # sent: no need to keep a copy of every evidence file per export
        path.unlink(missing_ok=True)
    if not any(out.iterdir()):
        out.rmdir()
    with svc.tx() as session:
        audit(session, svc.clock.now(), f"member:{actor.member_id}", "export_created", out.name,
              {"occurrences": len(snap.occurrences), "files": pkg.file_count, "parts": [p.name for p in pkg.paths],
               "sizes": pkg.sizes, "missing": len(pkg.missing), "mismatched": len(pkg.mismatched),
               "kept": [str(p) for p in kept]}, turn.event.update_id)
    await turn.reply(View((_summary(done, kept, actor.lang, len(snap.occurrences)),)))


def _calendar(turn: Turn, unit: str) -> tuple[str, bytes]:
    """A head gets their own units' calendars; admins and leadership any unit's."""
    actor = turn.actor
    require_known(actor)
    svc = turn.services
    with svc.tx() as session:
        row = find_unit(session, unit)
        if not actor.can_read_all and row.id not in actor.units:
            raise Refused("not_your_calendar", unit=row.id, own=", ".join(sorted(actor.units)) or "-")
        return row.id, unit_calendar(session, row.id, svc.clock.now())


async def _send_calendar(turn: Turn, unit: str, data: bytes) -> None:
    actor = turn.actor
    await turn.send_file(data, f"{unit}.ics", t("calendar_caption", actor.lang, unit=unit))
    with turn.services.tx() as session:
        audit(session, turn.services.clock.now(), f"member:{actor.member_id}", "calendar_sent", unit,
              {"bytes": len(data)}, turn.event.update_id)


def _picker(turn: Turn, page: int) -> View:
    """A page of 📅 unit choices (`ics:<unit>`), two a row, with ◀ ▶ (`lp:<page>`)."""
    with turn.services.tx() as session:
        ids = list(session.scalars(select(UnitRow.id).where(UnitRow.retired.is_(False)).order_by(UnitRow.id)))
    pages = max(1, -(-len(ids) // PICKER_PAGE))
    page = min(max(page, 0), pages - 1)
    lang = turn.actor.lang
    with language(lang):
        actions = [Action("📅 " + _("Calendar {unit}").format(unit=u), f"ics:{u}")
                   for u in ids[page * PICKER_PAGE:(page + 1) * PICKER_PAGE]]
    rows = [tuple(actions[i:i + 2]) for i in range(0, len(actions), 2)]
    arrows = ((Action("◀", f"lp:{page - 1}"),) if page > 0 else ()) + (
        (Action("▶", f"lp:{page + 1}"),) if page + 1 < pages else ())
    if arrows:
        rows.append(arrows)
    return View((t("lich_pick", lang),), tuple(rows))


async def picker_page(turn: Turn, page: int) -> None:
    """`lp:<page>`: another page of the calendar picker, in place (admins and leadership)."""
    require_known(turn.actor)
    if not turn.actor.can_read_all:
        raise Refused("admin_only")
    await turn.show(_picker(turn, page))


async def calendars(turn: Turn, args: tuple[str, ...]) -> None:
    """/lich: the head's unit calendar(s); /lich <unit> for admins; admins without a unit get a picker."""
    actor = turn.actor
    require_known(actor)
    if args:
        units = [args[0]]
    elif actor.units:
        units = sorted(actor.units)
    elif actor.can_read_all:
        await turn.reply(_picker(turn, 0))
        return
    else:
        raise Refused("not_a_head")
    for unit in units:
        unit_id, data = _calendar(turn, unit)
        await _send_calendar(turn, unit_id, data)


async def calendar_choice(turn: Turn, unit: str) -> None:
    """📅 `ics:<unit>`: checked like /lich (forged data for another unit is refused)."""
    unit_id, data = _calendar(turn, unit)
    await _send_calendar(turn, unit_id, data)


TOPIC = Topic(
    commands={"xuat": bare(export), "export": bare(export), "lich": calendars},
    choices={"lp": by_page(picker_page), "ics": ChoiceRoute(UNIT, calendar_choice)})
