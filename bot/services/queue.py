"""Read models for the chat's screens: a head's checklist, a watcher's list, the task card, the review queue.

Facts only (dataclasses); `bot/views/*` turns them into words and buttons.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
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
from bot.domain.status import FILTERS as _FILTERS
from bot.domain.status import TO_DO, State
from bot.domain.status import state_of as _state_of
from bot.services.access import Actor, Refused, check_own, require_known
from bot.services.metrics import MetricStatus, metric_status
from bot.services.occurrences import STATE_RANK_OWN, Scope, counted, filter_counts, page_rows, state_counts
from bot.services.occurrences import Subject as Subject  # read models name their subject with it
from bot.services.occurrences import evidence_counts as evidence_counts  # bot.services.review reads it here

PAGE = 7  # 7 tasks + ◀ ▶ + three other filters = 12 buttons, Telegram's screenful (CONVERSATION.md)
FILTERS = _FILTERS  # chưa xong, quá hạn, chờ xác nhận, tất cả (bot.domain.status)
OPEN = tuple(str(s) for s in TO_DO)


@dataclass(frozen=True)
class Item:
    subject: Subject
    state: str  # bot.domain.status.State: returned | overdue | open | awaiting_review | done | closed
    evidence: int
    contribution: bool = False  # phối hợp: the unit helps another unit's work (listed after its own)


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


def own_subject(session: Session, actor: Actor, occurrence_id: int) -> Subject:
    """bot.services.access.own_occurrence and subject_of in one statement (a button's answer names its task)."""
    require_known(actor)
    found = session.execute(
        select(OccurrenceRow.id, OccurrenceRow.task_id, OccurrenceRow.unit, OccurrenceRow.label, OccurrenceRow.due,
               OccurrenceRow.retired_at, OccurrenceRow.assignee_id, TaskRow.title, UnitRow.name)
        .outerjoin(TaskRow, TaskRow.id == OccurrenceRow.task_id).outerjoin(UnitRow, UnitRow.id == OccurrenceRow.unit)
        .where(OccurrenceRow.id == occurrence_id)).first()
    check_own(actor, found)
    assert found is not None
    return Subject(found.id, found.task_id, found.title or "", found.unit, found.name or found.unit, found.label,
                   found.due)


def state_of(status: str, due: date, today: date) -> str:
    """bot.domain.status.state_of (kept here for the callers of this module)."""
    return str(_state_of(status, due, today))


def _order_own(item: Item) -> tuple[int, int, str, str]:
    """What needs the head's action first (bot.services.occurrences orders lists the same way in SQL)."""
    rank = STATE_RANK_OWN[State(item.state)]
    due = item.subject.due.toordinal()
    return rank, -due if item.state in ("overdue", "done") else due, item.subject.task_id, item.subject.unit


def list_page(session: Session, scope: Scope, today: date, kind: str, f: str, page: int) -> Page:
    """Filter, count and page in the database (bot.services.occurrences): the cost grows with the page."""
    if f not in FILTERS:
        raise Refused("bad_request")
    by_state = state_counts(session, scope, today)
    counts = filter_counts(session, scope, today, by_state)
    total = counts[f]
    pages = max(1, -(-total // PAGE))
    page = min(max(page, 0), pages - 1)
    rows = page_rows(session, scope, today, f, page * PAGE, PAGE, watch=kind == "wl", by_state=by_state)
    items = tuple(Item(r.subject, str(r.state), r.evidence, not r.own) for r in rows)
    return Page(items, kind, f, page, pages, total, counts)


def own_scope(actor: Actor) -> Scope:
    """The checklist's occurrences: the actor's own units (a head, an acting head)."""
    require_known(actor)
    if not actor.units:
        raise Refused("not_a_head")
    return Scope(units=frozenset(actor.units))


def checklist(session: Session, actor: Actor, today: date, f: str = "o", page: int = 0) -> Page:
    """`/viec`, `cl:`: the occurrences of the actor's own units."""
    return list_page(session, own_scope(actor), today, "cl", f, page)


def checklist_counts(session: Session, actor: Actor, today: date) -> dict[str, int]:
    """How many the checklist holds per filter (`Page.counts`): a button that opens it says these figures."""
    return filter_counts(session, own_scope(actor), today)


def watches(actor: Actor) -> bool:
    return actor.can_read_all or bool(actor.units)


def watch_scope(actor: Actor) -> Scope:
    """The office and leadership see every unit; a lead unit the occurrences it leads of other units."""
    require_known(actor)
    if actor.can_read_all:
        return Scope()
    if actor.units:
        return Scope(led_by=frozenset(actor.units))
    raise Refused("not_a_head")


def watchlist(session: Session, actor: Actor, today: date, f: str = "q", page: int = 0) -> Page:
    """`wl:`: the office and leadership see every unit; a lead unit the occurrences it leads."""
    return list_page(session, watch_scope(actor), today, "wl", f, page)


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


def _member_names(session: Session, ids: set[int]) -> dict[int, str]:
    """The names of these members only (a task card used to load every member, twice, per view)."""
    if not ids:
        return {}
    return {i: n for i, n in session.execute(select(MemberRow.id, MemberRow.name).where(MemberRow.id.in_(ids)))}


def attached(session: Session, occurrence_id: int) -> tuple[Attached, ...]:
    rows = list(session.scalars(select(EvidenceRow).where(EvidenceRow.occurrence_id == occurrence_id)
                                .order_by(EvidenceRow.id)))
    names = _member_names(session, {e.member_id for e in rows if e.member_id is not None})
    return tuple(Attached(e.id, e.kind, e.file_name or (e.text or "")[:200], e.size, e.created_at,
                          names.get(e.member_id, "")) for e in rows)


def card(session: Session, actor: Actor, occurrence_id: int, today: date) -> Card:
    """`tc:`: the task card of one occurrence."""
    occ = readable_occurrence(session, actor, occurrence_id)
    task = session.get(TaskRow, occ.task_id)
    files = attached(session, occ.id)
    item = Item(subject_of(session, occ), state_of(occ.status, occ.due, today), len(files))
    metrics = tuple(m for m in metric_status(session, {occ.unit}) if m[0].task_id == occ.task_id)
    audit = list(session.scalars(select(AuditRow).where(AuditRow.subject == occ.key)
                                 .order_by(AuditRow.id.desc()).limit(10)))
    ids = {int(a.actor[7:]) for a in audit if a.actor.startswith("member:") and a.actor[7:].isdigit()}
    names = {f"member:{i}": n for i, n in _member_names(session, ids).items()}
    history = tuple(Event(a.at, a.action, names.get(a.actor, ""), str(a.details.get("reason") or "")) for a in audit)
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
        .join(TaskRow, TaskRow.id == OccurrenceRow.task_id)
        .where(OccurrenceRow.task_id == task.id, *counted())
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
