"""The dossier in the criteria's order, as the exports need it: each row with its self-score and documents."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import BlockerRow, CriterionRow, CriterionTaskRow, OccurrenceRow
from bot.dossier.facts import GRACE, Document, Score, documents_of, latest_scores, require_reader
from bot.dossier.tree import Node, SetFacts, resolve_set, tree
from bot.services.access import Actor


@dataclass(frozen=True)
class OutlineRow:
    node: Node
    score: Score | None
    documents: tuple[Document, ...]
    done: int  # occurrences of its tasks accepted, of `due` in the period
    due: int


@dataclass(frozen=True)
class Difficulty:
    area_code: str
    task_id: str
    unit: str
    text: str
    status: str


@dataclass(frozen=True)
class Outline:
    set: SetFacts
    rows: tuple[OutlineRow, ...]
    difficulties: tuple[Difficulty, ...]  # blockers reported on the criteria's tasks in the period


def area_of(rows: tuple[OutlineRow, ...] | list[OutlineRow]) -> dict[int, int]:
    """criterion id → the id of the area (top row) it belongs to."""
    out: dict[int, int] = {}
    for r in rows:
        out[r.node.id] = out.get(r.node.parent_id, r.node.id) if r.node.parent_id is not None else r.node.id
    return out


def collect(session: Session, set_id: int | None = None) -> Outline:
    """Everything the exports write (callers check rights: the CLI is the server's shell; see `outline`)."""
    crit_set = resolve_set(session, set_id)
    facts, nodes = tree(session, crit_set.id)
    scores = latest_scores(session, [n.id for n in nodes])
    start, end = crit_set.period_start, crit_set.period_end + GRACE
    counts: dict[str, list[int]] = {}
    for task, status, _occ in session.execute(
            select(OccurrenceRow.task_id, OccurrenceRow.status, OccurrenceRow.id)
            .join(CriterionTaskRow, CriterionTaskRow.task_id == OccurrenceRow.task_id)
            .join(CriterionRow, CriterionRow.id == CriterionTaskRow.criterion_id)
            .where(CriterionRow.set_id == crit_set.id, OccurrenceRow.retired_at.is_(None),
                   OccurrenceRow.due >= start, OccurrenceRow.due <= end, OccurrenceRow.status != "closed")
            .distinct()):
        c = counts.setdefault(task, [0, 0])
        c[0] += status == "done"
        c[1] += 1
    rows = []
    for node in nodes:
        row = session.get(CriterionRow, node.id)
        assert row is not None
        done = sum(counts.get(t, [0, 0])[0] for t in node.tasks)
        due = sum(counts.get(t, [0, 0])[1] for t in node.tasks)
        rows.append(OutlineRow(node, scores.get(node.id), tuple(documents_of(session, row, crit_set)), done, due))
    areas = area_of(rows)
    task_area = {t: next(r.node.code for r in rows if r.node.id == areas[r2.node.id])
                 for r2 in rows for t in r2.node.tasks}
    difficulties = [Difficulty(task_area[o.task_id], o.task_id, o.unit, b.text, b.status) for b, o in session.execute(
        select(BlockerRow, OccurrenceRow).join(OccurrenceRow, OccurrenceRow.id == BlockerRow.occurrence_id)
        .where(OccurrenceRow.task_id.in_(list(task_area)), OccurrenceRow.due >= start, OccurrenceRow.due <= end)
        .order_by(BlockerRow.created_at, BlockerRow.id))]
    return Outline(facts, tuple(rows), tuple(difficulties))


def outline(session: Session, actor: Actor, set_id: int | None = None) -> Outline:
    """`collect` for the office and leadership."""
    require_reader(actor)
    return collect(session, set_id)

