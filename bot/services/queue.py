"""Read models for the chat's screens: a head's checklist, a watcher's list, the task card, the review queue.

Facts only (dataclasses); `bot/views/*` turns them into words and buttons.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.models import (
    AuditRow,
    BlockerRow,
    EvidenceRow,
    MemberRow,
    OccurrenceRow,
    TaskRow,
    UnitRow,
)
from bot.domain.evidence import matched_items
from bot.services.access import Actor, Refused, require_known
from bot.services.metrics import MetricStatus, metric_status

PAGE = 7  # 7 tasks + ◀ ▶ + three other filters = 12 buttons, Telegram's screenful (CONVERSATION.md)
FILTERS = ("o", "q", "r", "a")  # chưa xong, quá hạn, chờ duyệt, tất cả
OPEN = ("open", "returned")


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
class Item:
    subject: Subject
    state: str  # returned | overdue | open | awaiting_review | done | closed (by the office, before a date)
    evidence: int


@dataclass(frozen=True)
class Page:
    """One page of a list: its items, where it is, and how many there are per filter."""

    items: tuple[Item, ...]
    kind: str  # cl (own units) | wl (watch list)
    filter: str
    page: int
    pages: int
    total: int
    counts: dict[str, int]


def subject_of(session: Session, occ: OccurrenceRow) -> Subject:
    task = session.get(TaskRow, occ.task_id)
    unit = session.get(UnitRow, occ.unit)
    return Subject(occ.id, occ.task_id, task.title if task else "", occ.unit, unit.name if unit else occ.unit,
                   occ.label, occ.due)


def state_of(status: str, due: date, today: date) -> str:
    if status == "returned":
        return "returned"
    if status == "open":
        return "overdue" if due < today else "open"
    return status


def _keep(state: str, f: str) -> bool:
    return {"o": state in ("returned", "overdue", "open"), "q": state == "overdue",
            "r": state == "awaiting_review", "a": True}[f]


def _rows(session: Session, units: set[str] | None, lead: set[str] | None = None
          ) -> list[tuple[OccurrenceRow, str, str]]:
    stmt = (select(OccurrenceRow, TaskRow.title, UnitRow.name).join(TaskRow, TaskRow.id == OccurrenceRow.task_id)
            .join(UnitRow, UnitRow.id == OccurrenceRow.unit)
            .where(OccurrenceRow.retired_at.is_(None), TaskRow.retired_at.is_(None)))
    if units is not None:
        stmt = stmt.where(OccurrenceRow.unit.in_(units))
    rows = [(o, t, n) for o, t, n in session.execute(stmt)]
    if lead is not None:  # a lead unit watches the occurrences it leads, other units' ones
        rows = [r for r in rows if set(filter(None, r[0].lead_units.split(","))) & lead and r[0].unit not in lead]
    return rows


def _order_own(item: Item) -> tuple[int, int, str, str]:
    """What needs the head's action first: returned, overdue (nearest first), due soonest, in review, done."""
    rank = {"returned": 0, "overdue": 1, "open": 2, "awaiting_review": 3, "done": 4, "closed": 5}[item.state]
    due = item.subject.due.toordinal()
    return rank, -due if item.state in ("overdue", "done") else due, item.subject.task_id, item.subject.unit


def _order_watch(item: Item) -> tuple[int, int, str, str]:
    """Worst first for people who watch: longest overdue, returned, due soonest, in review, done."""
    rank = {"overdue": 0, "returned": 1, "open": 2, "awaiting_review": 3, "done": 4, "closed": 5}[item.state]
    due = item.subject.due.toordinal()
    return rank, -due if item.state == "done" else due, item.subject.task_id, item.subject.unit


