"""A notice queued in the durable outbox, as facts: its kind and parameters, worded when sent.

Below the services and the engine: a service records what happened (`facts = {"notice": kind, ...}`) and the
dispatcher words it for each reader, in that reader's language (`bot.engine.notices`). `body` is only for
callers that still pass finished text (old rows keep theirs and are sent as they are).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.db.models import OccurrenceRow, ReminderRow, TaskRow, UnitRow


def about(session: Session, occ: OccurrenceRow) -> dict[str, Any]:
    """What a notice says of an occurrence (task, unit name, deadline), for `bot.engine.notices` to word."""
    task = session.get(TaskRow, occ.task_id)
    unit = session.get(UnitRow, occ.unit)
    return {"occurrence": occ.id, "task": occ.task_id, "title": task.title if task else "",
            "unit": unit.name if unit else occ.unit, "label": occ.label, "due": occ.due.isoformat()}


def queue_notice(session: Session, now: datetime, key: str, target: str, body: str = "",
                 buttons: list[list[tuple[str, str]]] | None = None, facts: dict[str, Any] | None = None) -> None:
    """A one-off message through the durable outbox (same no-loss, no-duplicate rules as reminders).

    `target`: unit ids, "office" (admins), "leadership", or "chat:<id>", comma-separated. `facts`
    (`{"notice": kind, ...}`, see `bot.engine.notices.NOTICES`) are worded when sent, in each reader's
    language, buttons included; `body` and `buttons` are the finished text of a notice without facts.
    """
    session.add(ReminderRow(key=f"notice:{key}:{uuid.uuid4().hex[:16]}", occurrence_id=None, kind="notice",
                            rung=key.split(":", 1)[0][:40], target=target, due_at=now, state="pending",
                            body=body, buttons=[[list(b) for b in row] for row in buttons] if buttons else None,
                            facts=facts))
