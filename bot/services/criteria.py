"""The province's PAR criteria (code, name, maximum points, the tasks whose evidence supports each) and the
office's self-scores with their explanation (giai trinh). Criteria come from `schedules/criteria-*.yaml`, separate from
the plan: the codes and points are set by the province's decision each year.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.db.audit import audit
from bot.db.models import CriteriaSetRow, CriterionRow, CriterionTaskRow, SelfScoreRow, TaskRow
from bot.i18n import _
from bot.services.access import Actor, Refused, require_admin
from bot.services.tasks import Event

_SCORE = re.compile(r"^\d{1,3}([.,]\d{1,2})?$")
EXPLANATION_CHARS = 2000


class CriteriaError(Exception):
    """A criteria file that cannot be loaded; `problems` lists every one, already in words."""

    def __init__(self, path: str, problems: list[str]) -> None:
        super().__init__(f"{path}: {'; '.join(problems)}")
        self.path, self.problems = path, problems


@dataclass(frozen=True)
class CriterionSpec:
    code: str
    name: str
    max_points: float
    tasks: tuple[str, ...]


@dataclass(frozen=True)
class LoadResult:
    loaded: int
    retired: int
    unknown_tasks: tuple[str, ...]  # task ids the file names that the database does not have (kept anyway)


@dataclass(frozen=True)
class CriterionScore:
    """One line of the scoring table: the criterion and its latest self-score (None: not scored yet)."""

    id: int
    code: str
    name: str
    max_points: float
    task_ids: tuple[str, ...]
    score: float | None
    explanation: str
    recorded_by: int | None
    recorded_at: datetime | None


def _text(value: Any) -> str:
    return unicodedata.normalize("NFC", " ".join(str(value).split())) if value is not None else ""


def parse_criteria(text: str, path: str = "criteria.yaml") -> list[CriterionSpec]:
    """A list of {code, name, max_points, tasks} (or a mapping with such a `criteria:` list)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CriteriaError(path, [_("not valid YAML: {error}").format(error=str(exc).splitlines()[0])]) from None
    if isinstance(data, dict):
        data = data.get("criteria")
    if not isinstance(data, list) or not data:
        raise CriteriaError(path, [_("expected a list of criteria, each with code, name, max_points and tasks")])
    problems: list[str] = []
    specs: list[CriterionSpec] = []
    seen: set[str] = set()
    for n, item in enumerate(data, start=1):
        where = _("criterion {n}").format(n=n)
        if not isinstance(item, dict):
            problems.append(_("{where}: expected code, name, max_points and tasks").format(where=where))
            continue
        code, name = _text(item.get("code")), _text(item.get("name"))
        points, tasks = item.get("max_points"), item.get("tasks", [])
        if not code or len(code) > 32:
            problems.append(_("{where}: code is missing or longer than 32 characters").format(where=where))
        elif code in seen:
            problems.append(_("{where}: code {code} appears twice").format(where=where, code=code))
        seen.add(code)
        if not name:
            problems.append(_("{where}: name is missing").format(where=where))
        if isinstance(points, bool) or not isinstance(points, (int, float)) or not 0 < points <= 100:
            problems.append(_("{where}: max_points must be a number above 0 and at most 100").format(where=where))
        if not isinstance(tasks, list) or not all(isinstance(t, (str, int, float)) for t in tasks):
            problems.append(_("{where}: tasks must be a list of task codes, e.g. [\"1.1\", \"2.3\"]")
                            .format(where=where))
            tasks = []
        specs.append(CriterionSpec(code, name, float(points) if isinstance(points, (int, float)) else 0.0,
                                   tuple(dict.fromkeys(_text(t) for t in tasks))))
    if problems:
        raise CriteriaError(path, problems)
    return specs


def current_set(session: Session) -> CriteriaSetRow | None:
    """The criteria set the office works on: the latest assessment year loaded."""
    return session.scalar(select(CriteriaSetRow).order_by(CriteriaSetRow.year.desc()).limit(1))


def set_for_year(session: Session, year: int, now: datetime) -> CriteriaSetRow:
    """The set of `year`, made (the whole calendar year as its period) when there is none."""
    row = session.scalar(select(CriteriaSetRow).where(CriteriaSetRow.year == year))
    if row is None:
        row = CriteriaSetRow(year=year, name=_("PAR index {year}").format(year=year), period_start=date(year, 1, 1),
                             period_end=date(year, 12, 31), created_at=now)
        session.add(row)
        session.flush()
    return row


def _live(session: Session) -> Any:
    """Live criteria of the current set."""
    found = current_set(session)
    return select(CriterionRow).where(CriterionRow.retired.is_(False),
                                      CriterionRow.set_id == (found.id if found else -1))


