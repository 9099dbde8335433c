"""Read models: progress per area and unit, overdue list (the checklist and task card: `bot/services/queue.py`)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import OccurrenceRow, TaskRow, UnitRow
from bot.domain.status import TO_DO, State, state_of
from bot.services.access import Actor, Refused, require_known, unit_by_code
from bot.services.occurrences import Scope, filter_sql, has_year, tallies

OPEN = tuple(str(s) for s in TO_DO)


def bucket_of(state: State) -> str:
    """The report category of a state (bot.domain.status.state_of): a returned one not yet late is still open."""
    return "open" if state == State.RETURNED else str(state)


def bucket(occ: OccurrenceRow, today: date) -> str:
    """done | awaiting_review | closed | overdue | open — the categories every report uses."""
    return bucket_of(state_of(occ.status, occ.due, today))


def _bucket(status: str, due: date, today: date) -> str:
    return bucket_of(state_of(status, due, today))


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

    def add(self, name: str, n: int = 1) -> None:
        setattr(self, name, getattr(self, name) + n)


@dataclass
class Progress:
    year: int | None
    unit: str | None
    total: Counts = field(default_factory=Counts)
    areas: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    area_names: dict[str, str] = field(default_factory=dict)
    units: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    plans: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))  # plan title → counts
    unit_names: dict[str, str] = field(default_factory=dict)  # code → name: leadership reads names (WORDING M5)


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
    # Counted in the database (one GROUP BY, bot.services.occurrences): the cost does not grow with the plan.
    if year is None and has_year(session, today.year, plan_id):
        year = today.year
    result = Progress(year, unit)
    found = tallies(session, today, unit, year, plan_id)
    tasks = {t.id: t for t in session.scalars(select(TaskRow).where(TaskRow.id.in_({k for k, _, _ in found.by_task})))}
    for unit_id, state, n in found.by_unit:
        result.units[unit_id].add(bucket_of(state), n)
    for task_id, state, n in found.by_task:
        task = tasks[task_id]
        for counts in (result.total, result.areas[task.area], result.plans[task.plan_title or ""]):
            counts.add(bucket_of(state), n)
        result.area_names[task.area] = task.area_name
    order = {t.plan_title or "": t.plan_id or "" for t in sorted(tasks.values(), key=lambda t: t.plan_id or "",
                                                                  reverse=True)}
    result.plans = dict(sorted(result.plans.items(), key=lambda kv: order.get(kv[0], "")))  # by plan id
    result.areas = dict(sorted(result.areas.items(), key=lambda kv: _area_key(kv[0])))
    result.units = dict(sorted(result.units.items()))
    result.unit_names = dict(session.execute(select(UnitRow.id, UnitRow.name).where(
        UnitRow.id.in_(set(result.units) | ({unit} if unit else set())))).all())
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


def overdue(session: Session, actor: Actor, today: date, limit: int | None = None) -> list[Line]:
    """Overdue occurrences: all of them for admins and leaders, the actor's units for heads (filtered in SQL)."""
    require_known(actor)
    stmt = (select(OccurrenceRow, TaskRow).join(TaskRow, TaskRow.id == OccurrenceRow.task_id)
            .where(*Scope(None if actor.can_read_all else frozenset(actor.units)).where(), filter_sql("q", today))
            .order_by(OccurrenceRow.due, OccurrenceRow.task_id, OccurrenceRow.unit))
    if limit is not None:
        stmt = stmt.limit(limit)
    return [_line(o, t) for o, t in session.execute(stmt)]
