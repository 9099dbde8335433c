"""A head's actions on their unit's occurrences: confirm, evidence, snooze, blocker."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.db.audit import audit
from bot.db.models import (
    BlockerRow,
    ChatStateRow,
    EvidenceRow,
    OccurrenceRow,
    ReminderRow,
    ReviewRow,
    TaskRow,
)
from bot.db.notices import about, queue_notice
from bot.domain.text import nfc
from bot.domain.workdays import WorkCalendar
from bot.services.access import Actor, Refused, own_occurrence, require_admin
from bot.services.guards import refuse_after_acceptance, refuse_duplicate, task_label

OPEN = ("open", "returned")


@dataclass(frozen=True)
class Event:
    """Provenance of an action, for the audit log."""

    now: datetime
    update_id: int | None = None


def evidence_count(session: Session, occurrence_id: int) -> int:
    return session.scalar(select(func.count()).select_from(EvidenceRow)
                          .where(EvidenceRow.occurrence_id == occurrence_id)) or 0


def confirm_done(session: Session, actor: Actor, occurrence_id: int, ev: Event) -> ReviewRow:
    """✅: the unit says it is done; the office reviews it."""
    occ = own_occurrence(session, actor, occurrence_id)
    if occ.status == "done":
        raise Refused("already_done")
    if occ.status == "awaiting_review":
        raise Refused("already_submitted")
    if occ.status == "closed":  # by the office (bot.services.closing): nothing to submit, in chat or on the page
        raise Refused("task_closed", task=task_label(session, occ), reason=occ.closed_reason or "")
    task = session.get(TaskRow, occ.task_id)
    count = evidence_count(session, occ.id)
    if task is not None and task.evidence_required and count == 0:
        raise Refused("evidence_required")
    occ.status = "awaiting_review"
    review = ReviewRow(occurrence_id=occ.id, submitted_by=actor.member_id, submitted_at=ev.now)
    session.add(review)
    session.flush()
    audit(session, ev.now, f"member:{actor.member_id}", "completion_submitted", occ.key,
          {"review_id": review.id, "evidence": count}, ev.update_id)
    queue_notice(session, ev.now, f"review:{review.id}", "office",
                 facts={"notice": "review", **about(session, occ), "review": review.id,
                        "name": actor.name, "at": ev.now.isoformat(), "evidence": count})
    session.execute(delete(ChatStateRow).where(ChatStateRow.chat_id == actor.chat_id))
    return review


def set_state(session: Session, chat_id: int, kind: str, ref: int, now: datetime) -> None:
    """Remember what the bot now waits for from this chat (replacing any earlier wait)."""
    row = session.get(ChatStateRow, chat_id)
    if row is None:
        session.add(ChatStateRow(chat_id=chat_id, kind=kind, ref=ref, started_at=now))
    else:
        row.kind, row.ref, row.started_at = kind, ref, now


def clear_state(session: Session, chat_id: int) -> None:
    row = session.get(ChatStateRow, chat_id)
    if row is not None:
        session.delete(row)


def start_evidence(session: Session, actor: Actor, occurrence_id: int, ev: Event) -> OccurrenceRow:
    """📎: following messages of this chat are evidence for the occurrence."""
    occ = own_occurrence(session, actor, occurrence_id)
    if occ.status == "done":
        raise Refused("already_done")
    refuse_after_acceptance(session, occ)
    set_state(session, actor.chat_id, "evidence", occ.id, ev.now)
    return occ


def add_evidence(session: Session, actor: Actor, occurrence_id: int, ev: Event, *, kind: str,
                 text: str | None = None, file_id: str | None = None, file_unique_id: str | None = None,
                 file_name: str | None = None, size: int | None = None, sha256: str | None = None,
                 stored_path: str | None = None) -> EvidenceRow:
    """Store one evidence item (its file was already archived by the caller); the same bytes twice are refused."""
    occ = own_occurrence(session, actor, occurrence_id)
    refuse_after_acceptance(session, occ)
    refuse_duplicate(session, occ.id, sha256, file_name)
    text, file_name = (nfc(text) if text else text), (nfc(file_name) if file_name else file_name)
    row = EvidenceRow(occurrence_id=occ.id, member_id=actor.member_id, kind=kind, text=text, file_id=file_id,
                      file_unique_id=file_unique_id, file_name=file_name, size=size, sha256=sha256,
                      stored_path=stored_path, created_at=ev.now)
    session.add(row)
    session.flush()
    audit(session, ev.now, f"member:{actor.member_id}", "evidence_added", occ.key,
          {"evidence_id": row.id, "kind": kind, "file_name": file_name, "size": size, "sha256": sha256},
          ev.update_id)
    return row


def snooze(session: Session, actor: Actor, occurrence_id: int, days: int, ev: Event, calendar: WorkCalendar,
           zone: ZoneInfo, send_time: time = time(8, 0)) -> datetime:
    """⏰: remind again after 1 or 3 working days, never past the next escalation."""
    if days not in (1, 3):
        raise Refused("bad_request")
    occ = own_occurrence(session, actor, occurrence_id)
    if occ.status not in OPEN:
        raise Refused("already_submitted" if occ.status == "awaiting_review" else "already_done")
    today: date = ev.now.astimezone(zone).date()
    until = datetime.combine(calendar.add_working_days(today, days), send_time, tzinfo=zone)
    escalation = session.scalar(select(func.min(ReminderRow.due_at)).where(
        ReminderRow.occurrence_id == occ.id, ReminderRow.kind == "escalation", ReminderRow.state == "pending",
        ReminderRow.due_at > ev.now))
    if escalation is not None and until > escalation:
        until = escalation
    occ.snoozed_until = until
    session.add(ReminderRow(key=f"{occ.key}#snooze-{ev.now:%Y%m%d%H%M%S%f}", occurrence_id=occ.id, kind="due"
                            if occ.due <= until.astimezone(zone).date() else "before", rung="snooze",
                            target=occ.unit, due_at=until, state="pending"))
    audit(session, ev.now, f"member:{actor.member_id}", "snoozed", occ.key,
          {"days": days, "until": until.isoformat()}, ev.update_id)
    return until


def start_blocker(session: Session, actor: Actor, occurrence_id: int, ev: Event) -> OccurrenceRow:
    """⚠️: the next text of this chat describes the difficulty."""
    occ = own_occurrence(session, actor, occurrence_id)
    set_state(session, actor.chat_id, "blocker", occ.id, ev.now)
    return occ


def report_blocker(session: Session, actor: Actor, occurrence_id: int, text: str, ev: Event) -> BlockerRow:
    """Record the difficulty and send it to the office, which may forward it to leadership."""
    occ = own_occurrence(session, actor, occurrence_id)
    text = nfc(text).strip()[:3000]
    if not text:
        raise Refused("empty_text")
    row = BlockerRow(occurrence_id=occ.id, member_id=actor.member_id, text=text, created_at=ev.now)
    session.add(row)
    session.flush()
    clear_state(session, actor.chat_id)
    audit(session, ev.now, f"member:{actor.member_id}", "blocker_reported", occ.key, {"blocker_id": row.id},
          ev.update_id)
    queue_notice(session, ev.now, f"blocker:{row.id}", "office",
                 facts={"notice": "blocker", **about(session, occ), "blocker": row.id,
                        "name": actor.name, "text": text})
    return row


def forward_blocker(session: Session, actor: Actor, blocker_id: int, ev: Event) -> BlockerRow:
    """The office forwards a blocker to leadership (seed, section III)."""
    require_admin(actor)
    row = session.get(BlockerRow, blocker_id)
    if row is None:
        raise Refused("bad_request")
    if row.forwarded_at is not None:
        raise Refused("already_forwarded")
    occ = session.get(OccurrenceRow, row.occurrence_id)
    assert occ is not None
    row.forwarded_by, row.forwarded_at, row.status = actor.member_id, ev.now, "forwarded"
    audit(session, ev.now, f"member:{actor.member_id}", "blocker_forwarded", occ.key, {"blocker_id": row.id},
          ev.update_id)
    queue_notice(session, ev.now, f"blocker-fwd:{row.id}", "leadership",
                 facts={"notice": "blocker_forwarded", **about(session, occ), "blocker": row.id,
                        "text": row.text})
    return row

