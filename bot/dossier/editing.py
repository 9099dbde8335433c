"""Editing the criteria tree and its set (the office only, every change audited)."""

from __future__ import annotations

import unicodedata
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.audit import audit
from bot.db.models import CriterionRow, CriterionTaskRow, CriterionUnitRow, TaskRow, UnitRow
from bot.dossier.criteria_file import CODE_CHARS, LEVELS, parse_criteria_file
from bot.dossier.tree import LoadResult, SetFacts, load_file, resolve_set, set_facts
from bot.services.access import Actor, Refused, require_admin
from bot.services.criteria import score_criterion
from bot.services.tasks import Event

NAME_CHARS = 2000

def import_criteria(session: Session, actor: Actor, text: str, name: str, ev: Event,
                    year: int | None = None) -> LoadResult:
    """The office uploads a criteria file (format 2 or the old list); CriteriaFileError lists every problem."""
    require_admin(actor)
    return load_file(session, parse_criteria_file(text, name), ev.now, f"member:{actor.member_id}", name, year)


def update_set(session: Session, actor: Actor, set_id: int, ev: Event, *, name: str | None = None,
               period: tuple[date, date] | None = None, last_year: tuple[float | None, int | None, int | None]
               | None = None) -> SetFacts:
    """The set's name, assessment period (documents issued inside it count) or last year's points/rank/of."""
    require_admin(actor)
    row = resolve_set(session, set_id)
    before = set_facts(row)
    if name is not None:
        if not _clean(name, NAME_CHARS):
            raise Refused("empty_text")
        row.name = _clean(name, NAME_CHARS)
    if period is not None:
        if period[0] > period[1]:
            raise Refused("bad_request")
        row.period_start, row.period_end = period
    if last_year is not None:
        points, rank, of = last_year
        if (points is not None and not 0 <= points <= 100) or (rank is not None and of is not None and rank > of) \
                or any(v is not None and v < 1 for v in (rank, of)):
            raise Refused("bad_request")
        row.last_points, row.last_rank, row.last_of = points, rank, of
    after = set_facts(row)
    audit(session, ev.now, f"member:{actor.member_id}", "criteria_set_updated", row.name,
          {"set_id": row.id, "before": _jsonable(before), "after": _jsonable(after)}, ev.update_id)
    return after


def _jsonable(facts: SetFacts) -> dict[str, object]:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in facts.__dict__.items()}


def record_score(session: Session, actor: Actor, criterion_id: int, raw_score: str, explanation: str,
                 ev: Event) -> int:
    """The self-score and giai trinh of a row without rows under it (a parent's score is its rows' sum)."""
    require_admin(actor)
    row = _criterion(session, criterion_id)
    if session.scalar(select(CriterionRow.id).where(CriterionRow.parent_id == row.id,
                                                    CriterionRow.retired.is_(False)).limit(1)) is not None:
        raise Refused("score_on_parent", code=row.code)
    return score_criterion(session, actor, row, raw_score, explanation, ev).id

def _clean(text: str, limit: int) -> str:
    return unicodedata.normalize("NFC", " ".join(text.split()))[:limit]


def _criterion(session: Session, criterion_id: int) -> CriterionRow:
    row = session.get(CriterionRow, criterion_id)
    if row is None or row.retired:
        raise Refused("no_such_criterion", code=str(criterion_id), known="-")
    return row


def _points(raw: float | str) -> float:
    try:
        value = float(str(raw).strip().replace(",", "."))
    except ValueError:
        raise Refused("criterion_bad_points", value=str(raw)[:20]) from None
    if not 0 <= value <= 100 or round(value, 2) != value:
        raise Refused("criterion_bad_points", value=str(raw)[:20])
    return value


def add_criterion(session: Session, actor: Actor, set_id: int, code: str, name: str, max_points: float | str,
                  level: str, parent_id: int | None, ev: Event) -> int:
    """A new row at the end of its parent's rows; returns its id."""
    require_admin(actor)
    crit_set = resolve_set(session, set_id)
    code, name = _clean(code, CODE_CHARS + 1), _clean(name, NAME_CHARS)
    if not code or len(code) > CODE_CHARS or not name:
        raise Refused("criterion_bad_code", code=code[:CODE_CHARS])
    if level not in LEVELS:
        raise Refused("criterion_bad_level", level=level[:24])
    points = _points(max_points)
    if session.scalar(select(CriterionRow.id).where(CriterionRow.set_id == crit_set.id,
                                                    CriterionRow.code == code)) is not None:
        raise Refused("criterion_code_taken", code=code)
    parent = _criterion(session, parent_id) if parent_id is not None else None
    if parent is not None and (parent.set_id != crit_set.id
                               or LEVELS.index(parent.level) != LEVELS.index(level) - 1):
        raise Refused("criterion_bad_parent", code=code, parent=parent.code)
    if parent is None and level != LEVELS[0]:
        raise Refused("criterion_bad_parent", code=code, parent="-")
    siblings = list(session.scalars(select(CriterionRow).where(CriterionRow.set_id == crit_set.id)
                                    .order_by(CriterionRow.position)))
    after = max((r.position for r in siblings if parent is not None and _under(r, parent.id, siblings)),
                default=parent.position if parent is not None else max((r.position for r in siblings), default=-1))
    for r in siblings:
        if r.position > after:
            r.position += 1
    row = CriterionRow(set_id=crit_set.id, code=code, name=name, max_points=points, position=after + 1,
                       retired=False, level=level, parent_id=parent.id if parent else None, survey=False)
    session.add(row)
    session.flush()
    audit(session, ev.now, f"member:{actor.member_id}", "criterion_added", code,
          {"set_id": crit_set.id, "criterion_id": row.id, "name": name, "max_points": points, "level": level,
           "parent": parent.code if parent else None}, ev.update_id)
    return row.id


