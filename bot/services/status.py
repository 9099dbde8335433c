"""Read models: progress per area and unit, overdue list (the checklist and task card: `bot/services/queue.py`)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import OccurrenceRow, TaskRow, UnitRow
from bot.services.access import Actor, Refused, require_known, unit_by_code

OPEN = ("open", "returned")


def bucket(occ: OccurrenceRow, today: date) -> str:
    """done | awaiting_review | closed | overdue | open — the categories every report uses."""
    return _bucket(occ.status, occ.due, today)


def _bucket(status: str, due: date, today: date) -> str:
    if status in ("done", "awaiting_review", "closed"):  # closed: by the office (services.closing)
        return status
    return "overdue" if due < today else "open"


@dataclass
class Counts:
    done: int = 0
    open: int = 0
    overdue: int = 0
    awaiting_review: int = 0
    closed: int = 0  # counted apart: not in `total`, so closing never changes a completion rate

    @property
    def total(self) -> int:
        return self.done + self.open + self.overdue + self.awaiting_review

    def add(self, name: str) -> None:
        setattr(self, name, getattr(self, name) + 1)


@dataclass
class Progress:
    year: int | None
    unit: str | None
    total: Counts = field(default_factory=Counts)
    areas: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    area_names: dict[str, str] = field(default_factory=dict)
    units: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    plans: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))  # plan title → counts


def _live(session: Session) -> list[tuple[OccurrenceRow, TaskRow]]:
    rows = session.execute(select(OccurrenceRow, TaskRow).join(TaskRow, TaskRow.id == OccurrenceRow.task_id)
                           .where(OccurrenceRow.retired_at.is_(None), TaskRow.retired_at.is_(None))
                           .order_by(OccurrenceRow.due, OccurrenceRow.task_id, OccurrenceRow.unit)).all()
    return [(occ, task) for occ, task in rows]


def progress(session: Session, actor: Actor, today: date, unit: str | None = None,
             year: int | None = None, plan_id: str | None = None) -> Progress:
    """`/tiendo`: who may ask, which unit they mean; the counting is `compute_progress`."""
    require_known(actor)
    if unit is not None:
        row = unit_by_code(session, unit, active_only=False)  # exact: `%` or `_` are not patterns
        if row is None:
            raise Refused("unknown_unit", unit=unit[:40],
                          known=", ".join(session.scalars(select(UnitRow.id).where(UnitRow.retired.is_(False)))))
        unit = row.id
    return compute_progress(session, today, unit, year, plan_id)


def compute_progress(session: Session, today: date, unit: str | None = None, year: int | None = None,
                     plan_id: str | None = None) -> Progress:
    """Counts per area and per unit for a year (default: this year if the plan has deadlines in it).

    No actor: digests call it too, so every figure they show equals /tiendo at the same instant.
    """
    # Columns, not ORM rows, and the unit filtered in SQL: a digest run calls this once per unit.
    stmt = (select(OccurrenceRow.unit, OccurrenceRow.due, OccurrenceRow.status, TaskRow.area, TaskRow.area_name,
                   TaskRow.plan_title)
            .join(TaskRow, TaskRow.id == OccurrenceRow.task_id)
            .where(OccurrenceRow.retired_at.is_(None), TaskRow.retired_at.is_(None)))
    if plan_id is not None:
        stmt = stmt.where(TaskRow.plan_id == plan_id)
    if year is None and session.scalar(stmt.with_only_columns(OccurrenceRow.id).where(
            OccurrenceRow.due.between(date(today.year, 1, 1), date(today.year, 12, 31))).limit(1)) is not None:
        year = today.year
    if year is not None:
        stmt = stmt.where(OccurrenceRow.due.between(date(year, 1, 1), date(year, 12, 31)))
    if unit is not None:
        stmt = stmt.where(OccurrenceRow.unit == unit)
    result = Progress(year, unit)
    for occ_unit, due, status, area, area_name, plan_title in session.execute(stmt):
        name = _bucket(status, due, today)
        result.total.add(name)
        result.areas[area].add(name)
        result.area_names[area] = area_name
        result.units[occ_unit].add(name)
        result.plans[plan_title or ""].add(name)
    result.areas = dict(sorted(result.areas.items(), key=lambda kv: _area_key(kv[0])))
    result.units = dict(sorted(result.units.items()))
    return result


def _area_key(area: str) -> tuple[int, str]:
    return (int(area), area) if area.isdigit() else (10**6, area)


@dataclass(frozen=True)
class Line:
    occurrence_id: int
    task_id: str
    title: str
    area: str
    area_name: str
    label: str
    unit: str
    due: date
    status: str
    evidence_required: bool


def _line(occ: OccurrenceRow, task: TaskRow) -> Line:
    return Line(occ.id, occ.task_id, task.title, task.area, task.area_name, occ.label, occ.unit, occ.due,
                occ.status, task.evidence_required)


def overdue(session: Session, actor: Actor, today: date) -> list[Line]:
    """Overdue occurrences: all of them for admins and leaders, the actor's units for heads."""
    require_known(actor)
    return [_line(o, t) for o, t in _live(session)
            if o.status in OPEN and o.due < today and (actor.can_read_all or o.unit in actor.units)]
