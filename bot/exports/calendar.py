"""A unit's deadlines as an iCalendar file: one all-day event per occurrence, a reminder the day before."""

from __future__ import annotations

from datetime import datetime, timedelta

from icalendar import Alarm, Calendar, Event
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.models import OccurrenceRow, TaskRow, UnitRow
from bot.domain.clock import SystemClock
from bot.i18n import N_, _
from bot.services.access import Refused
from bot.services.occurrences import counted
from bot.texts import fmt_date

ZONE_NAME = "Asia/Ho_Chi_Minh"
SOURCES = {"seed": N_("the plan's original text"), "assumed": N_("assumed (the original text gives no exact date)")}
# All-day events are floating: 16 hours before their midnight is 08:00 the day before, wherever the phone is.
ALARM_BEFORE = timedelta(hours=16)


def find_unit(session: Session, unit: str) -> UnitRow:
    """The active unit with this id (any letter case); Refused("unknown_unit") lists the valid ids."""
    row = session.scalar(select(UnitRow).where(func.upper(UnitRow.id) == unit.strip().upper(),
                                               UnitRow.retired.is_(False)))
    if row is None:
        known = ", ".join(session.scalars(select(UnitRow.id).where(UnitRow.retired.is_(False)).order_by(UnitRow.id)))
        raise Refused("unknown_unit", unit=unit[:40], known=known)
    return row


def unit_calendar(session: Session, unit: str, now: datetime | None = None) -> bytes:
    """The .ics of one unit's live occurrences (DTSTAMP is `now`, default the system clock)."""
    row = find_unit(session, unit)
    stamp = now or SystemClock().now()
    cal = Calendar()
    cal.add("prodid", "-//nhacviec//Han nhiem vu CCHC//VI")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", _("Deadlines of the administrative reform plan — {unit}").format(unit=row.name))
    cal.add("x-wr-timezone", ZONE_NAME)
    occurrences = session.execute(
        select(OccurrenceRow, TaskRow).join(TaskRow, TaskRow.id == OccurrenceRow.task_id)
        .where(OccurrenceRow.unit == row.id, *counted())
        .order_by(OccurrenceRow.due, OccurrenceRow.task_id, OccurrenceRow.id)).all()
    for occ, task in occurrences:
        event = Event()
        event.add("uid", f"{occ.key}@nhacviec")
        event.add("dtstamp", stamp)
        event.add("dtstart", occ.due)
        event.add("dtend", occ.due + timedelta(days=1))
        event.add("summary", f"[{task.id}] {task.title} — {occ.label}")
        source = _(SOURCES[occ.source]) if occ.source in SOURCES else occ.source
        event.add("description", "\n".join((
            _("Area {area}: {name}").format(area=task.area, name=task.area_name),
            _("Unit: {id} — {name}").format(id=row.id, name=row.name),
            _("Deadline: {due}").format(due=fmt_date(occ.due)),
            _("Source of the deadline: {source}").format(source=source))))
        event.add("transp", "TRANSPARENT")
        if occ.status != "done":  # nothing to remind of once the office accepted it
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", _("Due tomorrow: [{task}] {title}").format(task=task.id, title=task.title))
            alarm.add("trigger", -ALARM_BEFORE)
            event.add_component(alarm)
        cal.add_component(event)
    return cal.to_ical()
