"""The one query layer for occurrence states and counts: every list, count, report and export reads through it.

- `counted()`: THE filter an occurrence must pass to appear or be counted anywhere (live occurrence of a live
  task). A new rule (e.g. "confirmed") is one line here.
- `state_sql(today)`: `bot.domain.status.state_of` written in SQL (tests/unit hold the two together).
- `own_sql()`: the unit's own work (it leads, or carries the task out) as opposed to a contribution (it helps).
- `page_of(...)`: filter, count and page in the database: the cost grows with the page, not with the plan.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, false, func, literal, not_, or_, select
from sqlalchemy.orm import Session

from bot.db.models import EvidenceRow, OccurrenceRow, TaskRow, UnitRow
from bot.domain.status import FILTER_STATES, TO_DO, State

STATE_RANK_OWN = {State.RETURNED: 0, State.OVERDUE: 1, State.OPEN: 2, State.AWAITING_REVIEW: 3, State.DONE: 4,
                  State.CLOSED: 5}
STATE_RANK_WATCH = {State.OVERDUE: 0, State.RETURNED: 1, State.OPEN: 2, State.AWAITING_REVIEW: 3, State.DONE: 4,
                    State.CLOSED: 5}


def counted() -> list[ColumnElement[bool]]:
    """What every count and list keeps: live occurrences (a task leaving the plan retires its occurrences with it,
    bot.engine.sync, so no join with the tasks is needed) that are not an unconfirmed assumption (a draft counts
    nowhere until the office confirms it: bot.services.assumptions)."""
    return [OccurrenceRow.retired_at.is_(None), OccurrenceRow.confirmed.is_(True)]


def state_sql(today: date) -> ColumnElement[str]:
    """`state_of(status, due, today)` in SQL: still to do and past its date is overdue, else the status."""
    return case((and_(OccurrenceRow.status.in_([str(s) for s in TO_DO]), OccurrenceRow.due < today),
                 literal(str(State.OVERDUE))), else_=OccurrenceRow.status)


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def led_by(units: Iterable[str]) -> ColumnElement[bool]:
    """Occurrences whose task one of `units` leads: `lead_units` is "A,B"."""
    padded = literal(",").concat(OccurrenceRow.lead_units).concat(",")
    return or_(false(), *(padded.like(f"%,{_like_escape(u)},%", escape="\\") for u in sorted(units)))


def own_sql() -> ColumnElement[bool]:
    """The unit's own work: it leads, nobody leads, or the others carry the task out rather than help."""
    leads_itself = literal(",").concat(OccurrenceRow.lead_units).concat(",").like(
        literal("%,").concat(OccurrenceRow.unit).concat(",%"))
    return or_(OccurrenceRow.lead_units == "", leads_itself, TaskRow.others_cooperate.is_not(True))


def is_contribution(unit: str, lead_units: str, others_cooperate: bool | None) -> bool:
    """`own_sql()` negated, for one row already read (the reminder card): another unit leads, this one helps."""
    led = set(filter(None, lead_units.split(",")))
    return bool(led) and unit not in led and bool(others_cooperate)


def current_sql(today: date) -> ColumnElement[bool]:
    """The current period: due by the end of this year (later years only under "all")."""
    return OccurrenceRow.due <= date(today.year, 12, 31)


def filter_sql(f: str, today: date) -> ColumnElement[bool]:
    states = [str(s) for s in FILTER_STATES[f]]
    keep = state_sql(today).in_(states)
    return keep if f == "a" else and_(keep, current_sql(today))


@dataclass(frozen=True)
class Scope:
    """Whose occurrences: `units` (own units; None: all) and, for a lead unit, those it leads of other units."""

    units: frozenset[str] | None = None
    led_by: frozenset[str] | None = None

    def where(self) -> list[ColumnElement[bool]]:
        out = counted()
        if self.led_by is not None:
            out += [led_by(self.led_by), OccurrenceRow.unit.not_in(sorted(self.led_by))]
        if self.units is not None:
            out.append(OccurrenceRow.unit.in_(sorted(self.units)))
        return out


def _base(columns: Iterable[Any] | None = None) -> Select[Any]:
    stmt = select(*(columns or (OccurrenceRow.id,))).select_from(OccurrenceRow)
    return stmt.join(TaskRow, TaskRow.id == OccurrenceRow.task_id)


def state_counts(session: Session, scope: Scope, today: date) -> dict[tuple[State, bool], int]:
    """(state, in the current period) → occurrences: one GROUP BY over an index, no join."""
    state, cur = state_sql(today), case((current_sql(today), 1), else_=0)
    rows = session.execute(select(state, cur, func.count()).select_from(OccurrenceRow).where(*scope.where())
                           .group_by(state, cur)).all()
    return {(State(st), bool(c)): n for st, c, n in rows}


def filter_counts(session: Session, scope: Scope, today: date,
                  by_state: dict[tuple[State, bool], int] | None = None) -> dict[str, int]:
    """How many occurrences each list filter holds."""
    by_state = state_counts(session, scope, today) if by_state is None else by_state
    return {f: sum(n for (st, cur), n in by_state.items() if st in states and (f == "a" or cur))
            for f, states in FILTER_STATES.items()}


@dataclass(frozen=True)
class Subject:
    """What an answer names: the task, the unit, the deadline's label and due date."""

    occurrence_id: int
    task_id: str
    title: str
    unit: str
    unit_name: str
    label: str
    due: date


