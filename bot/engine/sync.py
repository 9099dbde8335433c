"""Plan → database: occurrences and their ladder rungs as durable rows with unique keys.

Re-running is idempotent. An edited plan moves pending reminders; history
(completions, sent deliveries, audit) is never touched; removed tasks are retired.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.db.audit import audit
from bot.db.models import MetricRow, OccurrenceRow, ReminderRow, TaskRow, UnitRow
from bot.domain.deadlines import Occurrence, expand_task
from bot.domain.ladder import Reminder, plan_reminders
from bot.domain.plan import Plan
from bot.domain.workdays import WorkCalendar

# Several processes may start together on one PostgreSQL database (webhook mode): their syncs take turns.
_SYNC_LOCK = zlib.crc32(b"nhacviec-sync")

# Rows that never produced a delivery and may come back to life when the plan changes again.
_REVIVABLE = {("skipped", "before_sync"), ("skipped", "moved_past"), ("cancelled", "removed_from_plan")}


@dataclass(frozen=True)
class SyncReport:
    occurrences_added: int
    occurrences_updated: int
    occurrences_retired: int
    reminders_added: int
    reminders_moved: int
    reminders_cancelled: int
    reminders_skipped_past: int


def _sync_units_tasks(session: Session, plan: Plan, now: datetime) -> None:
    units = {u.id: u for u in session.scalars(select(UnitRow))}
    for unit in plan.units:
        row = units.pop(unit.id, None)
        if row is None:
            session.add(UnitRow(id=unit.id, name=unit.name, email=unit.email, retired=False))
        else:
            row.name, row.email, row.retired = unit.name, unit.email, False
    for row in units.values():
        row.retired = True
    areas = {a.id: a.name for a in plan.areas}
    tasks = {t.id: t for t in session.scalars(select(TaskRow))}
    for task in plan.tasks:
        task_row = tasks.pop(task.id, None)
        if task_row is None:
            task_row = TaskRow(id=task.id)
            session.add(task_row)
        task_row.area, task_row.area_name, task_row.title = task.area, areas[task.area], task.title
        task_row.evidence_required, task_row.retired_at = task.evidence_required, None
    for task_row in tasks.values():
        if task_row.retired_at is None:
            task_row.retired_at = now
    session.flush()
    metrics = {(m.task_id, m.metric_id): m for m in session.scalars(select(MetricRow))}
    for task in plan.tasks:
        for metric in task.metrics:
            m = metrics.pop((task.id, metric.id), None)
            if m is None:
                m = MetricRow(task_id=task.id, metric_id=metric.id)
                session.add(m)
            m.name, m.kind, m.target, m.comparison, m.retired = (metric.name, metric.kind, metric.target,
                                                                 metric.comparison, False)
    for m in metrics.values():
        m.retired = True
    session.flush()


def _sync_occurrences(session: Session, occurrences: list[Occurrence],
                      now: datetime) -> tuple[dict[str, int], int, int, int]:
    existing = {o.key: o for o in session.scalars(select(OccurrenceRow))}
    added = updated = 0
    for occ in occurrences:
        values = dict(task_id=occ.task_id, deadline_id=occ.deadline_id, unit=occ.unit, period=occ.period,
                      label=occ.label, source=occ.source, lead_units=",".join(occ.lead_units), due=occ.due)
        row = existing.pop(occ.key, None)
        if row is None:
            session.add(OccurrenceRow(key=occ.key, status="open", **values))
            added += 1
            continue
        changed = any(getattr(row, k) != v for k, v in values.items()) or row.retired_at is not None
        if changed:
            for k, v in values.items():
                setattr(row, k, v)
            row.retired_at = None
            updated += 1
    retired = 0
    for row in existing.values():
        if row.retired_at is None:
            row.retired_at = now
            retired += 1
    session.flush()
    ids = {key: oid for key, oid in session.execute(select(OccurrenceRow.key, OccurrenceRow.id))}
    return ids, added, updated, retired


def sync_plan(engine: Engine, plan: Plan, calendar: WorkCalendar, now: datetime, actor: str = "system") -> SyncReport:
    """Make the database match the plan as of `now`; safe to run any number of times."""
    occurrences = [occ for task in plan.tasks for occ in expand_task(plan, task, calendar)]
    wanted: dict[str, tuple[Reminder, str]] = {}
    for occ in occurrences:
        for rem in plan_reminders(plan, occ, calendar):
            wanted[rem.key] = (rem, occ.key)
    with Session(engine) as session, session.begin():
        if engine.dialect.name == "postgresql":  # released at commit; the second sync then finds the rows
            session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _SYNC_LOCK})
        _sync_units_tasks(session, plan, now)
        occ_ids, occ_added, occ_updated, occ_retired = _sync_occurrences(session, occurrences, now)
        rows = session.execute(select(ReminderRow.id, ReminderRow.key, ReminderRow.state, ReminderRow.due_at,
                                      ReminderRow.note, ReminderRow.target)
                               .where(ReminderRow.occurrence_id.is_not(None))).all()
        moved = cancelled = 0
        seen: set[str] = set()
        for rid, key, state, due_at, note, target_now in rows:
            seen.add(key)
            target = wanted.get(key)
            movable = state == "pending" or (state, note) in _REVIVABLE
            if target is None:
                if state == "pending":
                    session.execute(update(ReminderRow).where(ReminderRow.id == rid)
                                    .values(state="cancelled", note="removed_from_plan"))
                    cancelled += 1
                continue
            rem = target[0]
            new_to = ",".join(rem.to)
            if not movable:
                continue
            wanted_state = ("pending", None) if rem.at >= now else (("skipped", note) if state == "skipped"
                                                                  else ("skipped", "moved_past"))
            if (due_at, target_now, (state, note)) != (rem.at, new_to, wanted_state):
                session.execute(update(ReminderRow).where(ReminderRow.id == rid)
                                .values(due_at=rem.at, state=wanted_state[0], note=wanted_state[1], target=new_to))
                moved += 1
        new_rows = []
        skipped_past = 0
        for key, (rem, occ_key) in wanted.items():
            if key in seen:
                continue
            past = rem.at < now
            skipped_past += past
            new_rows.append(dict(key=key, occurrence_id=occ_ids[occ_key], kind=rem.kind, rung=rem.rung,
                                 target=",".join(rem.to), due_at=rem.at,
                                 state="skipped" if past else "pending", note="before_sync" if past else None))
        for start in range(0, len(new_rows), 5000):
            session.execute(insert(ReminderRow), new_rows[start:start + 5000])
        report = SyncReport(occ_added, occ_updated, occ_retired, len(new_rows) - skipped_past, moved, cancelled,
                            skipped_past)
        audit(session, now, actor, "plan_sync", plan.plan.id, report.__dict__)
    return report
