"""Guards on chat steps that a decision ends (issue 11): evidence after acceptance or closing, duplicate files,
stale return reasons. The chat and the page both go through these."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot.db.models import ChatStateRow, EvidenceRow, OccurrenceRow, TaskRow
from bot.services.access import Refused

CLOSED_EVIDENCE = "evidence_closed"  # a chat's evidence step closed by the office's decision


def task_label(session: Session, occ: OccurrenceRow) -> str:
    """`[5.2] Title (TCCB)`: how a refusal names the task."""
    task = session.get(TaskRow, occ.task_id)
    return f"[{occ.task_id}] {task.title[:80] if task else ''} ({occ.unit})"


def close_steps(session: Session, occurrence_id: int, review_id: int) -> None:
    """The office accepted: evidence steps open on the occurrence are closed (the next file is refused,
    naming the task) and any admin's pending return reason for this review is dropped."""
    session.execute(update(ChatStateRow).where(ChatStateRow.kind == "evidence", ChatStateRow.ref == occurrence_id)
                    .values(kind=CLOSED_EVIDENCE))
    session.execute(delete(ChatStateRow).where(ChatStateRow.kind == "return", ChatStateRow.ref == review_id))


def refuse_after_acceptance(session: Session, occ: OccurrenceRow) -> None:
    """No evidence for an occurrence the office accepted (a download that ended after the decision) or closed
    in bulk (`bot.services.closing`): one rule for the chat and the page."""
    if occ.status == "done":
        raise Refused("evidence_closed", task=task_label(session, occ))
    if occ.status == "closed":
        raise Refused("evidence_task_closed", task=task_label(session, occ), reason=occ.closed_reason or "")


def refuse_duplicate(session: Session, occurrence_id: int, sha256: str | None, name: str | None,
                     unique: str | None = None) -> None:
    """The same bytes are stored once per occurrence: a second copy is refused, naming the file. `unique` (the
    channel's id of the same bytes, Telegram's file_unique_id) refuses a copy before it is downloaded."""
    for column, value in ((EvidenceRow.sha256, sha256), (EvidenceRow.file_unique_id, unique)):
        if value and session.scalar(select(EvidenceRow.id).where(EvidenceRow.occurrence_id == occurrence_id,
                                                                 column == value).limit(1)) is not None:
            raise Refused("evidence_duplicate", name=name or "")
