"""The dossier's overview: self-score so far against the maximum per area and in all, the criteria at risk first
(no evidence, evidence returned, a unit overdue), last year's result beside this year's."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from bot.db.models import CriterionDocumentRow, CriterionRow, CriterionTaskRow, EvidenceRow, OccurrenceRow
from bot.dossier.facts import DOCUMENT_KINDS, council_tasks, latest_scores, require_reader, window
from bot.dossier.tree import SetFacts, resolve_set, set_facts
from bot.services.access import Actor


@dataclass(frozen=True)
class AreaTotal:
    id: int
    code: str
    name: str
    max_points: float
    score: float  # self-scores so far (leaves under it, or its own when it has no rows)
    scored: int  # leaves with a self-score
    leaves: int


@dataclass(frozen=True)
class Risk:
    id: int
    code: str
    name: str
    max_points: float
    reasons: tuple[str, ...]  # no_evidence, returned, overdue
    documents: int
    score: float | None


@dataclass(frozen=True)
class Overview:
    set: SetFacts
    areas: tuple[AreaTotal, ...]
    total_max: float
    total_score: float
    scored: int
    leaves: int
    documents: int
    at_risk: tuple[Risk, ...]  # worst first
    last_points: float | None
    last_rank: int | None
    last_of: int | None


def overview(session: Session, actor: Actor, today: date, set_id: int | None = None) -> Overview:
    """Self-score so far against the maximum per area and in all, the criteria at risk first, last year beside."""
    require_reader(actor)
    crit_set = resolve_set(session, set_id)
    rows = list(session.scalars(select(CriterionRow).where(CriterionRow.set_id == crit_set.id,
                                                           CriterionRow.retired.is_(False))
                                .order_by(CriterionRow.position, CriterionRow.id)))
    ids = [r.id for r in rows]
    has_children = {r.parent_id for r in rows if r.parent_id is not None}
    leaves = [r for r in rows if r.id not in has_children]
    scores = latest_scores(session, ids)
    tasks_of: dict[int, set[str]] = defaultdict(set)
    for cid, task in session.execute(select(CriterionTaskRow.criterion_id, CriterionTaskRow.task_id)
                                     .where(CriterionTaskRow.criterion_id.in_(ids))):
        tasks_of[cid].add(task)
    for cid, council in council_tasks(session, ids).items():
        tasks_of[cid] |= council
    all_tasks = {t for ts in tasks_of.values() for t in ts}
    start, end = window(crit_set)
    in_window = (OccurrenceRow.task_id.in_(all_tasks), OccurrenceRow.retired_at.is_(None),
                 OccurrenceRow.due >= start, OccurrenceRow.due <= end)
    per_occurrence = (select(EvidenceRow.occurrence_id.label("occ"), func.count().label("n"))
                      .where(EvidenceRow.kind.in_(DOCUMENT_KINDS)).group_by(EvidenceRow.occurrence_id).subquery())
    docs_of_task: dict[str, int] = {task: int(n) for task, n in session.execute(  # driven by the documents
        select(OccurrenceRow.task_id, func.sum(per_occurrence.c.n)).select_from(per_occurrence)
        .join(OccurrenceRow, OccurrenceRow.id == per_occurrence.c.occ).where(*in_window)
        .group_by(OccurrenceRow.task_id))}
    returned: set[str] = set()
    overdue: set[str] = set()
    for task, n_returned, n_overdue in session.execute(  # one pass over the tasks' occurrences
            select(OccurrenceRow.task_id, func.sum(case((OccurrenceRow.status == "returned", 1), else_=0)),
                   func.sum(case((and_(OccurrenceRow.status == "open", OccurrenceRow.due < today), 1), else_=0)))
            .where(*in_window, OccurrenceRow.status.in_(("returned", "open"))).group_by(OccurrenceRow.task_id)):
        if n_returned:
            returned.add(task)
        if n_overdue:
            overdue.add(task)
    extra: dict[int, int] = defaultdict(int)  # links to documents outside the tasks, less the ones left out
    for cid, excluded, office_doc, task in session.execute(
            select(CriterionDocumentRow.criterion_id, CriterionDocumentRow.excluded,
                   CriterionDocumentRow.office_document_id, OccurrenceRow.task_id)
            .outerjoin(EvidenceRow, EvidenceRow.id == CriterionDocumentRow.evidence_id)
            .outerjoin(OccurrenceRow, OccurrenceRow.id == EvidenceRow.occurrence_id)
            .where(CriterionDocumentRow.criterion_id.in_(ids))):
        through_task = office_doc is None and task in tasks_of[cid]
        if excluded and through_task:
            extra[cid] -= 1
        elif not excluded and not through_task:
            extra[cid] += 1
    by_id = {r.id: r for r in rows}
    area_of: dict[int, int] = {}
    for r in rows:
        area_of[r.id] = area_of.get(r.parent_id, r.id) if r.parent_id is not None else r.id
    totals: dict[int, list[float]] = defaultdict(lambda: [0.0, 0, 0])
    risks, doc_total = [], 0
    for leaf in leaves:
        score = scores.get(leaf.id)
        total = totals[area_of[leaf.id]]
        total[0] += score.score if score else 0.0
        total[1] += 1 if score else 0
        total[2] += 1
        count = max(0, sum(docs_of_task.get(t, 0) for t in tasks_of[leaf.id]) + extra[leaf.id])
        doc_total += count
        if leaf.survey:
            continue
        reasons = tuple(reason for reason, hit in (
            ("no_evidence", count == 0), ("returned", bool(tasks_of[leaf.id] & returned)),
            ("overdue", bool(tasks_of[leaf.id] & overdue))) if hit)
        if reasons:
            risks.append(Risk(leaf.id, leaf.code, leaf.name, leaf.max_points, reasons, count,
                              score.score if score else None))
    risks.sort(key=lambda r: (-len(r.reasons), -r.max_points, by_id[r.id].position))
    areas = tuple(AreaTotal(r.id, r.code, r.name, r.max_points, round(totals[r.id][0], 2), int(totals[r.id][1]),
                            int(totals[r.id][2])) for r in rows if r.parent_id is None)
    return Overview(set_facts(crit_set), areas, round(sum(a.max_points for a in areas), 2),
                    round(sum(a.score for a in areas), 2), sum(a.scored for a in areas),
                    sum(a.leaves for a in areas), doc_total, tuple(risks), crit_set.last_points, crit_set.last_rank,
                    crit_set.last_of)
