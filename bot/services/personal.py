"""Read models of the personal page: a short list in tabs (overdue, the nearest deadline, all), and one task.

Facts only; `bot/web/page.py` turns them into HTML. The same occurrences, states and ownership rules as the
chat's checklist (`bot.services.queue`); the counts on the tabs are the lengths of the lists they open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import EvidenceRow, OccurrenceRow, ReviewRow, TaskRow, UnitRow
from bot.services import par
from bot.services.access import Actor, Refused, own_occurrence, require_known
from bot.services.queue import Card, Item, Subject, card, evidence_counts, state_of

TABS = ("late", "next", "all")  # quá hạn, hạn gần nhất, tất cả
PAGE_SIZE = 10  # a phone screen or two of one-line rows
NOT_DONE = ("open", "returned")


@dataclass(frozen=True)
class Row:
    item: Item
    reason: str | None  # why the office returned it (a returned task)


@dataclass(frozen=True)
class TaskList:
    """One page of one tab, and how many items each tab holds."""

    tab: str
    page: int
    pages: int
    rows: tuple[Row, ...]
    counts: dict[str, int]
    nearest: date | None  # the nearest deadline not yet passed that still has work to do
    returned: tuple[Row, ...] = ()  # every task the office returned, whatever its tab: shown above the tabs


@dataclass(frozen=True)
class Document:
    name: str
    kind: str  # document | photo | link | text
    number: str | None
    issued: date | None
    summary: str | None
    issuer: str | None


@dataclass(frozen=True)
class TaskPage:
    """One task of the member's unit: its card, why it was returned, its documents, what the form requires."""

    card: Card
    reason: str | None
    documents: tuple[Document, ...]
    meta_required: bool
    closed_reason: str | None

    @property
    def can_act(self) -> bool:
        return self.card.item.state in ("returned", "overdue", "open")

    @property
    def takes_evidence(self) -> bool:
        return self.card.item.state not in ("done", "closed")


def return_reasons(session: Session, ids: list[int]) -> dict[int, str]:
    """The reason of the latest decision to return each occurrence (the ones that have one)."""
    if not ids:
        return {}
    found: dict[int, str] = {}
    for occurrence_id, reason in session.execute(
            select(ReviewRow.occurrence_id, ReviewRow.reason)
            .where(ReviewRow.occurrence_id.in_(ids), ReviewRow.decision == "returned")
            .order_by(ReviewRow.decided_at, ReviewRow.id)):
        found[occurrence_id] = reason or ""
    return found


def _order(item: Item) -> tuple[int, int, str]:
    """Returned first, then the longest overdue, then the soonest due; in review, done and closed last."""
    rank = {"returned": 0, "overdue": 1, "open": 2, "awaiting_review": 3, "done": 4, "closed": 5}[item.state]
    due = item.subject.due.toordinal()
    return rank, due if item.state in ("returned", "overdue", "open") else -due, item.subject.task_id


def task_list(session: Session, actor: Actor, today: date, tab: str = "", page: int = 0,
              size: int = PAGE_SIZE) -> TaskList:
    """The member's own units' occurrences in one tab (default: overdue if any, else the nearest deadline)."""
    require_known(actor)
    if not actor.units:
        raise Refused("not_a_head")
    rows = session.execute(
        select(OccurrenceRow, TaskRow.title, UnitRow.name).join(TaskRow, TaskRow.id == OccurrenceRow.task_id)
        .join(UnitRow, UnitRow.id == OccurrenceRow.unit)
        .where(OccurrenceRow.unit.in_(actor.units), OccurrenceRow.retired_at.is_(None),
               TaskRow.retired_at.is_(None))).all()
    evidence = evidence_counts(session, [o.id for o, _, _ in rows])
    items = [Item(Subject(o.id, o.task_id, title, o.unit, name, o.label, o.due), state_of(o.status, o.due, today),
                  evidence.get(o.id, 0)) for o, title, name in rows]
    pending = [i for i in items if i.state in ("returned", "overdue", "open")]
    nearest = min((i.subject.due for i in pending if i.subject.due >= today), default=None)
    tabs = {"late": [i for i in pending if i.subject.due < today],
            "next": [i for i in pending if nearest is not None and today <= i.subject.due <= nearest],
            "all": items}
    if tab not in TABS:
        tab = "late" if tabs["late"] else "next"
    chosen = sorted(tabs[tab], key=_order)
    pages = max(1, -(-len(chosen) // size))
    page = min(max(page, 0), pages - 1)
    shown = chosen[page * size:(page + 1) * size]
    returned = sorted((i for i in items if i.state == "returned"), key=_order)
    reasons = return_reasons(session, [i.subject.occurrence_id for i in returned])
    return TaskList(tab, page, pages, tuple(Row(i, reasons.get(i.subject.occurrence_id)) for i in shown),
                    {name: len(found) for name, found in tabs.items()}, nearest,
                    tuple(Row(i, reasons.get(i.subject.occurrence_id)) for i in returned))


def task_page(session: Session, actor: Actor, occurrence_id: int, today: date) -> TaskPage:
    """One occurrence of the member's own unit (another unit's is refused, as in the chat)."""
    occ = own_occurrence(session, actor, occurrence_id)
    facts = card(session, actor, occ.id, today)
    documents = tuple(Document(e.file_name or (e.text or "")[:200], e.kind, e.doc_number, e.doc_date, e.doc_summary,
                               e.doc_issuer)
                      for e in session.scalars(select(EvidenceRow).where(EvidenceRow.occurrence_id == occ.id)
                                               .order_by(EvidenceRow.id)))
    reason = return_reasons(session, [occ.id]).get(occ.id) if occ.status == "returned" else None
    return TaskPage(facts, reason, documents, par.meta_required(session, occ.task_id),
                    occ.closed_reason if occ.status == "closed" else None)
