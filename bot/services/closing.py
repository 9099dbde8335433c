"""The office closes, in bulk, what was due before the deployment: status `closed`, with a reason.

A plan adopted mid-year carries deadlines nobody can meet any more ("239 days overdue" on the first
/viec). Closing them is the office's decision: only an admin may, the reason is required and goes
to the audit log and to each occurrence, and their pending reminders are cancelled. A closed
occurrence is counted on its own (shown as "closed"): never overdue, never done, and nobody is
reminded of it. What was submitted (awaiting review) or done is left alone.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.db.audit import audit
from bot.db.models import OccurrenceRow, ReminderRow, TaskRow
from bot.domain.text import nfc
from bot.services.access import Actor, Refused, require_admin
from bot.services.tasks import OPEN, Event

CLOSED = "closed"
MAX_REASON = 500


@dataclass(frozen=True)
class Closing:
    """What a bulk close did: how many occurrences, per unit, and the reminders it cancelled."""

    before: date
    reason: str
    closed: int
    reminders_cancelled: int
    per_unit: dict[str, int] = field(default_factory=dict)


def cli_actor() -> Actor:
    """Whoever runs `nhacviec close` on the server acts as the office (audited as "cli")."""
    return Actor(user_id=0, chat_id=0, member_ids=(0,), roles=frozenset({"admin"}), units=frozenset(),
                 name="cli", lang="vi")


def close_before(session: Session, actor: Actor, before: date, reason: str, ev: Event,
                 plan_id: str | None = None) -> Closing:
    """Close every open or returned occurrence due before `before` (of one plan, if given)."""
    require_admin(actor)
    reason = " ".join(nfc(reason).split())[:MAX_REASON]
    if not reason:
        raise Refused("empty_text")
    query = (select(OccurrenceRow).where(OccurrenceRow.retired_at.is_(None), OccurrenceRow.due < before,
                                         OccurrenceRow.status.in_(OPEN)).order_by(OccurrenceRow.id))
    if plan_id is not None:
        query = query.join(TaskRow, TaskRow.id == OccurrenceRow.task_id).where(TaskRow.plan_id == plan_id)
    rows = list(session.scalars(query))
    per_unit: Counter[str] = Counter()
    actor_name = f"member:{actor.member_id}" if actor.member_id else "cli"  # see `cli_actor`
    for occ in rows:
        occ.status, occ.closed_at, occ.closed_reason = CLOSED, ev.now, reason
        per_unit[occ.unit] += 1
        audit(session, ev.now, actor_name, "occurrence_closed", occ.key, {"reason": reason,
                                                                          "before": before.isoformat()}, ev.update_id)
    cancelled = 0
    ids = [occ.id for occ in rows]
    for start in range(0, len(ids), 500):
        result = session.execute(update(ReminderRow).where(ReminderRow.occurrence_id.in_(ids[start:start + 500]),
                                                           ReminderRow.state == "pending")
                                 .values(state="cancelled", note=CLOSED))
        cancelled += result.rowcount or 0  # type: ignore[attr-defined]
    audit(session, ev.now, actor_name, "occurrences_closed", f"before:{before.isoformat()}",
          {"reason": reason, "count": len(rows), "plan_id": plan_id, "reminders_cancelled": cancelled,
           "per_unit": dict(per_unit)}, ev.update_id)
    return Closing(before, reason, len(rows), cancelled, dict(sorted(per_unit.items())))
