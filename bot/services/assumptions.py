"""Assumptions are drafts until the office confirms them.

A date, an owner or a unit's share that the plan does not give (`source: assumed`) reaches nobody as a
fact: its occurrence is `confirmed = False` until the office confirms it (several at once, from chat,
the CLI or the console), and meanwhile it sends no reminder and no escalation (bot.engine.outbox) and
counts in no overdue figure (`live_occurrences`). The office may confirm with its own date (the date the
province sets for its scoring software, say): the deadline and its pending reminders move, and a plan
sync keeps that date (`due_set`). An evidence list the plan does not give is a suggestion
until the office makes it required (`confirm_evidence`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.orm import Session

from bot.db.audit import audit
from bot.db.models import OccurrenceRow, ReminderRow, TaskRow
from bot.domain.workdays import WorkCalendar
from bot.services.access import Actor, Refused, require_admin
from bot.services.tasks import Event

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
MAX_AT_ONCE = 5000


def live_occurrences() -> ColumnElement[bool]:
    """The one filter every count, list, escalation, digest and export applies: in the plan and confirmed.

    An unconfirmed assumption is shown only where it says it is assumed (the office's list of drafts, a task
    card marked so); it is never open, overdue or late in a figure.
    """
    return and_(OccurrenceRow.retired_at.is_(None), OccurrenceRow.confirmed.is_(True))


@dataclass(frozen=True)
class Draft:
    """One unconfirmed occurrence, as the office's list shows it."""

    occurrence_id: int
    key: str
    task_id: str
    deadline_id: str
    unit: str
    label: str
    due: date


@dataclass(frozen=True)
class Confirmation:
    """What a confirmation did: the occurrences confirmed, and the date set if one was given."""

    confirmed: tuple[str, ...]
    due: date | None
    reminders_moved: int


def drafts(session: Session, task: str | None = None, unit: str | None = None,
           deadline: str | None = None) -> list[Draft]:
    """Unconfirmed occurrences still in the plan, by due date, optionally of one task, unit or deadline."""
    query = select(OccurrenceRow).where(OccurrenceRow.retired_at.is_(None), OccurrenceRow.confirmed.is_(False))
    if task:
        query = query.where(OccurrenceRow.task_id == task)
    if unit:
        query = query.where(OccurrenceRow.unit == unit)
    if deadline:
        query = query.where(OccurrenceRow.deadline_id == deadline)
    rows = session.scalars(query.order_by(OccurrenceRow.due, OccurrenceRow.task_id, OccurrenceRow.unit))
    return [Draft(o.id, o.key, o.task_id, o.deadline_id, o.unit, o.label, o.due) for o in rows]


def confirm(session: Session, actor: Actor, occurrence_ids: list[int], ev: Event, calendar: WorkCalendar,
            due: date | None = None) -> Confirmation:
    """The office confirms these occurrences (several at once), optionally on a date it sets."""
    require_admin(actor)
    if not occurrence_ids:
        raise Refused("nothing_to_confirm")
    if len(occurrence_ids) > MAX_AT_ONCE:
        raise Refused("too_many_at_once", limit=MAX_AT_ONCE)
    rows = list(session.scalars(select(OccurrenceRow).where(OccurrenceRow.id.in_(occurrence_ids),
                                                           OccurrenceRow.retired_at.is_(None))
                                .order_by(OccurrenceRow.id)))
    if len(rows) != len(set(occurrence_ids)):
        raise Refused("no_such_task")
    moved = 0
    who = f"member:{actor.member_id}" if actor.member_id else "cli"
    for occ in rows:
        before = occ.due
        occ.confirmed = True
        if due is not None and due != occ.due:
            moved += move_deadline(session, occ, due, calendar, ev.now)
        audit(session, ev.now, who, "assumption_confirmed", occ.key,
              {"due": occ.due.isoformat(), "previous_due": before.isoformat()}, ev.update_id)
    return Confirmation(tuple(o.key for o in rows), due, moved)


def confirm_evidence(session: Session, actor: Actor, task_ids: list[str], ev: Event) -> list[str]:
    """The office makes these tasks' evidence lists required (they were suggestions)."""
    require_admin(actor)
    rows = list(session.scalars(select(TaskRow).where(TaskRow.id.in_(task_ids), TaskRow.retired_at.is_(None))))
    if not rows or len(rows) != len(set(task_ids)):
        raise Refused("no_such_task")
    who = f"member:{actor.member_id}" if actor.member_id else "cli"
    for task in rows:
        task.evidence_confirmed = True
        audit(session, ev.now, who, "evidence_list_confirmed", task.id, {"items": list(task.evidence or [])},
              ev.update_id)
    return [t.id for t in rows]


def _offset(rung: str) -> int | None:
    """Working days from the due date a ladder rung is sent (`before-3` → -3, `overdue-4` → 4, `due` → 0)."""
    if rung == "due":
        return 0
    head, _sep, tail = rung.rpartition("-")
    if not tail.isdigit():
        return None
    return -int(tail) if head == "before" else int(tail)


def move_deadline(session: Session, occ: OccurrenceRow, due: date, calendar: WorkCalendar, now: datetime) -> int:
    """Set an occurrence's date (kept by later syncs) and move its ladder with it; returns reminders moved.

    A rung now in the future is pending again; one now past is skipped, never sent late in a burst.
    """
    occ.due = occ.due_set = due
    moved = 0
    for rem in session.scalars(select(ReminderRow).where(ReminderRow.occurrence_id == occ.id,
                                                         ReminderRow.state.in_(("pending", "skipped")))):
        if rem.state == "skipped" and rem.note not in ("before_sync", "moved_past", "unconfirmed", "snoozed"):
            continue
        offset = _offset(rem.rung)
        if offset is None:
            continue
        day = calendar.previous_working_day(due) if rem.rung == "due" else calendar.add_working_days(due, offset)
        local = rem.due_at.astimezone(ZONE)
        at = datetime.combine(day, time(local.hour, local.minute), tzinfo=ZONE)
        state, note = ("pending", None) if at >= now else ("skipped", "moved_past")
        if (rem.due_at, rem.state, rem.note) != (at, state, note):
            rem.due_at, rem.state, rem.note = at, state, note
            moved += 1
    return moved


def confirm_matching(session: Session, actor: Actor, ev: Event, calendar: WorkCalendar, *, task: str | None = None,
                     deadline: str | None = None, unit: str | None = None, due: date | None = None) -> Confirmation:
    """Confirm every draft of a task, a deadline and/or a unit at once (the console and the chat call this)."""
    require_admin(actor)
    if not (task or deadline or unit):
        raise Refused("nothing_to_confirm")
    found = drafts(session, task, unit, deadline)
    return confirm(session, actor, [d.occurrence_id for d in found], ev, calendar, due)


def confirm_all_for_rehearsal(session: Session, now: datetime) -> int:
    """The sandbox rehearses the plan as the office would run it: every assumption confirmed (audited)."""
    rows = list(session.scalars(select(OccurrenceRow).where(OccurrenceRow.confirmed.is_(False))))
    for occ in rows:
        occ.confirmed = True
    audit(session, now, "sandbox", "assumptions_confirmed_for_rehearsal", "", {"count": len(rows)})
    return len(rows)
