"""The office reviews completions: accept, or return with a reason that reopens the task."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.audit import audit
from bot.db.models import (
    EvidenceRow,
    MemberRow,
    OccurrenceRow,
    ReviewRow,
    TaskRow,
    UnitRow,
)
from bot.db.notices import about, queue_notice
from bot.domain.text import nfc
from bot.services.access import Actor, Refused, require_admin, require_known
from bot.services.guards import close_steps
from bot.services.occurrences import counted
from bot.services.queue import Attached, Subject, attached, evidence_counts, subject_of
from bot.services.tasks import Event, clear_state, set_state


def _pending_review(session: Session, actor: Actor, review_id: int) -> tuple[ReviewRow, OccurrenceRow]:
    require_admin(actor)
    review = session.get(ReviewRow, review_id)
    if review is None:
        raise Refused("bad_request")
    if review.decision is not None:
        raise Refused("already_reviewed")
    occ = session.get(OccurrenceRow, review.occurrence_id)
    assert occ is not None
    return review, occ


def accept(session: Session, actor: Actor, review_id: int, ev: Event) -> OccurrenceRow:
    """✔️ Accept: the occurrence is done."""
    review, occ = _pending_review(session, actor, review_id)
    review.decision, review.decided_by, review.decided_at = "accepted", actor.member_id, ev.now
    occ.status, occ.completed_at, occ.completed_by = "done", review.submitted_at, review.submitted_by
    close_steps(session, occ.id, review.id)
    audit(session, ev.now, f"member:{actor.member_id}", "review_accepted", occ.key, {"review_id": review.id},
          ev.update_id)
    queue_notice(session, ev.now, f"accepted:{review.id}", occ.unit,
                 facts={"notice": "accepted", **about(session, occ)})
    return occ


def start_return(session: Session, actor: Actor, review_id: int, ev: Event) -> OccurrenceRow:
    """↩️ Return: the admin's next text is the reason."""
    review, occ = _pending_review(session, actor, review_id)
    set_state(session, actor.chat_id, "return", review.id, ev.now)
    return occ


def return_with_reason(session: Session, actor: Actor, review_id: int, reason: str, ev: Event) -> OccurrenceRow:
    """Reopen the task for the unit and tell its heads why."""
    review, occ = _pending_review(session, actor, review_id)
    reason = nfc(reason).strip()[:2000]
    if not reason:
        raise Refused("empty_text")
    review.decision, review.decided_by, review.decided_at, review.reason = "returned", actor.member_id, ev.now, reason
    occ.status = "returned"
    clear_state(session, actor.chat_id)
    audit(session, ev.now, f"member:{actor.member_id}", "review_returned", occ.key,
          {"review_id": review.id, "reason": reason}, ev.update_id)
    queue_notice(session, ev.now, f"returned:{review.id}", occ.unit,
                 facts={"notice": "returned", **about(session, occ), "reason": reason})
    return occ


# --- the review queue (`/duyet`, `rq:`, `rv:`, `rvf:`): the source of truth, not the notices ---

@dataclass(frozen=True)
class Pending:
    review_id: int
    subject: Subject
    submitted_at: datetime
    submitted_by: str
    evidence: int


@dataclass(frozen=True)
class Queue:
    items: tuple[Pending, ...]
    page: int
    pages: int
    total: int


def review_queue(session: Session, actor: Actor, page: int = 0, size: int = 8) -> Queue:
    """`/duyet`, `rq:`: reviews waiting for a decision, oldest first (the queue is the source of truth)."""
    require_admin(actor)
    pending = (select(ReviewRow, OccurrenceRow).join(OccurrenceRow, OccurrenceRow.id == ReviewRow.occurrence_id)
               .join(TaskRow, TaskRow.id == OccurrenceRow.task_id).where(ReviewRow.decision.is_(None), *counted()))
    total = session.scalar(pending.with_only_columns(func.count())) or 0  # counted and paged in the database
    pages = max(1, -(-total // size))
    page = min(max(page, 0), pages - 1)
    chosen = session.execute(pending.order_by(ReviewRow.submitted_at, ReviewRow.id)
                             .offset(page * size).limit(size)).all()
    names = {m.id: m.name for m in session.scalars(select(MemberRow).where(
        MemberRow.id.in_({r.submitted_by for r, _ in chosen})))}
    # one query each for the page's tasks and units: `subject_of` then finds them in the session (held here:
    # the session keeps rows only while someone does), not one query per row
    held = [*session.scalars(select(TaskRow).where(TaskRow.id.in_({o.task_id for _, o in chosen}))),
            *session.scalars(select(UnitRow).where(UnitRow.id.in_({o.unit for _, o in chosen})))]
    counts = evidence_counts(session, [o.id for _, o in chosen])
    items = tuple(Pending(r.id, subject_of(session, o), r.submitted_at, names.get(r.submitted_by, ""),
                          counts.get(o.id, 0)) for r, o in chosen)
    del held
    return Queue(items, page, pages, total)


@dataclass(frozen=True)
class ReviewCard:
    pending: Pending
    attached: tuple[Attached, ...]
    decision: str | None
    reason: str | None


def review_card(session: Session, actor: Actor, review_id: int) -> ReviewCard:
    """`rv:`: one review with its evidence (decided ones too, so an old notice still opens)."""
    require_admin(actor)
    review = session.get(ReviewRow, review_id)
    occ = session.get(OccurrenceRow, review.occurrence_id) if review is not None else None
    if review is None or occ is None:
        raise Refused("bad_request")
    files = attached(session, occ.id)
    by = session.get(MemberRow, review.submitted_by)
    return ReviewCard(Pending(review.id, subject_of(session, occ), review.submitted_at, by.name if by else "",
                              len(files)), files, review.decision, review.reason)


def evidence_file(session: Session, actor: Actor, evidence_id: int) -> EvidenceRow:
    """`rvf:`: an evidence row whose file the actor may receive (the office, or the unit's own head)."""
    row = session.get(EvidenceRow, evidence_id)
    if row is None:
        raise Refused("bad_request")
    occ = session.get(OccurrenceRow, row.occurrence_id)
    require_known(actor)
    if occ is None or not (actor.can_read_all or occ.unit in actor.units):
        require_admin(actor)
    return row
