"""Read models: open tasks of a unit, progress per area and unit, overdue list, task details."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import AuditRow, EvidenceRow, OccurrenceRow, ReviewRow, TaskRow, UnitRow
from bot.services.access import Actor, Refused, require_known

OPEN = ("open", "returned")


def bucket(occ: OccurrenceRow, today: date) -> str:
    """done | awaiting_review | overdue | open — the categories every report uses."""
    return _bucket(occ.status, occ.due, today)


def _bucket(status: str, due: date, today: date) -> str:
    if status in ("done", "awaiting_review"):
        return status
    return "overdue" if due < today else "open"


@dataclass
class Counts:
    done: int = 0
    open: int = 0
    overdue: int = 0
    awaiting_review: int = 0

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


def _live(session: Session) -> list[tuple[OccurrenceRow, TaskRow]]:
    rows = session.execute(select(OccurrenceRow, TaskRow).join(TaskRow, TaskRow.id == OccurrenceRow.task_id)
                           .where(OccurrenceRow.retired_at.is_(None), TaskRow.retired_at.is_(None))
                           .order_by(OccurrenceRow.due, OccurrenceRow.task_id, OccurrenceRow.unit)).all()
    return [(occ, task) for occ, task in rows]


def progress(session: Session, actor: Actor, today: date, unit: str | None = None,
             year: int | None = None) -> Progress:
    """`/tiendo`: who may ask, which unit they mean; the counting is `compute_progress`."""
    require_known(actor)
    if unit is not None:
        found = session.scalar(select(UnitRow.id).where(UnitRow.id.ilike(unit)))
        if found is None:
            raise Refused("unknown_unit", unit=unit[:40],
                          known=", ".join(session.scalars(select(UnitRow.id).where(UnitRow.retired.is_(False)))))
        unit = found
    return compute_progress(session, today, unit, year)


def compute_progress(session: Session, today: date, unit: str | None = None, year: int | None = None) -> Progress:
    """Counts per area and per unit for a year (default: this year if the plan has deadlines in it).

    No actor: digests call it too, so every figure they show equals /tiendo at the same instant.
    """
    # Columns, not ORM rows, and the unit filtered in SQL: a digest run calls this once per unit.
    stmt = (select(OccurrenceRow.unit, OccurrenceRow.due, OccurrenceRow.status, TaskRow.area, TaskRow.area_name)
            .join(TaskRow, TaskRow.id == OccurrenceRow.task_id)
            .where(OccurrenceRow.retired_at.is_(None), TaskRow.retired_at.is_(None)))
    if year is None and session.scalar(stmt.with_only_columns(OccurrenceRow.id).where(
            OccurrenceRow.due.between(date(today.year, 1, 1), date(today.year, 12, 31))).limit(1)) is not None:
        year = today.year
    if year is not None:
        stmt = stmt.where(OccurrenceRow.due.between(date(year, 1, 1), date(year, 12, 31)))
    if unit is not None:
        stmt = stmt.where(OccurrenceRow.unit == unit)
    result = Progress(year, unit)
    for occ_unit, due, status, area, area_name in session.execute(stmt):
        name = _bucket(status, due, today)
        result.total.add(name)
        result.areas[area].add(name)
        result.area_names[area] = area_name
        result.units[occ_unit].add(name)
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


def open_tasks(session: Session, actor: Actor, today: date, limit: int = 10) -> tuple[list[Line], int]:
    """The actor's units' open occurrences: overdue first, then the nearest deadlines."""
    require_known(actor)
    if not actor.units:
        raise Refused("not_a_head")
    lines = [_line(o, t) for o, t in _live(session) if o.unit in actor.units and o.status in OPEN]
    return lines[:limit], len(lines)


def overdue(session: Session, actor: Actor, today: date) -> list[Line]:
    """Overdue occurrences: all of them for admins and leaders, the actor's units for heads."""
    require_known(actor)
    return [_line(o, t) for o, t in _live(session)
            if o.status in OPEN and o.due < today and (actor.can_read_all or o.unit in actor.units)]


@dataclass
class Details:
    task: TaskRow
    occurrences: list[OccurrenceRow]
    evidence: dict[int, list[EvidenceRow]]
    reviews: dict[int, list[ReviewRow]]
    history: list[AuditRow]


def task_details(session: Session, actor: Actor, task_id: str) -> Details:
    """`/nhiemvu <id>`: the task, its occurrences (own units for heads), their evidence and history."""
    require_known(actor)
    task = session.scalar(select(TaskRow).where(TaskRow.id == task_id[:24]))
    if task is None:
        raise Refused("no_such_task_id", task=task_id[:24])
    occs = [o for o in session.scalars(select(OccurrenceRow).where(OccurrenceRow.task_id == task.id,
                                                                  OccurrenceRow.retired_at.is_(None))
                                       .order_by(OccurrenceRow.due, OccurrenceRow.unit))
            if actor.can_read_all or o.unit in actor.units]
    ids = [o.id for o in occs]
    evidence: dict[int, list[EvidenceRow]] = defaultdict(list)
    reviews: dict[int, list[ReviewRow]] = defaultdict(list)
    for row in session.scalars(select(EvidenceRow).where(EvidenceRow.occurrence_id.in_(ids)).order_by(EvidenceRow.id)):
        evidence[row.occurrence_id].append(row)
    for rev in session.scalars(select(ReviewRow).where(ReviewRow.occurrence_id.in_(ids)).order_by(ReviewRow.id)):
        reviews[rev.occurrence_id].append(rev)
    keys = [o.key for o in occs]
    history = list(session.scalars(select(AuditRow).where(AuditRow.subject.in_(keys)).order_by(AuditRow.id.desc())
                                   .limit(15)))
    return Details(task, occs, evidence, reviews, history)
