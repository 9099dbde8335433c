"""Criteria sets as trees: load a criteria file into the set of its year, read the tree, edit it (audited)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.db.audit import audit
from bot.db.models import CriteriaSetRow, CriterionRow, CriterionTaskRow, CriterionUnitRow, TaskRow, UnitRow
from bot.dossier.criteria_file import CriteriaFile
from bot.services.access import Refused
from bot.services.criteria import current_set, set_for_year


@dataclass(frozen=True)
class LoadResult:
    set_id: int
    year: int
    loaded: int
    retired: int
    unknown_tasks: tuple[str, ...]  # named by the file, not in the plan (links kept anyway)
    unknown_units: tuple[str, ...]
    warnings: tuple[str, ...]  # from the file's checks (sums that differ)


@dataclass(frozen=True)
class SetFacts:
    id: int
    year: int
    name: str
    source: str | None
    total_points: float | None
    last_points: float | None
    last_rank: int | None
    last_of: int | None
    period_start: date
    period_end: date


@dataclass(frozen=True)
class Node:
    """One row of the tree, in the province's order; `depth` 0 for an area."""

    id: int
    code: str
    level: str
    parent_id: int | None
    depth: int
    name: str
    max_points: float
    method: str | None
    evidence: str | None
    survey: bool
    tasks: tuple[str, ...]
    units: tuple[str, ...]
    guessed: tuple[str, ...]


def set_facts(row: CriteriaSetRow) -> SetFacts:
    return SetFacts(row.id, row.year, row.name, row.source, row.total_points, row.last_points, row.last_rank,
                    row.last_of, row.period_start, row.period_end)


def criteria_sets(session: Session) -> list[SetFacts]:
    """Every set, newest year first."""
    return [set_facts(r) for r in session.scalars(select(CriteriaSetRow).order_by(CriteriaSetRow.year.desc()))]


def resolve_set(session: Session, set_id: int | None) -> CriteriaSetRow:
    """The set asked for, or the current one; Refused when there is none."""
    row = session.get(CriteriaSetRow, set_id) if set_id is not None else current_set(session)
    if row is None:
        raise Refused("no_criteria_set", ref=set_id if set_id is not None else "-")
    return row


def load_file(session: Session, parsed: CriteriaFile, now: datetime, actor: str = "cli", source: str = "",
              year: int | None = None) -> LoadResult:
    """Upsert the file's rows by code into the set of its year (the old flat list: `year`, else the current set's
    year, else now's); rows no longer in the file are retired, their scores and documents kept."""
    spec = parsed.set
    if spec.year is not None:
        year = spec.year
    elif year is None:
        found = current_set(session)
        year = found.year if found else now.year
    crit_set = set_for_year(session, year, now)
    if spec.year is not None:
        crit_set.name, crit_set.source, crit_set.total_points = spec.name, spec.source, spec.total_points
        crit_set.last_points, crit_set.last_rank, crit_set.last_of = spec.last_points, spec.last_rank, spec.last_of
    rows = {r.code: r for r in session.scalars(select(CriterionRow).where(CriterionRow.set_id == crit_set.id))}
    for position, item in enumerate(parsed.rows):
        row = rows.get(item.code)
        if row is None:
            row = CriterionRow(code=item.code, set_id=crit_set.id, name=item.name, max_points=item.max_points,
                               position=position, retired=False, level=item.level, survey=item.survey)
            session.add(row)
            rows[item.code] = row
        parent = rows[item.parent] if item.parent else None
        if parent is not None and parent.id is None:
            session.flush()
        row.name, row.max_points, row.position, row.retired, row.level = (item.name, item.max_points, position,
                                                                          False, item.level)
        row.parent_id = parent.id if parent is not None else None
        row.method, row.evidence, row.survey = item.method, item.evidence, item.survey
        row.guessed = list(item.guessed) or None
    session.flush()
    ids = [rows[item.code].id for item in parsed.rows]
    session.execute(delete(CriterionTaskRow).where(CriterionTaskRow.criterion_id.in_(ids)))
    session.execute(delete(CriterionUnitRow).where(CriterionUnitRow.criterion_id.in_(ids)))
    session.add_all(CriterionTaskRow(criterion_id=rows[i.code].id, task_id=t) for i in parsed.rows for t in i.tasks)
    session.add_all(CriterionUnitRow(criterion_id=rows[i.code].id, unit=u) for i in parsed.rows for u in i.units)
    codes = {i.code for i in parsed.rows}
    retired = [r for code, r in rows.items() if code not in codes and not r.retired]
    for row in retired:
        row.retired = True
    known_tasks = set(session.scalars(select(TaskRow.id)))
    known_units = set(session.scalars(select(UnitRow.id)))
    unknown_tasks = tuple(sorted({t for i in parsed.rows for t in i.tasks} - known_tasks))
    unknown_units = tuple(sorted({u for i in parsed.rows for u in i.units} - known_units))
    audit(session, now, actor, "criteria_loaded", source,
          {"set_id": crit_set.id, "year": year, "criteria": len(parsed.rows), "retired": len(retired),
           "unknown_tasks": list(unknown_tasks), "unknown_units": list(unknown_units)})
    return LoadResult(crit_set.id, year, len(parsed.rows), len(retired), unknown_tasks, unknown_units,
                      parsed.warnings)


def tree(session: Session, set_id: int | None = None) -> tuple[SetFacts, list[Node]]:
    """The set and its live rows in the province's order, each with its tasks and units."""
    crit_set = resolve_set(session, set_id)
    rows = list(session.scalars(select(CriterionRow).where(CriterionRow.set_id == crit_set.id,
                                                           CriterionRow.retired.is_(False))
                                .order_by(CriterionRow.position, CriterionRow.id)))
    ids = [r.id for r in rows]
    tasks: dict[int, list[str]] = {}
    units: dict[int, list[str]] = {}
    for cid, task in session.execute(select(CriterionTaskRow.criterion_id, CriterionTaskRow.task_id)
                                     .where(CriterionTaskRow.criterion_id.in_(ids))):
        tasks.setdefault(cid, []).append(task)
    for cid, unit in session.execute(select(CriterionUnitRow.criterion_id, CriterionUnitRow.unit)
                                     .where(CriterionUnitRow.criterion_id.in_(ids))):
        units.setdefault(cid, []).append(unit)
    depth: dict[int, int] = {}
    out = []
    for r in rows:
        depth[r.id] = depth.get(r.parent_id, -1) + 1 if r.parent_id is not None else 0
        out.append(Node(r.id, r.code, r.level, r.parent_id, depth[r.id], r.name, r.max_points, r.method, r.evidence,
                        r.survey, tuple(sorted(tasks.get(r.id, []))), tuple(sorted(units.get(r.id, []))),
                        tuple(r.guessed or ())))
    return set_facts(crit_set), out


def criteria_of_task(session: Session, task_id: str) -> list[tuple[int, str, int]]:
    """The other side of the link: (criterion id, code, set year) of the live criteria a task supports."""
    return [(cid, code, year) for cid, code, year in session.execute(
        select(CriterionRow.id, CriterionRow.code, CriteriaSetRow.year)
        .join(CriterionTaskRow, CriterionTaskRow.criterion_id == CriterionRow.id)
        .join(CriteriaSetRow, CriteriaSetRow.id == CriterionRow.set_id)
        .where(CriterionTaskRow.task_id == task_id, CriterionRow.retired.is_(False))
        .order_by(CriteriaSetRow.year.desc(), CriterionRow.position))]