def _page(rows: list[tuple[OccurrenceRow, str, str]], today: date, kind: str, f: str, page: int,
          evidence: dict[int, int]) -> Page:
    if f not in FILTERS:
        raise Refused("bad_request")
    items = [Item(Subject(o.id, o.task_id, title, o.unit, name, o.label, o.due), state_of(o.status, o.due, today),
                  evidence.get(o.id, 0)) for o, title, name in rows]
    counts = {x: sum(1 for i in items if _keep(i.state, x)) for x in FILTERS}
    chosen = sorted((i for i in items if _keep(i.state, f)), key=_order_own if kind == "cl" else _order_watch)
    pages = max(1, -(-len(chosen) // PAGE))
    page = min(max(page, 0), pages - 1)
    return Page(tuple(chosen[page * PAGE:(page + 1) * PAGE]), kind, f, page, pages, len(chosen), counts)


def evidence_counts(session: Session, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    return {oid: n for oid, n in session.execute(
        select(EvidenceRow.occurrence_id, func.count()).where(EvidenceRow.occurrence_id.in_(ids))
        .group_by(EvidenceRow.occurrence_id))}


def checklist(session: Session, actor: Actor, today: date, f: str = "o", page: int = 0) -> Page:
    """`/viec`, `cl:`: the occurrences of the actor's own units."""
    require_known(actor)
    if not actor.units:
        raise Refused("not_a_head")
    rows = _rows(session, set(actor.units))
    return _page(rows, today, "cl", f, page, evidence_counts(session, [r[0].id for r in rows]))


def watches(actor: Actor) -> bool:
    return actor.can_read_all or bool(actor.units)


def watchlist(session: Session, actor: Actor, today: date, f: str = "q", page: int = 0) -> Page:
    """`wl:`: the office and leadership see every unit; a lead unit the occurrences it leads."""
    require_known(actor)
    if actor.can_read_all:
        rows = _rows(session, None)
    elif actor.units:
        rows = _rows(session, None, set(actor.units))
    else:
        raise Refused("not_a_head")
    return _page(rows, today, "wl", f, page, evidence_counts(session, [r[0].id for r in rows]))


def readable_occurrence(session: Session, actor: Actor, occurrence_id: int) -> OccurrenceRow:
    """An occurrence the actor may read: own unit, any for office and leadership, led ones for a lead unit."""
    require_known(actor)
    occ = session.get(OccurrenceRow, occurrence_id)
    if occ is None or occ.retired_at is not None:
        raise Refused("no_such_task")
    led = set(filter(None, occ.lead_units.split(","))) & set(actor.units)
    if not (actor.can_read_all or occ.unit in actor.units or led):
        raise Refused("not_your_unit", unit=occ.unit)
    return occ


@dataclass(frozen=True)
class Attached:
    evidence_id: int
    kind: str  # document | photo | link | text
    name: str
    size: int | None
    at: datetime
    by: str


@dataclass(frozen=True)
class Event:
    at: datetime
    action: str
    by: str
    detail: str


@dataclass(frozen=True)
class Card:
    """The task card: everything about one occurrence, and whether the reader may act on it."""

    item: Item
    detail: str | None
    asked: tuple[str, ...]  # the evidence the plan asks for
    attached: tuple[Attached, ...]
    metrics: tuple[MetricStatus, ...]
    history: tuple[Event, ...]
    can_act: bool
    snoozed_until: datetime | None
    blockers: tuple[int, ...] = ()  # open difficulties of this occurrence (ids, oldest first)
    assumed: bool = False  # a draft (source: assumed) the office has not confirmed: shown as "giả định"
    evidence_from: str = "suggested"  # who asks for the list: plan (the seed), office (confirmed), suggested
    evidence_required: bool = False  # ✅ needs a document first
    matched: frozenset[int] = frozenset()  # items of `asked` a document was matched to (bot.domain.evidence)
    ref: str | None = None  # where the plan's own text says it (section, bullet)


def _asked(task: TaskRow | None) -> tuple[str, ...]:
    raw = getattr(task, "evidence", None) or ()  # the plan's evidence list (tasks.evidence, issue 12)
    if isinstance(raw, str):
        raw = [raw]
    out = []
    for entry in raw:
        if isinstance(entry, dict):
            entry = entry.get("name") or entry.get("title") or entry.get("text") or ""
        if str(entry).strip():
            out.append(str(entry).strip())
    return tuple(out)


def attached(session: Session, occurrence_id: int) -> tuple[Attached, ...]:
    names = {m.id: m.name for m in session.scalars(select(MemberRow))}
    return tuple(Attached(e.id, e.kind, e.file_name or (e.text or "")[:200], e.size, e.created_at,
                          names.get(e.member_id, ""))
                 for e in session.scalars(select(EvidenceRow).where(EvidenceRow.occurrence_id == occurrence_id)
                                          .order_by(EvidenceRow.id)))


def card(session: Session, actor: Actor, occurrence_id: int, today: date) -> Card:
    """`tc:`: the task card of one occurrence."""
    occ = readable_occurrence(session, actor, occurrence_id)
    task = session.get(TaskRow, occ.task_id)
    files = attached(session, occ.id)
    item = Item(subject_of(session, occ), state_of(occ.status, occ.due, today), len(files))
    metrics = tuple(m for m in metric_status(session, {occ.unit}) if m[0].task_id == occ.task_id)
    names = {f"member:{m.id}": m.name for m in session.scalars(select(MemberRow))}
    history = tuple(Event(a.at, a.action, names.get(a.actor, ""), str(a.details.get("reason") or ""))
                    for a in session.scalars(select(AuditRow).where(AuditRow.subject == occ.key)
                                             .order_by(AuditRow.id.desc()).limit(10)))
    blockers = tuple(session.scalars(select(BlockerRow.id).where(BlockerRow.occurrence_id == occ.id,
                                                                 BlockerRow.resolved_at.is_(None))
                                     .order_by(BlockerRow.id)))
    asked = _asked(task)
    summaries = tuple(session.scalars(select(EvidenceRow.doc_summary).where(EvidenceRow.occurrence_id == occ.id,
                                                                          EvidenceRow.doc_summary.is_not(None))))
    evidence_from = ("plan" if getattr(task, "evidence_source", None) == "seed" else
                     "office" if getattr(task, "evidence_confirmed", False) else "suggested")
    return Card(item, getattr(task, "detail", None), asked, files, metrics, history,
                occ.unit in actor.units, occ.snoozed_until, blockers, assumed=not occ.confirmed,
                evidence_from=evidence_from, evidence_required=bool(getattr(task, "evidence_required", False)),
                matched=matched_items(asked, tuple(f.name for f in files) + tuple(x for x in summaries if x)),
                ref=getattr(task, "ref", None))


@dataclass(frozen=True)
class UnitStatus:
    unit: str
    unit_name: str
    counts: dict[str, int]  # state → occurrences
    next_due: date | None  # the nearest coming deadline not yet done (overdue ones are counted)


@dataclass(frozen=True)
class TaskSummary:
    task_id: str
    title: str
    area: str
    area_name: str
    units: tuple[UnitStatus, ...]
    own: tuple[Item, ...]  # the reader's own occurrences still to act on, nearest first


def task_summary(session: Session, actor: Actor, code: str, today: date) -> TaskSummary:
    """`/nhiemvu CODE`: the task's status per unit (own units for a head), not every occurrence."""
    require_known(actor)
    task = session.scalar(select(TaskRow).where(TaskRow.id == code[:24], TaskRow.retired_at.is_(None)))
    if task is None:
        raise Refused("no_such_task_id", task=code[:24])
    rows = [(o, n) for o, n in session.execute(
        select(OccurrenceRow, UnitRow.name).join(UnitRow, UnitRow.id == OccurrenceRow.unit)
        .where(OccurrenceRow.task_id == task.id, OccurrenceRow.retired_at.is_(None))
        .order_by(OccurrenceRow.unit, OccurrenceRow.due))
        if actor.can_read_all or o.unit in actor.units
        or set(filter(None, o.lead_units.split(","))) & set(actor.units)]
    units: dict[str, UnitStatus] = {}
    own: list[Item] = []
    for occ, name in rows:
        state = state_of(occ.status, occ.due, today)
        current = units.setdefault(occ.unit, UnitStatus(occ.unit, name, {}, None))
        current.counts[state] = current.counts.get(state, 0) + 1
        if state != "done" and occ.due >= today and (current.next_due is None or occ.due < current.next_due):
            units[occ.unit] = UnitStatus(occ.unit, name, current.counts, occ.due)
        if occ.unit in actor.units and state != "done":
            own.append(Item(Subject(occ.id, task.id, task.title, occ.unit, name, occ.label, occ.due), state, 0))
    own.sort(key=_order_own)
    return TaskSummary(task.id, task.title, task.area, task.area_name, tuple(units.values()), tuple(own))
