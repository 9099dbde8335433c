"""The dossier's facts: per (sub)criterion, the units owing it and their state, every document proving it (through
the criterion's tasks or linked by the office) with what the scoring software asks, the self-score, what is missing
and from whom; and the overview: self-score so far against the maximum per area and in all, criteria at risk first.

A unit's document reaches a criterion through the criterion's tasks: occurrences of those tasks due inside the
set's assessment period (plus a grace for reports due just after it). A `criterion_documents` row adds a document
to another criterion (never uploaded twice), records its muc/trang, or leaves it out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import (
    CouncilItemRow,
    CriteriaSetRow,
    CriterionDocumentRow,
    CriterionRow,
    CriterionTaskRow,
    CriterionUnitRow,
    EvidenceRow,
    OccurrenceRow,
    OfficeDocumentRow,
    SelfScoreRow,
    TaskRow,
    UnitRow,
)
from bot.dossier.tree import SetFacts, resolve_set, set_facts
from bot.engine.sync import OWN_KEYS
from bot.services.access import Actor, Refused, require_known
from bot.services.queue import state_of

DOCUMENT_KINDS = ("document", "photo")
GRACE = timedelta(days=45)  # a year's report due in January still proves that year
# A unit's state on a criterion, worst first (the order of "what is missing").
STATES = ("overdue", "returned", "open", "no_task", "awaiting_review", "done")


def require_reader(actor: Actor) -> None:
    """The office and leadership read the dossier."""
    require_known(actor)
    if not actor.can_read_all:
        raise Refused("admin_only")


@dataclass(frozen=True)
class Document:
    """One document proving a criterion. `via`: task (the criterion's task), council (the answer to a council
    item), link (a unit's document linked by the office), office (attached by the office). `status`: the unit's
    occurrence status (None for office)."""

    via: str
    evidence_id: int | None
    office_document_id: int | None
    unit: str | None
    task_id: str | None
    occurrence_id: int | None
    status: str | None
    kind: str
    file_name: str | None
    stored_path: str | None
    number: str | None
    issued_on: date | None
    summary: str | None
    issuer: str | None
    section: str | None  # mục/trang
    added_at: datetime


@dataclass(frozen=True)
class UnitState:
    unit: str
    name: str
    state: str  # one of STATES
    occurrences: int
    done: int
    overdue: int
    returned: int
    documents: int
    next_due: date | None  # the earliest due date still open


@dataclass(frozen=True)
class Missing:
    """What is still missing and from whom: a unit's state, or a document lacking its number or date."""

    unit: str | None
    kind: str  # overdue | returned | open | no_task | awaiting_review | no_evidence | undescribed
    occurrence_id: int | None = None
    due: date | None = None
    evidence_id: int | None = None


@dataclass(frozen=True)
class Score:
    score: float
    explanation: str
    recorded_by: int
    recorded_at: datetime


@dataclass(frozen=True)
class CouncilItem:
    id: int
    kind: str
    text: str
    points: float | None
    unit: str | None
    occurrence_id: int | None
    status: str | None  # the short task's status
    due: date | None
    created_at: datetime


@dataclass(frozen=True)
class CriterionDossier:
    set: SetFacts
    id: int
    code: str
    level: str
    name: str
    max_points: float
    method: str | None
    evidence_asked: str | None
    survey: bool
    parent_code: str | None
    children: tuple[tuple[int, str], ...]  # (id, code)
    tasks: tuple[tuple[str, str], ...]  # (task id, title)
    units: tuple[UnitState, ...]
    documents: tuple[Document, ...]
    score: Score | None
    missing: tuple[Missing, ...]
    council: tuple[CouncilItem, ...]


def window(crit_set: CriteriaSetRow) -> tuple[date, date]:
    return crit_set.period_start, crit_set.period_end + GRACE


def _criterion(session: Session, criterion_id: int) -> CriterionRow:
    row = session.get(CriterionRow, criterion_id)
    if row is None:
        raise Refused("no_such_criterion", code=str(criterion_id), known="-")
    return row


def latest_scores(session: Session, ids: list[int]) -> dict[int, Score]:
    out: dict[int, Score] = {}
    for s in session.scalars(select(SelfScoreRow).where(SelfScoreRow.criterion_id.in_(ids))
                             .order_by(SelfScoreRow.recorded_at, SelfScoreRow.id)):
        out[s.criterion_id] = Score(s.score, s.explanation, s.recorded_by, s.recorded_at)
    return out


def documents_of(session: Session, criterion: CriterionRow, crit_set: CriteriaSetRow,
                 own_tasks: set[str] | None = None) -> list[Document]:
    """Every document proving `criterion`, through its tasks and through the office's links, each once."""
    start, end = window(crit_set)
    if own_tasks is None:
        own_tasks = _task_ids(session, criterion.id)
    links = {(r.evidence_id, r.office_document_id): r for r in session.scalars(
        select(CriterionDocumentRow).where(CriterionDocumentRow.criterion_id == criterion.id))}
    out: list[Document] = []
    seen: set[int] = set()
    rows = list(session.execute(
        select(EvidenceRow, OccurrenceRow).join(OccurrenceRow, OccurrenceRow.id == EvidenceRow.occurrence_id)
        .where(OccurrenceRow.task_id.in_(own_tasks), OccurrenceRow.retired_at.is_(None), OccurrenceRow.due >= start,
               OccurrenceRow.due <= end, EvidenceRow.kind.in_(DOCUMENT_KINDS))
        .order_by(EvidenceRow.id)).all())
    linked_ids = [e for e, o in links if e is not None]
    if linked_ids:
        rows += session.execute(
            select(EvidenceRow, OccurrenceRow).join(OccurrenceRow, OccurrenceRow.id == EvidenceRow.occurrence_id)
            .where(EvidenceRow.id.in_(linked_ids)).order_by(EvidenceRow.id)).all()
    for ev, occ in rows:
        link = links.get((ev.id, None))
        if ev.id in seen or (link is not None and link.excluded):
            continue
        seen.add(ev.id)
        via = ("council" if occ.task_id.startswith(OWN_KEYS) else "task") if occ.task_id in own_tasks else "link"
        out.append(Document(via, ev.id, None, occ.unit, occ.task_id, occ.id, occ.status, ev.kind, ev.file_name,
                            ev.stored_path, ev.doc_number, ev.doc_date, ev.doc_summary, ev.doc_issuer,
                            link.section if link else None, ev.created_at))
    office_ids = [o for e, o in links if o is not None and not links[(e, o)].excluded]
    for doc in session.scalars(select(OfficeDocumentRow).where(OfficeDocumentRow.id.in_(office_ids))
                               .order_by(OfficeDocumentRow.id)):
        link = links[(None, doc.id)]
        out.append(Document("office", None, doc.id, None, None, None, None, "document", doc.file_name,
                            doc.stored_path, doc.doc_number, doc.doc_date, doc.doc_summary, doc.doc_issuer,
                            link.section, doc.created_at))
    return out


def _task_ids(session: Session, criterion_id: int) -> set[str]:
    """The criterion's tasks, and the council's short tasks on it (their answers prove it too)."""
    return set(session.scalars(select(CriterionTaskRow.task_id).where(CriterionTaskRow.criterion_id == criterion_id))) \
        | council_tasks(session, [criterion_id]).get(criterion_id, set())


def council_tasks(session: Session, criterion_ids: list[int]) -> dict[int, set[str]]:
    """criterion id → the task ids of the council's short tasks on it."""
    out: dict[int, set[str]] = defaultdict(set)
    for cid, task in session.execute(select(CouncilItemRow.criterion_id, OccurrenceRow.task_id)
                                     .join(OccurrenceRow, OccurrenceRow.id == CouncilItemRow.occurrence_id)
                                     .where(CouncilItemRow.criterion_id.in_(criterion_ids))):
        out[cid].add(task)
    return out


def _unit_states(session: Session, criterion: CriterionRow, crit_set: CriteriaSetRow, today: date,
                 documents: list[Document], own_tasks: set[str]) -> list[UnitState]:
    start, end = window(crit_set)
    owing = set(session.scalars(select(CriterionUnitRow.unit).where(CriterionUnitRow.criterion_id == criterion.id)))
    per: dict[str, list[tuple[str, date]]] = defaultdict(list)
    for unit, status, due in session.execute(
            select(OccurrenceRow.unit, OccurrenceRow.status, OccurrenceRow.due)
            .where(OccurrenceRow.task_id.in_(own_tasks), OccurrenceRow.retired_at.is_(None),
                   OccurrenceRow.due >= start, OccurrenceRow.due <= end, OccurrenceRow.status != "closed")):
        per[unit].append((state_of(status, due, today), due))
    docs: dict[str, int] = defaultdict(int)
    for d in documents:
        if d.unit:
            docs[d.unit] += 1
    names = dict(session.execute(select(UnitRow.id, UnitRow.name).where(UnitRow.id.in_(owing | set(per)))).all())
    out = []
    for unit in sorted(owing | set(per)):
        states = [s for s, _ in per.get(unit, [])]
        worst = min(states, key=STATES.index) if states else "no_task"
        open_dues = [d for s, d in per.get(unit, []) if s in ("overdue", "returned", "open")]
        out.append(UnitState(unit, names.get(unit, unit), worst, len(states), states.count("done"),
                             states.count("overdue"), states.count("returned"), docs[unit],
                             min(open_dues) if open_dues else None))
    out.sort(key=lambda u: (STATES.index(u.state), u.unit))
    return out


def _missing(units: list[UnitState], documents: list[Document], survey: bool) -> list[Missing]:
    out = [Missing(u.unit, u.state, due=u.next_due) for u in units if u.state != "done"]
    if not documents and not survey:
        out.insert(0, Missing(None, "no_evidence"))
    out += [Missing(d.unit, "undescribed", occurrence_id=d.occurrence_id, evidence_id=d.evidence_id)
            for d in documents if d.evidence_id is not None and not (d.number and d.issued_on)]
    return out


def council_items(session: Session, criterion_ids: list[int]) -> list[CouncilItem]:
    rows = session.execute(select(CouncilItemRow, OccurrenceRow)
                           .outerjoin(OccurrenceRow, OccurrenceRow.id == CouncilItemRow.occurrence_id)
                           .where(CouncilItemRow.criterion_id.in_(criterion_ids))
                           .order_by(CouncilItemRow.created_at, CouncilItemRow.id)).all()
    return [CouncilItem(c.id, c.kind, c.text, c.points, c.unit, c.occurrence_id, o.status if o else None,
                        o.due if o else None, c.created_at) for c, o in rows]


def criterion_dossier(session: Session, actor: Actor, criterion_id: int, today: date) -> CriterionDossier:
    """One (sub)criterion's page: units and their state, documents, self-score, what is missing, the council."""
    require_reader(actor)
    row = _criterion(session, criterion_id)
    crit_set = resolve_set(session, row.set_id)
    own_tasks = _task_ids(session, row.id)
    documents = documents_of(session, row, crit_set, own_tasks)
    units = _unit_states(session, row, crit_set, today, documents, own_tasks)
    parent = session.get(CriterionRow, row.parent_id) if row.parent_id else None
    children = tuple((i, c) for i, c in session.execute(
        select(CriterionRow.id, CriterionRow.code).where(CriterionRow.parent_id == row.id,
                                                         CriterionRow.retired.is_(False))
        .order_by(CriterionRow.position)))
    tasks = tuple((t, title) for t, title in session.execute(
        select(TaskRow.id, TaskRow.title).where(TaskRow.id.in_(own_tasks)).order_by(TaskRow.id)))
    return CriterionDossier(set_facts(crit_set), row.id, row.code, row.level, row.name, row.max_points, row.method,
                            row.evidence, row.survey, parent.code if parent else None, children, tasks,
                            tuple(units), tuple(documents), latest_scores(session, [row.id]).get(row.id),
                            tuple(_missing(units, documents, row.survey)), tuple(council_items(session, [row.id])))
