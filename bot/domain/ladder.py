"""The reminder ladder: when each reminder of an occurrence goes out, and to whom."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Literal
from zoneinfo import ZoneInfo

from bot.domain.deadlines import Occurrence, task_deadlines
from bot.domain.plan import Ladder, Plan
from bot.domain.workdays import WorkCalendar

Kind = Literal["before", "due", "overdue", "escalation"]
_KIND_ORDER = {"before": 0, "due": 1, "overdue": 2, "escalation": 3}


@dataclass(frozen=True)
class Reminder:
    """One planned message. `offset` is in working days from the due date (negative: before)."""

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
    task = plan.task(occurrence.task_id)
    spec = next(s for s in task_deadlines(plan, task) if s.id == occurrence.deadline_id)
    return plan.plan.ladder.merged(task.ladder).merged(spec.ladder)


def _at(day: date, ladder: Ladder, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, ladder.send_time, tzinfo=zone).astimezone(timezone.utc)


def ladder_reminders(occurrence: Occurrence, ladder: Ladder, calendar: WorkCalendar, zone: ZoneInfo,
                     office: str) -> list[Reminder]:
    """Every reminder of one occurrence, assuming nobody confirms; sorted by time."""
    due = occurrence.due
    due_day = calendar.previous_working_day(due)  # with shift=keep the due date may be a day off
    rungs: list[tuple[date, Kind, str, tuple[str, ...], int]] = []
    own = (occurrence.unit,)
    for n in sorted(set(ladder.before), reverse=True):
        rungs.append((calendar.add_working_days(due, -n), "before", f"before-{n}", own, -n))
    if ladder.on_due:
        rungs.append((due_day, "due", "due", own, 0))
    for n in range(ladder.overdue_every, ladder.overdue_for + 1, ladder.overdue_every):
        rungs.append((calendar.add_working_days(due, n), "overdue", f"overdue-{n}", own, n))
    if ladder.escalate_to_lead_after is not None:
        lead = occurrence.lead_units or (office,)
        if occurrence.unit not in lead:  # a lead unit late on its own share: leadership's rung handles it
            n = ladder.escalate_to_lead_after
            rungs.append((calendar.add_working_days(due, n), "escalation", f"escalation-lead-{n}", lead, n))
    if ladder.escalate_to_leadership_after is not None:
        n = ladder.escalate_to_leadership_after
        rungs.append((calendar.add_working_days(due, n), "escalation", f"escalation-leadership-{n}",
                      (ladder.leadership_role,), n))
    reminders = [Reminder(occurrence.key, _at(day, ladder, zone), kind, rung, to, offset)
                 for day, kind, rung, to, offset in rungs]
    reminders.sort(key=lambda r: (r.at, _KIND_ORDER[r.kind], r.offset))
    return reminders


def plan_reminders(plan: Plan, occurrence: Occurrence, calendar: WorkCalendar) -> list[Reminder]:
    """The reminders of an occurrence under the plan's (and task's) ladder."""
    zone = ZoneInfo(plan.plan.timezone)
    return ladder_reminders(occurrence, effective_ladder(plan, occurrence), calendar, zone, plan.plan.office)