def _under(row: CriterionRow, ancestor: int, rows: list[CriterionRow]) -> bool:
    by_id = {r.id: r for r in rows}
    parent = row.parent_id
    while parent is not None:
        if parent == ancestor:
            return True
        parent = by_id[parent].parent_id if parent in by_id else None
    return False


def rename_criterion(session: Session, actor: Actor, criterion_id: int, name: str, ev: Event) -> None:
    require_admin(actor)
    row = _criterion(session, criterion_id)
    name = _clean(name, NAME_CHARS)
    if not name:
        raise Refused("empty_text")
    before, row.name = row.name, name
    audit(session, ev.now, f"member:{actor.member_id}", "criterion_renamed", row.code,
          {"criterion_id": row.id, "before": before, "after": name}, ev.update_id)


def set_max_points(session: Session, actor: Actor, criterion_id: int, max_points: float | str, ev: Event) -> None:
    require_admin(actor)
    row = _criterion(session, criterion_id)
    before, row.max_points = row.max_points, _points(max_points)
    audit(session, ev.now, f"member:{actor.member_id}", "criterion_max_set", row.code,
          {"criterion_id": row.id, "before": before, "after": row.max_points}, ev.update_id)


def set_details(session: Session, actor: Actor, criterion_id: int, method: str | None, evidence: str | None,
                survey: bool, ev: Event) -> None:
    """The scoring method text, the evidence asked for and the survey (DTXHH) flag."""
    require_admin(actor)
    row = _criterion(session, criterion_id)
    row.method = _clean(method or "", NAME_CHARS) or None
    row.evidence = _clean(evidence or "", NAME_CHARS) or None
    row.survey = survey
    audit(session, ev.now, f"member:{actor.member_id}", "criterion_details_set", row.code,
          {"criterion_id": row.id, "method": row.method, "evidence": row.evidence, "survey": survey}, ev.update_id)


def _set_link(session: Session, actor: Actor, criterion_id: int, kind: str, value: str, linked: bool,
              ev: Event) -> None:
    """Link (or unlink) a task or a unit to a criterion; audited when something changed."""
    require_admin(actor)
    row = _criterion(session, criterion_id)
    model: type[CriterionTaskRow] | type[CriterionUnitRow] = CriterionTaskRow if kind == "task" else CriterionUnitRow
    link = session.get(model, (row.id, value))
    if linked == (link is not None):
        return
    if link is not None:
        session.delete(link)
    elif kind == "task":
        session.add(CriterionTaskRow(criterion_id=row.id, task_id=value))
    else:
        session.add(CriterionUnitRow(criterion_id=row.id, unit=value))
    audit(session, ev.now, f"member:{actor.member_id}", f"criterion_{kind}_{'linked' if linked else 'unlinked'}",
          row.code, {"criterion_id": row.id, kind: value}, ev.update_id)


def link_task(session: Session, actor: Actor, criterion_id: int, task_id: str, ev: Event) -> None:
    """The task's evidence proves the criterion (visible on both sides: see criteria_of_task)."""
    task = session.get(TaskRow, task_id.strip())
    if task is None or task.retired_at is not None:
        raise Refused("no_such_task_id", task=task_id[:24])
    _set_link(session, actor, criterion_id, "task", task.id, True, ev)


def unlink_task(session: Session, actor: Actor, criterion_id: int, task_id: str, ev: Event) -> None:
    _set_link(session, actor, criterion_id, "task", task_id.strip(), False, ev)


def link_unit(session: Session, actor: Actor, criterion_id: int, unit: str, ev: Event) -> None:
    """The unit owes the criterion's evidence."""
    found = session.get(UnitRow, unit.strip())
    if found is None or found.retired:
        raise Refused("no_such_unit", unit=unit[:24])
    _set_link(session, actor, criterion_id, "unit", found.id, True, ev)


def unlink_unit(session: Session, actor: Actor, criterion_id: int, unit: str, ev: Event) -> None:
    _set_link(session, actor, criterion_id, "unit", unit.strip(), False, ev)
