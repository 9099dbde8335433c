"""Which drafts a confirmation names: `1.1 bc-quy3 TCCB 05/09/2019` in any order (chat and CLI alike)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import OccurrenceRow, UnitRow
from bot.domain.plan import parse_day


@dataclass(frozen=True)
class Selection:
    task: str | None = None
    deadline: str | None = None
    unit: str | None = None
    due: date | None = None
    unknown: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.task or self.deadline or self.unit)


def read_selection(session: Session, words: list[str]) -> Selection:
    """Sort words into a task id, a deadline id, a unit id and a date; what is none of them is `unknown`."""
    units = {u.upper(): u for u in session.scalars(select(UnitRow.id))}
    tasks = set(session.scalars(select(OccurrenceRow.task_id).distinct()))
    deadlines = set(session.scalars(select(OccurrenceRow.deadline_id).distinct()))
    found: dict[str, object] = {}
    unknown: list[str] = []
    for word in words:
        if "/" in word and word.count("/") == 2:
            try:
                found["due"] = parse_day(word)
                continue
            except ValueError:
                unknown.append(word)
                continue
        if word in tasks:
            found["task"] = word
        elif word in deadlines:
            found["deadline"] = word
        elif word.upper() in units:
            found["unit"] = units[word.upper()]
        else:
            unknown.append(word)
    return Selection(unknown=tuple(unknown), **found)  # type: ignore[arg-type]
