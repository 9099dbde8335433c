"""Plan sync into SQLite and PostgreSQL: idempotent, edits move the future, history stays."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.models import AuditRow, OccurrenceRow, ReminderRow, TaskRow
from bot.domain.workdays import WorkCalendar
from bot.engine.sync import sync_plan
from bot.plans.loader import parse_plan
from tests.conftest import MINI_PLAN

T0 = datetime(2019, 10, 1, tzinfo=timezone.utc)


def _plan(text: str | None = None):  # type: ignore[no-untyped-def]
    return parse_plan(text or MINI_PLAN.read_text(encoding="utf-8"), "mini.yaml")


def _count(engine, model, *where) -> int:  # type: ignore[no-untyped-def]
    with Session(engine) as s:
        return s.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_sync_twice_creates_nothing_new(db) -> None:  # type: ignore[no-untyped-def]
    first = sync_plan(db, _plan(), WorkCalendar(), T0)
    occurrences, reminders = _count(db, OccurrenceRow), _count(db, ReminderRow)
    second = sync_plan(db, _plan(), WorkCalendar(), T0)
    assert first.occurrences_added == 16 and occurrences == 16
    assert second.occurrences_added == 0 and second.reminders_added == 0 and second.reminders_moved == 0
    assert _count(db, ReminderRow) == reminders


def test_reminders_already_past_at_first_sync_are_skipped_not_sent(db) -> None:  # type: ignore[no-untyped-def]
    report = sync_plan(db, _plan(), WorkCalendar(), T0)
    assert _count(db, ReminderRow, ReminderRow.due_at < T0, ReminderRow.state == "pending") == 0
    assert report.reminders_skipped_past > 0  # counted, but no row: a past rung is never sent (nor kept)
    assert _count(db, ReminderRow, ReminderRow.due_at < T0) == 0
    assert _count(db, ReminderRow, ReminderRow.due_at >= T0, ReminderRow.state != "pending") == 0


def test_moved_deadline_moves_pending_reminders_and_keeps_history(db) -> None:  # type: ignore[no-untyped-def]
    sync_plan(db, _plan(), WorkCalendar(), T0)
    key = "1.1/ket-qua/TCCB/2019"
    with Session(db) as s, s.begin():
        occ = s.scalar(select(OccurrenceRow).where(OccurrenceRow.key == key))
        occ.status, occ.completed_by = "done", 7
        occ_id = occ.id
    audits = _count(db, AuditRow)
    edited = MINI_PLAN.read_text(encoding="utf-8").replace('yearly: "20/11"', 'yearly: "27/11"')
    report = sync_plan(db, _plan(edited), WorkCalendar(), T0)
    assert report.occurrences_added == 0 and report.occurrences_updated == 6
    with Session(db) as s:
        occ = s.get(OccurrenceRow, occ_id)
        assert occ.due.isoformat() == "2019-11-26" and occ.status == "done" and occ.completed_by == 7
        due_rem = s.scalar(select(ReminderRow).where(ReminderRow.key == f"{key}#due"))
        assert due_rem.due_at == datetime(2019, 11, 26, 1, 0, tzinfo=timezone.utc)
    assert _count(db, AuditRow) == audits + 1  # only the sync entry was added; nothing rewritten


def test_task_removed_from_plan_is_retired_not_deleted(db) -> None:  # type: ignore[no-untyped-def]
    text = MINI_PLAN.read_text(encoding="utf-8")
    extra = text + '''  - id: "1.2"
    area: "1"
    title: Tuyên truyền CCHC
'''
    sync_plan(db, _plan(extra), WorkCalendar(), T0)
    pending_before = _count(db, ReminderRow, ReminderRow.key.like("1.2/%"), ReminderRow.state == "pending")
    assert pending_before > 0
    report = sync_plan(db, _plan(text), WorkCalendar(), T0)
    assert report.occurrences_retired == 6 and report.reminders_cancelled == pending_before
    with Session(db) as s:
        task = s.get(TaskRow, "1.2")
        assert task is not None and task.retired_at is not None
        assert s.scalar(select(func.count()).select_from(OccurrenceRow)
                        .where(OccurrenceRow.task_id == "1.2", OccurrenceRow.retired_at.is_not(None))) == 6
    assert _count(db, ReminderRow, ReminderRow.key.like("1.2/%"), ReminderRow.state == "pending") == 0
    again = sync_plan(db, _plan(extra), WorkCalendar(), T0)
    assert again.occurrences_updated == 6 and again.occurrences_added == 0  # restored, same rows
    assert _count(db, ReminderRow, ReminderRow.key.like("1.2/%"), ReminderRow.state == "pending") == pending_before
