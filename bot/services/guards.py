"""Guards on chat steps that a decision ends (issue 11): evidence after acceptance, stale return reasons."""

from __future__ import annotations

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from bot.db.models import ChatStateRow, OccurrenceRow, TaskRow
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
    """No evidence row for an occurrence the office accepted (a download that ended after the decision)."""
    if occ.status == "done":
        raise Refused("evidence_closed", task=task_label(session, occ))
