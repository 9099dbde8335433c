"""Plan → database: occurrences and their ladder rungs as durable rows with unique keys.

Re-running is idempotent. An edited plan moves pending reminders; history
(completions, sent deliveries, audit) is never touched; removed tasks are retired.

Several plans share one database through `sync_plans`: each plan's task ids, occurrence keys and
reminder keys then start with "<plan id>:" so two plans never collide, and each sync touches only
its own plan's rows. A single plan keeps unprefixed keys (databases made before several plans were
possible stay as they are); when a second plan is added, the first plan's rows are renamed in place
(`_adopt_unprefixed`), keeping their completions, evidence, reviews and deliveries.
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlalchemy import delete, insert, literal, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.db.audit import audit
from bot.db.models import MetricRow, OccurrenceRow, ReminderRow, TaskRow, UnitRow
from bot.domain.deadlines import Occurrence, expand_task
from bot.domain.ladder import Reminder, plan_reminders
from bot.domain.plan import Plan, Task
from bot.domain.workdays import WorkCalendar

# Several processes may start together on one PostgreSQL database (webhook mode): their syncs take turns.
_SYNC_LOCK = zlib.crc32(b"nhacviec-sync")

# Rows that never produced a delivery and may come back to life when the plan changes again.
# Tasks, occurrences and reminders made by the office outside any plan (the council's short tasks, see
# bot.dossier.council): no plan's sync retires them.
OWN_KEYS = "council:"
_REVIVABLE = {("skipped", "before_sync"), ("skipped", "moved_past"), ("cancelled", "removed_from_plan"),
              ("skipped", "unconfirmed")}


@dataclass(frozen=True)
class SyncReport:
    occurrences_added: int
    occurrences_updated: int
    occurrences_retired: int
    reminders_added: int
    reminders_moved: int
    reminders_cancelled: int
    reminders_skipped_past: int


def _sync_units(session: Session, plans: list[Plan]) -> None:
    """Units of all plans (the first plan naming a unit gives its name); units no plan names retire."""
    units = {u.id: u for u in session.scalars(select(UnitRow))}
    seen: set[str] = set()
    for plan in plans:
        for unit in plan.units:
            if unit.id in seen:
                continue
            seen.add(unit.id)
            row = units.pop(unit.id, None)
            if row is None:
                session.add(UnitRow(id=unit.id, name=unit.name, email=unit.email, retired=False))
            else:
                row.name, row.email, row.retired = row.name_set or unit.name, unit.email, False
    for row in units.values():
        row.retired = row.retired or not row.office_added  # the office's own units stay until it merges them
    session.flush()


def _adopt_unprefixed(session: Session, plan_id: str, prefix: str) -> None:
    """Rename a plan's rows made while it was alone in the database to their prefixed keys."""
    old = [t for t in session.scalars(select(TaskRow).where(TaskRow.plan_id == plan_id))
           if not t.id.startswith(prefix)]
    taken = set(session.scalars(select(TaskRow.id).where(TaskRow.id.in_([prefix + t.id for t in old]))))
    for task in old:
        new_id = prefix + task.id
        if new_id in taken:
            continue
        session.add(TaskRow(id=new_id, area=task.area, area_name=task.area_name, title=task.title,
                            evidence_required=task.evidence_required, retired_at=task.retired_at,
                            detail=task.detail, evidence=list(task.evidence or []),
                            evidence_source=task.evidence_source, plan_id=plan_id, plan_title=task.plan_title))
        session.flush()
        occ_ids = select(OccurrenceRow.id).where(OccurrenceRow.task_id == task.id).scalar_subquery()
        session.execute(update(ReminderRow).where(ReminderRow.occurrence_id.in_(occ_ids))
                        .values(key=literal(prefix) + ReminderRow.key))
        session.execute(update(OccurrenceRow).where(OccurrenceRow.task_id == task.id)
                        .values(task_id=new_id, key=literal(prefix) + OccurrenceRow.key))
        session.execute(update(MetricRow).where(MetricRow.task_id == task.id).values(task_id=new_id))
        session.execute(delete(TaskRow).where(TaskRow.id == task.id))
    session.flush()


