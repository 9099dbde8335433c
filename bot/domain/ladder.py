"""The reminder ladder: when each reminder of an occurrence goes out, and to whom."""

from __future__ import annotations

from datetime import date, datetime, timezone
from functools import lru_cache
from typing import Literal, NamedTuple
from zoneinfo import ZoneInfo

from bot.domain.deadlines import Occurrence, task_deadlines
from bot.domain.plan import Ladder, Plan, parse_clock_time
from bot.domain.workdays import WorkCalendar

Kind = Literal["before", "due", "overdue", "escalation"]
_KIND_ORDER = {"before": 0, "due": 1, "overdue": 2, "escalation": 3}


class Reminder(NamedTuple):
    """One planned message. `offset` is in working days from the due date (negative: before).

    A named tuple rather than a frozen dataclass: a plan of hundreds of units makes
    about a million of them, and tuples are built faster, weigh less and drop out
    of the garbage collector's scans.
    """

    occurrence_key: str
    at: datetime
    kind: Kind
    rung: str
    to: tuple[str, ...]
    offset: int

    @property
    def key(self) -> str:
        return f"{self.occurrence_key}#{self.rung}"


def effective_ladder(plan: Plan, occurrence: Occurrence) -> Ladder:
    """Plan ladder, overridden by the task's, overridden by the deadline's."""
    def merge() -> Ladder:
        task = plan.task(occurrence.task_id)
        spec = next(s for s in task_deadlines(plan, task) if s.id == occurrence.deadline_id)
        return plan.plan.ladder.merged(task.ladder).merged(spec.ladder)

    ladder: Ladder = plan.derived(("ladder", occurrence.task_id, occurrence.deadline_id), merge)
    return ladder


class _Shape(NamedTuple):
    """The ladder fields that decide the rungs (hashable, unlike Ladder); `leadership` is who the last rung
    goes to: the office (through which the seed sends everything to leadership), the area's role in charge,
    or the role itself."""

    at: str
    before: tuple[int, ...]
    on_due: bool
    overdue_every: int
    overdue_for: int
    lead_after: int | None
    leadership_after: int | None
    leadership: tuple[str, ...] = ()


_OWN, _LEAD, _LEADERSHIP = 0, 1, 2  # who a rung goes to: an index into (own unit, lead units, leadership)
_Rung = tuple[datetime, Kind, str, int, int]


def _shape(ladder: Ladder, in_charge: str | None = None) -> _Shape:
    if not ladder.leadership_via_office:
        to: tuple[str, ...] = (in_charge or ladder.leadership_role,)
    else:
        to = (in_charge, "office") if in_charge else ("office",)
    return _Shape(ladder.at, tuple(ladder.before), ladder.on_due, ladder.overdue_every, ladder.overdue_for,
                  ladder.escalate_to_lead_after, ladder.escalate_to_leadership_after, to)


@lru_cache(maxsize=4096)
def _schedule(due: date, shape: _Shape, zone: ZoneInfo, calendar: WorkCalendar) -> tuple[_Rung, ...]:
    # Cached: the hundreds of units of one deadline share its due date, hence its rungs.
    rungs: list[tuple[date, Kind, str, int, int]] = []
    for n in sorted(set(shape.before), reverse=True):
        rungs.append((calendar.add_working_days(due, -n), "before", f"before-{n}", -n, _OWN))
    if shape.on_due:  # with shift=keep the due date may be a day off
        rungs.append((calendar.previous_working_day(due), "due", "due", 0, _OWN))
    for n in range(shape.overdue_every, shape.overdue_for + 1, shape.overdue_every):
        rungs.append((calendar.add_working_days(due, n), "overdue", f"overdue-{n}", n, _OWN))
    if shape.lead_after is not None:
        n = shape.lead_after
        rungs.append((calendar.add_working_days(due, n), "escalation", f"escalation-lead-{n}", n, _LEAD))
    if shape.leadership_after is not None:
        n = shape.leadership_after
        rungs.append((calendar.add_working_days(due, n), "escalation", f"escalation-leadership-{n}", n,
                      _LEADERSHIP))
    # Every rung goes out at the same time of day, so ordering by day orders by instant.
    rungs.sort(key=lambda r: (r[0], _KIND_ORDER[r[1]], r[3]))
    send_time = parse_clock_time(shape.at)
    return tuple((datetime.combine(day, send_time, tzinfo=zone).astimezone(timezone.utc), kind, rung, offset, who)
                 for day, kind, rung, offset, who in rungs)


def _reminders(occurrence: Occurrence, shape: _Shape, leadership_role: str, calendar: WorkCalendar,
               zone: ZoneInfo, office: str) -> list[Reminder]:
    lead = occurrence.lead_units or (office,)
    top = shape.leadership or (leadership_role,)
    if occurrence.unit == office:  # the office late on its own share: leadership hears it directly
        top = tuple(t for t in top if t != "office") or (leadership_role,)
    audiences = ((occurrence.unit,), lead, top)
    # A lead unit late on its own share: leadership's rung handles it.
    skip = _LEAD if occurrence.unit in lead else -1
    key, make = occurrence.key, Reminder._make  # _make skips keyword handling: this loop runs a million times
    return [make((key, at, kind, rung, audiences[who], offset))
            for at, kind, rung, offset, who in _schedule(occurrence.due, shape, zone, calendar) if who != skip]


def ladder_reminders(occurrence: Occurrence, ladder: Ladder, calendar: WorkCalendar, zone: ZoneInfo,
                     office: str) -> list[Reminder]:
    """Every reminder of one occurrence, assuming nobody confirms; sorted by time."""
    return _reminders(occurrence, _shape(ladder), ladder.leadership_role, calendar, zone, office)


def plan_reminders(plan: Plan, occurrence: Occurrence, calendar: WorkCalendar) -> list[Reminder]:
    """The reminders of an occurrence under the plan's (and task's) ladder."""
    def settings() -> tuple[_Shape, str, ZoneInfo]:
        ladder = effective_ladder(plan, occurrence)
        in_charge = plan.area(plan.task(occurrence.task_id).area).in_charge
        return _shape(ladder, in_charge), ladder.leadership_role, ZoneInfo(plan.plan.timezone)

    shape, role, zone = plan.derived(("reminders", occurrence.task_id, occurrence.deadline_id), settings)
    return _reminders(occurrence, shape, role, calendar, zone, plan.plan.office)