def load_criteria(session: Session, specs: list[CriterionSpec], now: datetime, actor: str = "cli",
                  source: str = "", year: int | None = None) -> LoadResult:
    """Upsert by code in file order into the set of `year` (default: now's); criteria no longer in the file
    are retired (their scores kept)."""
    known_tasks = set(session.scalars(select(TaskRow.id)))
    crit_set = set_for_year(session, year or now.year, now)
    rows = {r.code: r for r in session.scalars(select(CriterionRow).where(CriterionRow.set_id == crit_set.id))}
    for position, spec in enumerate(specs):
        row = rows.get(spec.code)
        if row is None:
            row = CriterionRow(code=spec.code, name=spec.name, max_points=spec.max_points, position=position,
                               retired=False, set_id=crit_set.id, level="tieu_chi", survey=False)
            session.add(row)
            session.flush()
            rows[spec.code] = row
        row.name, row.max_points, row.position, row.retired = spec.name, spec.max_points, position, False
        session.execute(delete(CriterionTaskRow).where(CriterionTaskRow.criterion_id == row.id))
        session.add_all(CriterionTaskRow(criterion_id=row.id, task_id=t) for t in spec.tasks)
    codes = {s.code for s in specs}
    retired = [r for code, r in rows.items() if code not in codes and not r.retired]
    for row in retired:
        row.retired = True
    unknown = tuple(sorted({t for s in specs for t in s.tasks} - known_tasks))
    audit(session, now, actor, "criteria_loaded", source, {"criteria": len(specs), "retired": len(retired),
                                                           "unknown_tasks": list(unknown)})
    return LoadResult(len(specs), len(retired), unknown)


def load_criteria_file(session: Session, path: Path, now: datetime) -> LoadResult:
    """`nhacviec criteria load FILE`."""
    return load_criteria(session, parse_criteria(path.read_text(encoding="utf-8"), str(path)), now,
                         source=str(path))


def scoring_table(session: Session) -> list[CriterionScore]:
    """Live criteria in file order with their tasks and latest self-score."""
    criteria = list(session.scalars(_live(session).order_by(CriterionRow.position, CriterionRow.id)))
    tasks: dict[int, list[str]] = {}
    for link in session.scalars(select(CriterionTaskRow)):
        tasks.setdefault(link.criterion_id, []).append(link.task_id)
    latest: dict[int, SelfScoreRow] = {}
    for score in session.scalars(select(SelfScoreRow).order_by(SelfScoreRow.recorded_at, SelfScoreRow.id)):
        latest[score.criterion_id] = score
    out = []
    for c in criteria:
        s = latest.get(c.id)
        out.append(CriterionScore(c.id, c.code, c.name, c.max_points, tuple(sorted(tasks.get(c.id, []), key=_key)),
                                  s.score if s else None, s.explanation if s else "", s.recorded_by if s else None,
                                  s.recorded_at if s else None))
    return out


def _key(task_id: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 10**6 for p in task_id.split("."))


def parse_score(raw: str, max_points: float) -> float:
    """`8`, `8,5`, `8.5`: 0 ≤ score ≤ max_points, at most two decimals. Otherwise Refused."""
    text = raw.strip()
    if not _SCORE.match(text):
        raise Refused("score_bad", value=text[:20], max=_points(max_points))
    score = float(text.replace(",", "."))
    if score > max_points:
        raise Refused("score_bad", value=text[:20], max=_points(max_points))
    return score


def _points(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def record_self_score(session: Session, actor: Actor, code: str, raw_score: str, explanation: str,
                      ev: Event) -> SelfScoreRow:
    """`/tucham <code> <score> <explanation>`: the office's self-score; a partial score needs its explanation."""
    require_admin(actor)
    criterion = session.scalar(_live(session).where(CriterionRow.code == code.strip()))
    if criterion is None:
        known = ", ".join(r.code for r in session.scalars(_live(session).order_by(CriterionRow.position).limit(30)))
        raise Refused("no_such_criterion", code=code[:32], known=known or "-")
    return score_criterion(session, actor, criterion, raw_score, explanation, ev)


def score_criterion(session: Session, actor: Actor, criterion: CriterionRow, raw_score: str, explanation: str,
                    ev: Event) -> SelfScoreRow:
    """Record the self-score of `criterion` (any set: the console scores by id); audited."""
    require_admin(actor)
    score = parse_score(raw_score, criterion.max_points)
    text = unicodedata.normalize("NFC", explanation.strip())[:EXPLANATION_CHARS]
    if score < criterion.max_points and not text:
        raise Refused("score_needs_explanation", code=criterion.code, max=_points(criterion.max_points))
    row = SelfScoreRow(criterion_id=criterion.id, score=score, explanation=text, recorded_by=actor.member_id,
                       recorded_at=ev.now)
    session.add(row)
    session.flush()
    audit(session, ev.now, f"member:{actor.member_id}", "self_scored", criterion.code,
          {"score": score, "max_points": criterion.max_points, "explanation": text[:200]}, ev.update_id)
    return row
