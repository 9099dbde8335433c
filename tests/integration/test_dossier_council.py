"""The council stage on SQLite and PostgreSQL: a question or deduction becomes a short task for the unit with its
own reminders, which a later plan sync leaves alone; survey (ĐTXHH) reminders to the units."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.db.models import AuditRow, OccurrenceRow, ReminderRow, TaskRow
from bot.domain.workdays import WorkCalendar
from bot.dossier import council, facts, overview
from bot.engine.sync import sync_plan
from bot.plans.loader import parse_plan
from bot.services import tasks
from bot.services.access import Refused
from bot.services.tasks import Event
from tests.conftest import MINI_PLAN
from tests.integration.test_dossier import ADMIN, LEADER, NOW, TCCB, TODAY, act, world  # noqa: F401

CAL = WorkCalendar()
LATER = NOW + timedelta(days=5)  # Tuesday 26/11/2019


def test_a_council_question_becomes_a_short_task_with_reminders_that_sync_keeps(
        db: Engine, world: dict[str, int]) -> None:  # noqa: F811
    ev = Event(LATER)
    asked = act(db, ADMIN, council.record_council_item, world["1.1.1"], "question",
                "Đề nghị bổ sung báo cáo quý III", None, "TCCB", ev, date(2019, 11, 26), CAL)
    assert (asked.code, asked.unit, asked.due) == ("1.1.1", "TCCB", date(2019, 11, 28))
    assert asked.reminders >= 3
    with Session(db) as s:
        occ = s.get(OccurrenceRow, asked.occurrence_id)
        assert occ is not None and (occ.unit, occ.status, occ.task_id) == ("TCCB", "open", f"council:{asked.item_id}")
        rungs = list(s.scalars(select(ReminderRow).where(ReminderRow.occurrence_id == occ.id)))
        assert {r.state for r in rungs} == {"pending"} and {r.kind for r in rungs} >= {"before", "due", "overdue"}
        assert s.scalar(select(ReminderRow.target).where(ReminderRow.rung == "council")) == "TCCB"
    sync_plan(db, parse_plan(MINI_PLAN.read_text(encoding="utf-8"), "mini.yaml"), CAL, LATER)
    with Session(db) as s:
        assert s.get(OccurrenceRow, asked.occurrence_id).retired_at is None
        assert s.get(TaskRow, f"council:{asked.item_id}").retired_at is None
        assert {r.state for r in s.scalars(select(ReminderRow)
                                           .where(ReminderRow.occurrence_id == asked.occurrence_id))} == {"pending"}
    # the unit answers through the usual task machinery; the page shows the item and its task's state
    act(db, TCCB, tasks.add_evidence, asked.occurrence_id, ev, kind="document", file_name="BC quý III.pdf", size=3)
    act(db, TCCB, tasks.confirm_done, asked.occurrence_id, ev)
    page = act(db, LEADER, facts.criterion_dossier, world["1.1.1"], date(2019, 11, 26))
    assert [(c.kind, c.unit, c.status, c.due) for c in page.council] == [
        ("question", "TCCB", "awaiting_review", date(2019, 11, 28))]
    assert [d.file_name for d in page.documents if d.via == "council"] == ["BC quý III.pdf"]
    assert act(db, LEADER, overview.overview, date(2019, 11, 26)).documents == 3  # the plan, KHTC's copy, the answer


def test_council_items_wait_for_20_11_and_check_their_deduction(db: Engine, world: dict[str, int]) -> None:  # noqa: F811
    with pytest.raises(Refused) as early:
        act(db, ADMIN, council.record_council_item, world["1.1.1"], "question", "Sớm quá", None, "TCCB",
            Event(NOW), date(2019, 11, 19), CAL)
    assert (early.value.key, early.value.params) == ("council_closed", {"day": "20/11/2019"})
    with pytest.raises(Refused) as big:
        act(db, ADMIN, council.record_council_item, world["1.1.1"], "deduction", "Trừ điểm", "2,5", None,
            Event(LATER), date(2019, 11, 26), CAL)
    assert big.value.key == "council_bad_points"
    with pytest.raises(Refused):
        act(db, TCCB, council.record_council_item, world["1.1.1"], "question", "Không phải VP", None, "TCCB",
            Event(LATER), date(2019, 11, 26), CAL)
    cut = act(db, ADMIN, council.record_council_item, world["1.1.1"], "deduction", "Văn bản ngoài kỳ", "0,5", None,
              Event(LATER), date(2019, 11, 26), CAL)  # two units owe 1.1.1: recorded, no task
    assert (cut.unit, cut.occurrence_id) == (None, None)
    with Session(db) as s:
        details = s.scalar(select(AuditRow.details).where(AuditRow.action == "council_item_recorded"))
        assert details["points"] == 0.5 and details["kind"] == "deduction"


def test_survey_reminders_go_to_the_chosen_units_now_and_before_the_day(db: Engine,
                                                                        world: dict[str, int]) -> None:  # noqa: F811
    done = act(db, ADMIN, council.remind_survey, world["set"], ["TCCB", "KHTC"], date(2019, 12, 6), Event(LATER),
               date(2019, 11, 26), CAL)
    assert (done.codes, done.units, done.notices) == (("1.1.2",), ("TCCB", "KHTC"), 3)
    with Session(db) as s:
        notices = list(s.scalars(select(ReminderRow).where(ReminderRow.rung == "survey").order_by(ReminderRow.due_at)))
        assert [n.target for n in notices] == ["TCCB,KHTC"] * 3
        assert [n.due_at.astimezone(timezone(timedelta(hours=7))).date() for n in notices[1:]] == [
            date(2019, 12, 4), date(2019, 12, 6)]
        assert "06/12/2019" in (notices[0].body or "")
    with pytest.raises(Refused):
        act(db, ADMIN, council.remind_survey, world["set"], ["XX"], date(2019, 12, 6), Event(LATER),
            date(2019, 11, 26), CAL)


_ = (datetime, TODAY)