def _sync_tasks(session: Session, plan: Plan, now: datetime, prefix: str) -> None:
    areas = {a.id: a.name for a in plan.areas}
    query = (select(TaskRow).where(~TaskRow.id.startswith(OWN_KEYS)) if not prefix
             else select(TaskRow).where(TaskRow.id.startswith(prefix)))
    tasks = {t.id: t for t in session.scalars(query)}
    for task in plan.tasks:
        row = tasks.pop(prefix + task.id, None)
        if row is None:
            row = TaskRow(id=prefix + task.id)
            session.add(row)
        row.area, row.area_name, row.title = task.area, areas[task.area], task.title
        row.evidence_required, row.retired_at = task.evidence_required, None
        row.detail, row.evidence, row.evidence_source = task.detail, list(task.evidence), task.evidence_source
        row.plan_id, row.plan_title, row.ref = plan.plan.id, plan.plan.title, task.ref
        row.others_cooperate = plan.responsibility(task).others_cooperate
    for row in tasks.values():
        if row.retired_at is None:
            row.retired_at = now
    session.flush()
    metric_query = select(MetricRow) if not prefix else select(MetricRow).where(MetricRow.task_id.startswith(prefix))
    metrics = {(m.task_id, m.metric_id): m for m in session.scalars(metric_query)}
    for task in plan.tasks:
        for metric in task.metrics:
            m = metrics.pop((prefix + task.id, metric.id), None)
            if m is None:
                m = MetricRow(task_id=prefix + task.id, metric_id=metric.id)
                session.add(m)
            m.name, m.kind, m.target, m.comparison, m.retired = (metric.name, metric.kind, metric.target,
                                                                 metric.comparison, False)
    for m in metrics.values():
        m.retired = True
    session.flush()


def _sync_occurrences(session: Session, occurrences: list[Occurrence], now: datetime,
                      prefix: str, tasks: set[str]) -> tuple[dict[str, int], int, int, int]:
    """The occurrences of `tasks` (ids with the prefix) as the plan has them now; others are not read."""
    query = select(OccurrenceRow).where(OccurrenceRow.task_id.in_(sorted(tasks)))
    if prefix:
        query = query.where(OccurrenceRow.key.startswith(prefix))
    existing = {o.key: o for o in session.scalars(query)}
    added = updated = 0
    for occ in occurrences:
        values = dict(task_id=prefix + occ.task_id, deadline_id=occ.deadline_id, unit=occ.unit, period=occ.period,
                      label=occ.label, source=occ.source, lead_units=",".join(occ.lead_units), due=occ.due)
        row = existing.pop(prefix + occ.key, None)
        if row is None:
            session.add(OccurrenceRow(key=prefix + occ.key, status="open", confirmed=occ.source != "assumed",
                                      **values))
            added += 1
            continue
        if row.source != occ.source:  # a new assumption is a draft again; a date the plan now gives is live
            row.confirmed = occ.source != "assumed"
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
    ids = {key: oid for key, oid in session.execute(select(OccurrenceRow.key, OccurrenceRow.id)
                                                     .where(OccurrenceRow.task_id.in_(sorted(tasks))))}
    return ids, added, updated, retired


def _with_set_dates(session: Session, occurrences: list[Occurrence], prefix: str) -> list[Occurrence]:
    """The plan's occurrences with the dates the office set (confirmed with a date, more time granted)."""
    query = select(OccurrenceRow.key, OccurrenceRow.due_set).where(OccurrenceRow.due_set.is_not(None))
    set_dates: dict[str, date] = {key: due for key, due in session.execute(query) if due is not None}
    if not set_dates:
        return occurrences
    return [replace(o, due=set_dates[prefix + o.key]) if prefix + o.key in set_dates else o for o in occurrences]


def combined(reports: list[SyncReport]) -> SyncReport:
    """The sum of several plans' reports (what `nhacviec sync` prints)."""
    return SyncReport(*(sum(getattr(r, name) for r in reports) for name in SyncReport.__dataclass_fields__))


def sync_plan(engine: Engine, plan: Plan, calendar: WorkCalendar, now: datetime, actor: str = "system") -> SyncReport:
    """Make the database match the plan as of `now`; safe to run any number of times."""
    return sync_plans(engine, [plan], calendar, now, actor)[0]