@dataclass(frozen=True)
class Row:
    subject: Subject
    state: State
    own: bool
    evidence: int


def _rank(ranks: dict[State, int], state: ColumnElement[str]) -> ColumnElement[int]:
    return case(*((state == str(s), r) for s, r in ranks.items()), else_=9)


def _segment(state: State, today: date) -> ColumnElement[bool]:
    """One state as an index range on (status, due)."""
    if state == State.OVERDUE:
        return and_(OccurrenceRow.status.in_([str(s) for s in TO_DO]), OccurrenceRow.due < today)
    if state in (State.RETURNED, State.OPEN):
        return and_(OccurrenceRow.status == str(state), OccurrenceRow.due >= today)
    return OccurrenceRow.status == str(state)


def _columns(own: ColumnElement[bool], state: ColumnElement[str]) -> list[Any]:
    return [OccurrenceRow.id, OccurrenceRow.task_id, TaskRow.title, OccurrenceRow.unit, UnitRow.name,
            OccurrenceRow.label, OccurrenceRow.due, state.label("state"), own.label("own")]


def _rows(session: Session, stmt: Select[Any]) -> list[Row]:
    found = session.execute(stmt).all()
    evidence = evidence_counts(session, [r[0] for r in found])
    return [Row(Subject(oid, task, title or "", unit, name or unit, label, due), State(st), bool(is_own),
                evidence.get(oid, 0)) for oid, task, title, unit, name, label, due, st, is_own in found]


def page_rows(session: Session, scope: Scope, today: date, f: str, offset: int, limit: int,
              watch: bool, by_state: dict[tuple[State, bool], int] | None = None) -> list[Row]:
    """One page: only the page is read.

    A unit's own list (small): own work first, contributions after, then what needs action first. A watch list
    (every unit's, large): worst first, read state by state as index ranges, skipping whole states by their
    counts, so a page costs about the same at 12 units or 500.
    """
    state = state_sql(today)
    own = own_sql()
    base = (_base(_columns(own, state)).join(UnitRow, UnitRow.id == OccurrenceRow.unit).where(*scope.where()))
    if not watch:
        latest_first = state.in_([str(State.OVERDUE), str(State.DONE)])
        return _rows(session, base.where(filter_sql(f, today))
                     .order_by(case((own, 0), else_=1), _rank(STATE_RANK_OWN, state),
                               case((latest_first, OccurrenceRow.due)).desc(),
                               case((not_(latest_first), OccurrenceRow.due)),
                               OccurrenceRow.task_id, OccurrenceRow.unit, OccurrenceRow.id)
                     .offset(offset).limit(limit))
    by_state = state_counts(session, scope, today) if by_state is None else by_state
    out: list[Row] = []
    for st in sorted(FILTER_STATES[f], key=lambda x: STATE_RANK_WATCH[x]):
        n = sum(c for (s_, cur), c in by_state.items() if s_ == st and (f == "a" or cur))
        if offset >= n:
            offset -= n
            continue
        stmt = base.where(_segment(st, today))
        if f != "a":
            stmt = stmt.where(current_sql(today))
        due = OccurrenceRow.due.desc() if st == State.DONE else OccurrenceRow.due
        out += _rows(session, stmt.order_by(due, OccurrenceRow.task_id, OccurrenceRow.unit, OccurrenceRow.id)
                     .offset(offset).limit(limit - len(out)))
        offset = 0
        if len(out) >= limit:
            break
    return out


def evidence_counts(session: Session, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    return {oid: n for oid, n in session.execute(
        select(EvidenceRow.occurrence_id, func.count()).where(EvidenceRow.occurrence_id.in_(ids))
        .group_by(EvidenceRow.occurrence_id))}


@dataclass(frozen=True)
class Tallies:
    """Occurrences per (unit, state) and per (task, state): the reports' figures (/tiendo, digests, chart)."""

    by_unit: list[tuple[str, State, int]]
    by_task: list[tuple[str, State, int]]


def tallies(session: Session, today: date, unit: str | None = None, year: int | None = None,
            plan_id: str | None = None) -> Tallies:
    """Two GROUP BYs over the occurrences alone (no join): areas and plans follow from the ~40 tasks."""
    state = state_sql(today)
    where = counted()
    if plan_id is not None:
        where.append(OccurrenceRow.task_id.in_(select(TaskRow.id).where(TaskRow.plan_id == plan_id)))
    if year is not None:
        where.append(OccurrenceRow.due.between(date(year, 1, 1), date(year, 12, 31)))
    if unit is not None:
        where.append(OccurrenceRow.unit == unit)

    def grouped(column: Any) -> list[tuple[str, State, int]]:
        return [(key, State(st), n) for key, st, n in session.execute(
            select(column, state, func.count()).where(*where).group_by(column, state))]

    return Tallies(grouped(OccurrenceRow.unit), grouped(OccurrenceRow.task_id))


def has_year(session: Session, year: int, plan_id: str | None = None) -> bool:
    stmt = _base().where(*counted(), OccurrenceRow.due.between(date(year, 1, 1), date(year, 12, 31)))
    if plan_id is not None:
        stmt = stmt.where(TaskRow.plan_id == plan_id)
    return session.scalar(stmt.limit(1)) is not None
