"""The office closes what predates the deployment: `closed`, audited, never overdue nor done, no reminders."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.models import AuditRow, OccurrenceRow, ReminderRow
from bot.domain.workdays import WorkCalendar
from bot.engine.sync import sync_plan
from bot.plans.loader import load_plan
from bot.services.access import Actor, Refused
from bot.services.closing import close_before
from bot.services.status import compute_progress
from bot.services.tasks import Event
from tests.conftest import BUNDLED_PLAN
from tests.fakes import confirm_all

T0 = datetime(2019, 4, 20, tzinfo=timezone.utc)  # synced before the plan starts: every deadline still ahead
NOW = datetime(2019, 12, 2, 2, 0, tzinfo=timezone.utc)
ADMIN = Actor(1, 1, (1,), frozenset({"admin"}), frozenset(), "Chánh Văn phòng", "vi")
HEAD = Actor(2, 2, (2,), frozenset({"head"}), frozenset({"TCCB"}), "Trưởng phòng", "vi")


def _count(session: Session, model: object, *where: object) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0  # type: ignore[arg-type]


def test_closing_before_a_date_closes_open_and_returned_deadlines_only(db) -> None:  # type: ignore[no-untyped-def]
    sync_plan(db, load_plan(BUNDLED_PLAN), WorkCalendar(), T0)
    confirm_all(db, T0)  # the figures below count confirmed deadlines only
    before = date(2019, 10, 1)
    with Session(db) as s, s.begin():
        rows = list(s.scalars(select(OccurrenceRow).where(OccurrenceRow.due < before).order_by(OccurrenceRow.id)))
        rows[0].status, rows[1].status, rows[2].status = "done", "awaiting_review", "returned"
        untouched = {rows[0].id: "done", rows[1].id: "awaiting_review"}
        expected = len(rows) - 2
        progress_before = compute_progress(s, NOW.date(), year=2019)
    assert expected > 20 and progress_before.total.overdue > expected
    with Session(db) as s, s.begin():
        result = close_before(s, ADMIN, before, "  Trước khi   triển khai bot  ", Event(NOW, 77))
    assert result.closed == expected and sum(result.per_unit.values()) == expected
    assert result.reason == "Trước khi triển khai bot" and result.reminders_cancelled > 0  # no sweep ran since T0
    with Session(db) as s:
        assert {o.id: o.status for o in s.scalars(select(OccurrenceRow).where(
            OccurrenceRow.id.in_(untouched)))} == untouched
        closed = list(s.scalars(select(OccurrenceRow).where(OccurrenceRow.status == "closed")))
        assert len(closed) == expected and all(o.due < before and o.closed_at == NOW for o in closed)
        assert all(o.closed_reason == "Trước khi triển khai bot" for o in closed)
        assert _count(s, OccurrenceRow, OccurrenceRow.due >= before, OccurrenceRow.status == "closed") == 0
        progress = compute_progress(s, NOW.date(), year=2019)
        assert progress.total.closed == expected
        assert progress.total.overdue == progress_before.total.overdue - expected
        assert progress.total.done == 1 and progress.total.awaiting_review == 1
        assert progress.total.total == progress_before.total.total - expected  # counted apart
        entries = list(s.scalars(select(AuditRow).where(AuditRow.action.in_(("occurrences_closed",
                                                                               "occurrence_closed")))))
        summary = [e for e in entries if e.action == "occurrences_closed"]
        assert len(summary) == 1 and summary[0].details["count"] == expected
        assert summary[0].actor == "member:1" and summary[0].update_id == 77
        assert {e.subject for e in entries if e.action == "occurrence_closed"} == {o.key for o in closed}


def test_closing_cancels_pending_reminders_and_a_new_sync_does_not_revive_them(db) -> None:  # type: ignore[no-untyped-def]
    plan = load_plan(BUNDLED_PLAN)
    sync_plan(db, plan, WorkCalendar(), T0)
    early = datetime(2019, 5, 2, tzinfo=timezone.utc)
    with Session(db) as s, s.begin():
        pending = _count(s, ReminderRow, ReminderRow.state == "pending")
        result = close_before(s, ADMIN, date(2019, 7, 1), "Đã làm trước khi có bot", Event(early))
    assert result.closed > 0 and result.reminders_cancelled > 0
    sync_plan(db, plan, WorkCalendar(), early)
    with Session(db) as s:
        closed_ids = select(OccurrenceRow.id).where(OccurrenceRow.status == "closed").scalar_subquery()
        assert _count(s, ReminderRow, ReminderRow.occurrence_id.in_(closed_ids), ReminderRow.state == "pending") == 0
        assert _count(s, ReminderRow, ReminderRow.state == "cancelled", ReminderRow.note == "closed") == \
            result.reminders_cancelled
        assert _count(s, ReminderRow, ReminderRow.state == "pending") == pending - result.reminders_cancelled
        assert _count(s, OccurrenceRow, OccurrenceRow.status == "closed") == result.closed


def test_only_an_admin_closes_and_a_reason_is_required(db) -> None:  # type: ignore[no-untyped-def]
    sync_plan(db, load_plan(BUNDLED_PLAN), WorkCalendar(), T0)
    with Session(db) as s, s.begin():
        with pytest.raises(Refused) as refused:
            close_before(s, HEAD, date(2019, 10, 1), "lý do", Event(NOW))
        assert refused.value.key == "admin_only"
        with pytest.raises(Refused) as empty:
            close_before(s, ADMIN, date(2019, 10, 1), "   ", Event(NOW))
        assert empty.value.key == "empty_text"
        assert _count(s, OccurrenceRow, OccurrenceRow.status == "closed") == 0