def sync_plans(engine: Engine, plans: list[Plan], calendar: WorkCalendar, now: datetime,
               actor: str = "system") -> list[SyncReport]:
    """Make the database match several plans (ids must differ): one report per plan, in order."""
    with Session(engine) as session, session.begin():
        if engine.dialect.name == "postgresql":  # released at commit; the second sync then finds the rows
            session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _SYNC_LOCK})
        _sync_units(session, plans)
        reports = []
        for plan in plans:
            prefix = f"{plan.plan.id}:" if len(plans) > 1 else ""
            if prefix:
                _adopt_unprefixed(session, plan.plan.id, prefix)
            reports.append(_sync_one(session, plan, calendar, now, actor, prefix))
    return reports


def plan_signature(plan: Plan, calendar: WorkCalendar) -> str:
    """What every task's expansion depends on besides the task itself: the plan without its tasks, the calendar."""
    digest = hashlib.sha256(plan.model_dump_json(exclude={"tasks"}).encode())
    years = sorted({y for y in plan.plan.years} | {min(plan.plan.years) - 1, max(plan.plan.years) + 1})
    first, last = date(years[0], 1, 1), date(years[-1], 12, 31)
    digest.update(bytes(calendar.is_working_day(first + timedelta(days=i)) for i in range((last - first).days + 1)))
    return digest.hexdigest()


def task_signature(common: str, task: Task) -> str:
    return hashlib.sha256((common + task.model_dump_json()).encode()).hexdigest()[:32]


def _sync_one(session: Session, plan: Plan, calendar: WorkCalendar, now: datetime, actor: str,
              prefix: str) -> SyncReport:
    # Only what changed: a task whose signature (its own definition, the rest of the plan, the calendar) is the
    # one stored at the last sync keeps its occurrences and reminders as they are (a restart reads no reminder).
    common = plan_signature(plan, calendar)
    signatures = {prefix + t.id: task_signature(common, t) for t in plan.tasks}
    hashes = select(TaskRow.id, TaskRow.sync_hash, TaskRow.retired_at)
    stored = {tid: (h, r) for tid, h, r in session.execute(
        hashes.where(TaskRow.id.startswith(prefix)) if prefix else hashes.where(~TaskRow.id.startswith(OWN_KEYS)))}
    changed = {tid for tid, sig in signatures.items() if stored.get(tid, (None, None)) != (sig, None)}
    changed |= {tid for tid, (_h, retired) in stored.items() if tid not in signatures and retired is None}
    _sync_tasks(session, plan, now, prefix)
    for tid, sig in signatures.items():
        session.execute(update(TaskRow).where(TaskRow.id == tid).values(sync_hash=sig))
    if not changed:
        report = SyncReport(0, 0, 0, 0, 0, 0, 0)
        audit(session, now, actor, "plan_sync", plan.plan.id, {**report.__dict__, "unchanged": True})
        return report
    occurrences = _with_set_dates(session, [occ for task in plan.tasks if prefix + task.id in changed
                                            for occ in expand_task(plan, task, calendar)], prefix)
    wanted: dict[str, tuple[Reminder, str]] = {}
    for occ in occurrences:
        for rem in plan_reminders(plan, occ, calendar):
            wanted[prefix + rem.key] = (rem, prefix + occ.key)
    occ_ids, occ_added, occ_updated, occ_retired = _sync_occurrences(session, occurrences, now, prefix, changed)
    touched = select(OccurrenceRow.id).where(OccurrenceRow.task_id.in_(sorted(changed)))
    query = select(ReminderRow.id, ReminderRow.key, ReminderRow.state, ReminderRow.due_at,
                   ReminderRow.note, ReminderRow.target).where(ReminderRow.occurrence_id.in_(touched))
    rows = session.execute(query.where(ReminderRow.key.startswith(prefix)) if prefix else query).all()
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
        if rem.at < now:  # never sent and never to be: no row (a plan edit moving it ahead creates it then)
            skipped_past += 1
            continue
        new_rows.append(dict(key=key, occurrence_id=occ_ids[occ_key], kind=rem.kind, rung=rem.rung,
                             target=",".join(rem.to), due_at=rem.at, state="pending", note=None))
    for start in range(0, len(new_rows), 5000):
        session.execute(insert(ReminderRow), new_rows[start:start + 5000])
    report = SyncReport(occ_added, occ_updated, occ_retired, len(new_rows), moved, cancelled,
                        skipped_past)
    audit(session, now, actor, "plan_sync", plan.plan.id, report.__dict__)
    return report
