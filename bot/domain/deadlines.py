"""Expand a plan into dated deadline occurrences: task × unit × due date.

Who owes a deadline, most specific first: the deadline's `units`, the task's `owners`, then
`due_from` over the task's responsibility (all / lead / others). A deadline marked `collect` is the
lead's own date outward; the other units owe their share `plan.internal_lead_days` working days
earlier. Nothing is due before the plan starts (`plan.starts`, else `plan.issued_on`).
"""

from __future__ import annotations

import calendar as _calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil.rrule import rrulestr

from bot.domain.plan import DeadlineSpec, Plan, Task, parse_day_month
from bot.domain.workdays import Shift, WorkCalendar


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One deadline one unit must meet. `key` stays the same when the plan moves the date."""

    key: str
    task_id: str
    deadline_id: str
    unit: str
    period: str
    nominal: date
    due: date
    source: str
    label: str
    lead_units: tuple[str, ...]
    window_start: date | None = None


@dataclass(frozen=True)
class _Dated:
    period: str
    nominal: date
    window_start: date | None = None


def _day_in_year(year: int, day_month: str) -> date:
    day, month = parse_day_month(day_month)
    # 29/02 in a common year: the last day of February.
    return date(year, month, min(day, _calendar.monthrange(year, month)[1]))


def _window_dates(spec: DeadlineSpec, year: int) -> tuple[date, date]:
    window = spec.window
    assert window is not None
    actual = year + window.year_offset
    if window.quarter is not None:
        first_month = 3 * window.quarter - 2
        last_month = first_month + 2
        return date(actual, first_month, 1), date(actual, last_month, _calendar.monthrange(actual, last_month)[1])
    assert window.start is not None and window.end is not None
    start, end = _day_in_year(actual, window.start), _day_in_year(actual, window.end)
    if end < start:
        end = _day_in_year(actual + 1, window.end)
    return start, end


def _dated(spec: DeadlineSpec, plan_years: list[int]) -> list[_Dated]:
    years = sorted(spec.years or plan_years)
    if spec.date is not None:
        return [_Dated("once", date.fromisoformat(spec.date))]
    if spec.yearly is not None:
        return [_Dated(str(y), _day_in_year(y, spec.yearly)) for y in years]
    if spec.window is not None:
        out = []
        for y in years:
            start, end = _window_dates(spec, y)
            out.append(_Dated(str(y), end, start))
        return out
    assert spec.rrule is not None
    first, last = datetime(years[0], 1, 1), datetime(years[-1], 12, 31, 23, 59)
    rule = rrulestr(spec.rrule, dtstart=first)
    return [_Dated(moment.date().isoformat(), moment.date()) for moment in rule.between(first, last, inc=True)]


def _units_due(plan: Plan, task: Task, spec: DeadlineSpec) -> tuple[tuple[str, ...], tuple[str, ...]]:
    resp = plan.responsibility(task)
    lead, others = plan.expand_units(resp.lead), plan.expand_units(resp.others)
    if spec.units is not None:
        due = plan.expand_units(spec.units)
    elif task.owners is not None:
        due = plan.expand_units(task.owners.units)
    elif spec.due_from == "lead":
        due = lead or others
    elif spec.due_from == "others":
        due = others or lead
    else:
        due = lead + tuple(u for u in others if u not in lead)
    return due, lead


def task_deadlines(plan: Plan, task: Task) -> list[DeadlineSpec]:
    """The task's own deadlines plus the plan's common ones (unless it opts out)."""
    common = plan.plan.common_deadlines if task.common_deadlines else []
    return [*task.deadlines, *common]


def _label(plan: Plan, spec: DeadlineSpec, unit: str, lead: tuple[str, ...]) -> str:
    if spec.collect and spec.lead_label and unit in lead:
        return spec.lead_label
    if spec.office_label and unit == plan.plan.office:
        return spec.office_label
    return spec.label


def _source(plan: Plan, task: Task, spec: DeadlineSpec, unit: str, assumed_units: tuple[str, ...]) -> str:
    """`assumed` when the date, the task's owners or this unit's share is the transcriber's assumption."""
    if spec.source == "assumed" or unit in assumed_units:
        return "assumed"
    if spec.units is None and task.owners is not None and task.owners.source == "assumed":
        return "assumed"
    return spec.source


def expand_task(plan: Plan, task: Task, calendar: WorkCalendar) -> list[Occurrence]:
    """Every occurrence of one task, for each unit it is due from, none before the plan starts."""
    out: list[Occurrence] = []
    start = plan.plan.start
    for spec in task_deadlines(plan, task):
        rule = spec.shift or task.shift or plan.plan.shift
        units, lead = _units_due(plan, task, spec)
        assumed_units = plan.expand_units(spec.assumed_units or [])
        for dated in _dated(spec, plan.plan.years):
            nominal = dated.nominal - timedelta(days=1) if spec.exclusive else dated.nominal
            lead_due = calendar.shift(nominal, Shift(rule))
            for unit in units:
                due, unit_nominal = lead_due, nominal
                if spec.collect and lead and unit not in lead:
                    due = unit_nominal = calendar.add_working_days(lead_due, -plan.plan.internal_lead_days)
                if start is not None and due < start:
                    continue
                out.append(Occurrence(
                    key=f"{task.id}/{spec.id}/{unit}/{dated.period}", task_id=task.id,
                    deadline_id=spec.id, unit=unit, period=dated.period, nominal=unit_nominal, due=due,
                    source=_source(plan, task, spec, unit, assumed_units), label=_label(plan, spec, unit, lead),
                    lead_units=lead,
                    window_start=dated.window_start,
                ))
    return out


def expand_plan(plan: Plan, calendar: WorkCalendar, start: date | None = None, end: date | None = None,
                unit: str | None = None) -> list[Occurrence]:
    """All occurrences of the plan, optionally limited to a date range and a unit, sorted by due date."""
    out = [
        occ for task in plan.tasks for occ in expand_task(plan, task, calendar)
        if (start is None or occ.due >= start) and (end is None or occ.due <= end)
        and (unit is None or occ.unit == unit)
    ]
    order = {t.id: i for i, t in enumerate(plan.tasks)}
    out.sort(key=lambda o: (o.due, order[o.task_id], o.deadline_id, o.unit))
    return out
