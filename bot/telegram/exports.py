"""`/xuat` (`/export`): the workbook and evidence package as documents; `/lich` and 📅 buttons: a unit's .ics."""

from __future__ import annotations

import asyncio
import logging
import re
from pathlib import Path

from sqlalchemy import select
from telegram import InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot.db.audit import audit
from bot.db.models import UnitRow
from bot.engine.channel import Button
from bot.exports.calendar import find_unit, unit_calendar
from bot.exports.package import MAX_PART, Export, fmt_size, write_export
from bot.exports.records import load_snapshot
from bot.i18n import _, language
from bot.i18n.refusals import t
from bot.services.access import Actor, Refused, require_admin, require_known
from bot.telegram.channel import to_markup
from bot.telegram.context import BotContext
from bot.telegram.handlers import actor_of, guarded, reply
from bot.texts import fmt_date

log = logging.getLogger(__name__)
ICS_PATTERN = r"^ics:"
_ICS = re.compile(r"^ics:([A-Za-z0-9_.-]{1,24})$")
UPLOAD_TIMEOUT = 300  # seconds: a 45 MB part over a provincial office's uplink


def _export_dir(context: BotContext, update: Update) -> Path:
    svc = context.services
    stamp = svc.clock.now().astimezone(svc.zone)
    return svc.evidence_dir.resolve().parent / "exports" / f"{stamp:%Y%m%d-%H%M%S}-{update.update_id}"


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


@guarded
async def xuat(update: Update, context: BotContext) -> None:
    """Admins: build the export in a folder next to the evidence store and send what Telegram accepts."""
    actor = actor_of(update, context)
    require_admin(actor)
    svc = context.services
    message = update.effective_message
    assert message is not None
    await reply(update, t("export_started", actor.lang))
    with svc.tx() as session:  # a short read; the slow writing happens outside the transaction
        snap = load_snapshot(session, svc.today())
    out = _export_dir(context, update)
    done = await asyncio.to_thread(write_export, snap, out, MAX_PART, svc.zone)
    pkg = done.package
    files = [done.workbook, *pkg.paths]
    kept = [p for p in files if p.stat().st_size > MAX_PART]  # Telegram refuses uploads over 50 MB
    sendable = [p for p in files if p not in kept]
    for path in sendable:
        caption = (t("export_workbook_caption", actor.lang, day=fmt_date(snap.today)) if path == done.workbook else
                   t("export_part_caption", actor.lang, n=pkg.paths.index(path) + 1, of=len(pkg.paths)))
        with path.open("rb") as file:
            await message.reply_document(file, filename=path.name, caption=caption, write_timeout=UPLOAD_TIMEOUT)
    for path in sendable:  # sent: no need to keep a copy of every evidence file per export
        path.unlink(missing_ok=True)
    if not any(out.iterdir()):
        out.rmdir()
    with svc.tx() as session:
        audit(session, svc.clock.now(), f"member:{actor.member_id}", "export_created", out.name,
              {"occurrences": len(snap.occurrences), "files": pkg.file_count, "parts": [p.name for p in pkg.paths],
               "sizes": pkg.sizes, "missing": len(pkg.missing), "mismatched": len(pkg.mismatched),
               "kept": [str(p) for p in kept]}, update.update_id)
    await reply(update, _summary(done, kept, actor.lang, len(snap.occurrences)))


def _calendar(context: BotContext, actor: Actor, unit: str) -> tuple[str, bytes]:
    """A head gets their own units' calendars; admins and leadership any unit's."""
    require_known(actor)
    svc = context.services
    with svc.tx() as session:
        row = find_unit(session, unit)
        if not actor.can_read_all and row.id not in actor.units:
            raise Refused("not_your_calendar", unit=row.id, own=", ".join(sorted(actor.units)) or "-")
        return row.id, unit_calendar(session, row.id, svc.clock.now())


async def _send_calendar(update: Update, context: BotContext, actor: Actor, unit: str, data: bytes) -> None:
    message = update.effective_message
    assert message is not None
    await message.reply_document(data, filename=f"{unit}.ics", caption=t("calendar_caption", actor.lang, unit=unit))
    with context.services.tx() as session:
        audit(session, context.services.clock.now(), f"member:{actor.member_id}", "calendar_sent", unit,
              {"bytes": len(data)}, update.update_id)


PICKER_PAGE = 10  # 10 units + ◀ ▶: at most 12 buttons


def _picker(ids: list[str], page: int, lang: str) -> InlineKeyboardMarkup | None:
    """A page of 📅 unit buttons, two a row, with ◀ ▶ (`lp:<page>`)."""
    pages = max(1, -(-len(ids) // PICKER_PAGE))
    page = min(max(page, 0), pages - 1)
    with language(lang):
        buttons = [Button("📅 " + _("Calendar {unit}").format(unit=u), f"ics:{u}")
                   for u in ids[page * PICKER_PAGE:(page + 1) * PICKER_PAGE]]
    rows = [tuple(buttons[i:i + 2]) for i in range(0, len(buttons), 2)]
    arrows = ([Button("◀", f"lp:{page - 1}")] if page > 0 else []) + (
        [Button("▶", f"lp:{page + 1}")] if page + 1 < pages else [])
    if arrows:
        rows.append(tuple(arrows))
    return to_markup(tuple(rows))


def _unit_ids(context: BotContext) -> list[str]:
    with context.services.tx() as session:
        return list(session.scalars(select(UnitRow.id).where(UnitRow.retired.is_(False)).order_by(UnitRow.id)))


@guarded
async def on_picker(update: Update, context: BotContext, args: str) -> None:
    """`lp:<page>`: another page of the calendar picker, in place."""
    actor = actor_of(update, context)
    require_known(actor)
    if not actor.can_read_all:
        raise Refused("admin_only")
    query = update.callback_query
    assert query is not None
    await query.answer()
    try:
        await query.edit_message_reply_markup(_picker(_unit_ids(context), int(args), actor.lang))
    except BadRequest as exc:  # not modified, or too old to edit
        log.info("calendar picker not edited: %s", exc)


@guarded
async def lich(update: Update, context: BotContext) -> None:
    """/lich: the head's unit calendar(s); /lich <unit> for admins; admins without a unit get a picker."""
    actor = actor_of(update, context)
    require_known(actor)
    if context.args:
        units = [context.args[0]]
    elif actor.units:
        units = sorted(actor.units)
    elif actor.can_read_all:
        await reply(update, t("lich_pick", actor.lang), _picker(_unit_ids(context), 0, actor.lang))
        return
    else:
        raise Refused("not_a_head")
    for unit in units:
        unit_id, data = _calendar(context, actor, unit)
        await _send_calendar(update, context, actor, unit_id, data)


@guarded
async def on_ics(update: Update, context: BotContext) -> None:
    """📅 button `ics:<unit>`: checked like /lich (forged data for another unit is refused)."""
    query = update.callback_query
    assert query is not None
    match = _ICS.match(query.data or "")
    if match is None:
        raise Refused("bad_request")
    actor = actor_of(update, context)
    unit_id, data = _calendar(context, actor, match[1])
    await query.answer()
    await _send_calendar(update, context, actor, unit_id, data)
