"""One read of the database for an export: occurrences, evidence and metrics as plain frozen records.

Read once inside a short transaction, then rendered and zipped outside it: on SQLite every
transaction holds the write lock (BEGIN IMMEDIATE), and a package can take minutes to write.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from bot.db.models import EvidenceRow, MemberRow, MetricRow, MetricValueRow, OccurrenceRow, ReviewRow, TaskRow, UnitRow
from bot.exports.layout import assign_paths
from bot.services.criteria import scoring_table
from bot.services.occurrences import counted
from bot.services.status import bucket


@dataclass(frozen=True)
class OccurrenceRecord:
    id: int
    key: str
    task_id: str
    area: str
    area_name: str
    title: str
    label: str
    unit: str
    unit_name: str
    due: date
    source: str  # seed | assumed
    bucket: str  # done | awaiting_review | overdue | open (bot.services.status.bucket) | closed
    completed_at: datetime | None
    confirmed_by: str
    reviewed_by: str
    evidence_count: int
    live: bool  # neither the occurrence nor its task is retired: counted by /tiendo
    plan: str = ""  # the plan's title (several plans in one database)
    plan_id: str = ""


@dataclass(frozen=True)
class EvidenceRecord:
    id: int
    occurrence: OccurrenceRecord
    kind: str  # document | photo | text | link
    file_name: str | None
    size: int | None
    sha256: str | None
    stored_path: str | None
    text: str | None
    sender: str
    created_at: datetime
    disk_size: int | None  # None: no file on disk (text item, or the archived file is missing)
    archive_path: str = ""  # where the item sits inside the ZIP (see layout.py)
    doc_number: str | None = None  # số/ký hiệu, as the scoring software asks (bot.services.par)
    doc_date: date | None = None  # ngày ban hành
    doc_summary: str | None = None  # trích yếu
    doc_issuer: str | None = None  # cơ quan ban hành

    @property
    def is_file(self) -> bool:
        return self.kind in ("document", "photo")


@dataclass(frozen=True)
class MetricRecord:
    task_id: str
    name: str
    kind: str  # percent | count
    target: float
    comparison: str
    unit: str
    value: float | None
    reported_by: str
    reported_at: datetime | None
    numerator: int | None = None  # a ratio entered as counts (12/40)
    denominator: int | None = None
    unit_name: str = ""  # beside the code: the office reads names (WORDING M5)


@dataclass(frozen=True)
class CriterionRecord:
    """A criterion of the PAR index with its latest self-score and the evidence of its tasks."""

    code: str
    name: str
    max_points: float
    task_ids: tuple[str, ...]
    score: float | None
    explanation: str
    scored_by: str
    scored_at: datetime | None
    evidence: tuple[EvidenceRecord, ...]


@dataclass(frozen=True)
class Snapshot:
    today: date
    occurrences: list[OccurrenceRecord]  # live ones, in report order
    evidence: list[EvidenceRecord]  # every item, in package order, archive_path filled
    metrics: list[MetricRecord]
    criteria: list[CriterionRecord] = field(default_factory=list)  # in the criteria file's order; may be empty

    @property
    def missing(self) -> list[EvidenceRecord]:
        return [e for e in self.evidence if e.is_file and e.disk_size is None]


def area_key(area: str) -> tuple[int, str]:
    return (int(area), area) if area.isdigit() else (10**6, area)


def task_key(task_id: str) -> tuple[tuple[int, str], ...]:
    """`1.2` before `1.10`."""
    return tuple(area_key(part) for part in task_id.split("."))


def _disk_size(path: str | None) -> int | None:
    if not path:
        return None
    try:
        file = Path(path)
        return file.stat().st_size if file.is_file() else None
    except OSError:
        return None


def _occurrences(session: Session, today: date, members: dict[int, str]) -> dict[int, OccurrenceRecord]:
    """Live occurrences plus the retired ones that evidence still points at."""
    units = {u.id: u.name for u in session.scalars(select(UnitRow))}
    latest: dict[int, ReviewRow] = {}
    accepted: dict[int, ReviewRow] = {}
    for rev in session.scalars(select(ReviewRow).order_by(ReviewRow.id)):
        latest[rev.occurrence_id] = rev
        if rev.decision == "accepted":
            accepted[rev.occurrence_id] = rev
    counts = Counter(session.scalars(select(EvidenceRow.occurrence_id)))
    rows = session.execute(select(OccurrenceRow, TaskRow).join(TaskRow, TaskRow.id == OccurrenceRow.task_id)
                           .where(and_(*counted()) | OccurrenceRow.id.in_(select(EvidenceRow.occurrence_id)))).all()
    result: dict[int, OccurrenceRecord] = {}
    for occ, task in rows:
        confirmer = occ.completed_by
        if confirmer is None and occ.status == "awaiting_review" and occ.id in latest:
            confirmer = latest[occ.id].submitted_by
        reviewer = accepted[occ.id].decided_by if occ.status == "done" and occ.id in accepted else None
        result[occ.id] = OccurrenceRecord(
            occ.id, occ.key, occ.task_id, task.area, task.area_name, task.title, occ.label, occ.unit,
            units.get(occ.unit, occ.unit), occ.due, occ.source,
            "closed" if occ.status == "closed" else bucket(occ, today),
            occ.completed_at if occ.status == "done" else None, members.get(confirmer, "") if confirmer else "",
            members.get(reviewer, "") if reviewer else "", counts.get(occ.id, 0),
            occ.retired_at is None and task.retired_at is None, task.plan_title or task.plan_id or "",
            task.plan_id or "")
    return result


def _metrics(session: Session, occurrences: list[OccurrenceRecord], members: dict[int, str]) -> list[MetricRecord]:
    """Every live metric × every unit that reported it or is due for its task; the latest value counts."""
    names = {u.id: u.name for u in session.scalars(select(UnitRow))}
    latest: dict[tuple[int, str], MetricValueRow] = {}
    for value in session.scalars(select(MetricValueRow).order_by(MetricValueRow.reported_at, MetricValueRow.id)):
        latest[(value.metric_id, value.unit)] = value
    due_units: dict[str, set[str]] = {}
    for occ in occurrences:
        due_units.setdefault(occ.task_id, set()).add(occ.unit)
    metrics = session.scalars(select(MetricRow).join(TaskRow, TaskRow.id == MetricRow.task_id)
                              .where(MetricRow.retired.is_(False), TaskRow.retired_at.is_(None))).all()
    result = []
    for metric in sorted(metrics, key=lambda m: (task_key(m.task_id), m.id)):
        units = due_units.get(metric.task_id, set()) | {u for (mid, u) in latest if mid == metric.id}
        for unit in sorted(units):
            last = latest.get((metric.id, unit))
            result.append(MetricRecord(metric.task_id, metric.name, metric.kind, metric.target, metric.comparison,
                                       unit, last.value if last else None,
                                       members.get(last.reported_by, "") if last else "",
                                       last.reported_at if last else None,
                                       last.numerator if last else None, last.denominator if last else None,
                                       names.get(unit, unit)))
    return result


def load_snapshot(session: Session, today: date, plan_id: str | None = None) -> Snapshot:
    """Everything an export shows, as of `today` (the plan's calendar day); one plan's only with `plan_id`."""
    members = {m.id: m.name for m in session.scalars(select(MemberRow))}
    evidence_rows = session.scalars(select(EvidenceRow).order_by(EvidenceRow.id)).all()
    occurrences = _occurrences(session, today, members)
    if plan_id is not None:
        occurrences = {k: o for k, o in occurrences.items() if o.plan_id == plan_id}
    live = sorted((o for o in occurrences.values() if o.live),
                  key=lambda o: (area_key(o.area), task_key(o.task_id), o.due, o.unit, o.id))
    evidence = [EvidenceRecord(e.id, occurrences[e.occurrence_id], e.kind, e.file_name, e.size, e.sha256,
                               e.stored_path, e.text, members.get(e.member_id, ""), e.created_at,
                               _disk_size(e.stored_path) if e.kind in ("document", "photo") else None,
                               doc_number=e.doc_number, doc_date=e.doc_date, doc_summary=e.doc_summary,
                               doc_issuer=e.doc_issuer)
                for e in evidence_rows if e.occurrence_id in occurrences]
    evidence.sort(key=lambda e: (area_key(e.occurrence.area), task_key(e.occurrence.task_id), e.occurrence.unit,
                                 e.occurrence.due, e.id))
    paths = assign_paths(evidence)
    evidence = [replace(e, archive_path=paths[e.id]) for e in evidence]
    return Snapshot(today, live, evidence, _metrics(session, live, members), _criteria(session, evidence, members))


def _criteria(session: Session, evidence: list[EvidenceRecord], members: dict[int, str]) -> list[CriterionRecord]:
    """The scoring table: each criterion with the evidence of its tasks (package order)."""
    by_task: dict[str, list[EvidenceRecord]] = {}
    for e in evidence:
        by_task.setdefault(e.occurrence.task_id, []).append(e)
    return [CriterionRecord(c.code, c.name, c.max_points, c.task_ids, c.score, c.explanation,
                            members.get(c.recorded_by, "") if c.recorded_by else "", c.recorded_at,
                            tuple(e for t in c.task_ids for e in by_task.get(t, [])))
            for c in scoring_table(session)]
