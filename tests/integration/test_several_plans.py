"""Several plans in one database: prefixed keys, no collisions, a lone plan's rows adopted in place."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.config import Config
from bot.db.members import ensure_member
from bot.db.models import (
    EvidenceRow,
    MemberRow,
    OccurrenceRow,
    ReminderRow,
    ReviewRow,
    TaskRow,
)
from bot.domain.plan import Plan
from bot.domain.workdays import WorkCalendar
from bot.engine.sync import sync_plan, sync_plans
from bot.plans.loader import PlanError, load_plans, parse_plan
from bot.services.status import compute_progress
from bot.views.status import progress_text
from tests.conftest import MINI_PLAN

T0 = datetime(2019, 10, 1, tzinfo=timezone.utc)
MINI = MINI_PLAN.read_text(encoding="utf-8")
OTHER = MINI.replace("  id: mini\n", "  id: mini-2021\n").replace("years: [2019, 2020]", "years: [2021]") \
    .replace("title: Kế hoạch thử\n", "title: Kế hoạch năm 2021\n", 1)


def _plans() -> tuple[Plan, Plan]:
    return parse_plan(MINI, "mini.yaml"), parse_plan(OTHER, "other.yaml")


def _count(engine, model, *where) -> int:  # type: ignore[no-untyped-def]
    with Session(engine) as s:
        return s.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_two_plans_never_collide_and_status_filters_by_plan(db) -> None:  # type: ignore[no-untyped-def]
    mini, other = _plans()
    alone = sync_plan(db, mini, WorkCalendar(), T0).occurrences_added
    with Session(db) as s, s.begin():
        s.execute(ReminderRow.__table__.delete())
        s.execute(OccurrenceRow.__table__.delete())
        s.execute(TaskRow.__table__.delete())
    first, second = sync_plans(db, [mini, other], WorkCalendar(), T0)
    assert first.occurrences_added == alone and second.occurrences_added > 0
    assert _count(db, OccurrenceRow) == first.occurrences_added + second.occurrences_added
    with Session(db) as s:
        ids = set(s.scalars(select(TaskRow.id)))
        assert ids == {"mini:1.1", "mini-2021:1.1"}
        assert {t.plan_id: t.plan_title for t in s.scalars(select(TaskRow))} == {
            "mini": "Kế hoạch thử", "mini-2021": "Kế hoạch năm 2021"}
        assert all(k.startswith(("mini:", "mini-2021:")) for k in s.scalars(select(OccurrenceRow.key)))
        assert all(k.startswith(("mini:", "mini-2021:")) for k in s.scalars(select(ReminderRow.key)))
        both = compute_progress(s, T0.date())
        only_other = compute_progress(s, T0.date(), year=2021, plan_id="mini-2021")
        assert set(both.plans) == {"Kế hoạch thử", "Kế hoạch năm 2021"}  # both have deadlines in 2019
        shown = "\n".join(progress_text(both, T0.date()))  # /tiendo
        assert "Theo kế hoạch:\nKế hoạch thử: ✅" in shown and "\nKế hoạch năm 2021: ✅" in shown
        assert "Theo kế hoạch" not in "\n".join(progress_text(only_other, T0.date()))
        everything = compute_progress(s, T0.date(), year=2021)
        assert only_other.total.total == everything.total.total > 0  # 2021: only the second plan
        assert sum(compute_progress(s, T0.date(), year=y, plan_id="mini-2021").total.total
                   for y in (2019, 2020, 2021)) == second.occurrences_added
        assert compute_progress(s, T0.date(), year=2021, plan_id="mini").total.total == 0
    again = sync_plans(db, [mini, other], WorkCalendar(), T0)
    assert [r.occurrences_added + r.reminders_added + r.reminders_moved for r in again] == [0, 0]


def test_a_second_plan_keeps_the_first_plans_history(db) -> None:  # type: ignore[no-untyped-def]
    mini, other = _plans()
    sync_plan(db, mini, WorkCalendar(), T0)
    ensure_member(db, T0, chat_id=5, user_id=5, role="head", unit="TCCB", name="Trưởng phòng")
    key = "1.1/ket-qua/TCCB/2019"
    with Session(db) as s, s.begin():
        member = s.scalar(select(MemberRow.id))
        occ = s.scalar(select(OccurrenceRow).where(OccurrenceRow.key == key))
        occ.status = "done"
        s.add(EvidenceRow(occurrence_id=occ.id, member_id=member, kind="text", text="KH số 1", created_at=T0))
        s.add(ReviewRow(occurrence_id=occ.id, submitted_by=member, submitted_at=T0, decision="accepted"))
        occ_id = occ.id
    before, reminders = _count(db, OccurrenceRow), _count(db, ReminderRow)
    first, second = sync_plans(db, [mini, other], WorkCalendar(), T0)
    assert first.occurrences_added == 0 and first.occurrences_retired == 0  # renamed, not replaced
    with Session(db) as s:
        occ = s.get(OccurrenceRow, occ_id)
        assert occ is not None and (occ.key, occ.task_id, occ.status) == (f"mini:{key}", "mini:1.1", "done")
        assert s.scalar(select(func.count()).select_from(EvidenceRow).where(EvidenceRow.occurrence_id == occ_id)) == 1
        assert s.get(TaskRow, "1.1") is None and s.get(TaskRow, "mini:1.1") is not None
        assert s.scalar(select(func.count()).select_from(ReminderRow).where(~ReminderRow.key.startswith("mini"))) == 0
    assert _count(db, OccurrenceRow, OccurrenceRow.key.startswith("mini:")) == before
    assert _count(db, ReminderRow, ReminderRow.key.startswith("mini:")) == reminders
    assert second.occurrences_added > 0


def test_plans_load_from_files_and_folders_and_ids_must_differ(tmp_path: Path) -> None:
    folder = tmp_path / "plans"
    folder.mkdir()
    (folder / "a.yaml").write_text(MINI, encoding="utf-8")
    (folder / "b.yml").write_text(OTHER, encoding="utf-8")
    assert [p.plan.id for p in load_plans([str(folder)])] == ["mini", "mini-2021"]
    (tmp_path / "copy.yaml").write_text(MINI, encoding="utf-8")
    with pytest.raises(PlanError) as caught:
        load_plans([str(folder), str(tmp_path / "copy.yaml")])
    assert [i.code for i in caught.value.issues] == ["duplicate_plan_id"]
    assert "mã kế hoạch \"mini\" bị trùng" in caught.value.render("vi")
    with pytest.raises(PlanError) as empty:
        load_plans([str(tmp_path / "none")])
    assert "không tìm thấy tệp kế hoạch" in empty.value.render("vi")


def test_config_takes_plans_and_keeps_plan_working() -> None:
    assert Config().plan_paths() == ["schedules/cchc-2019-2020.yaml"]
    assert Config(plan="a.yaml").plan_paths() == ["a.yaml"]
    assert Config(plans=["a.yaml", "plans/"]).plan_paths() == ["a.yaml", "plans/"]


def test_the_digest_and_the_workbook_say_which_plan(db) -> None:  # type: ignore[no-untyped-def]
    import io
    from zoneinfo import ZoneInfo

    from openpyxl import load_workbook

    from bot.digest.content import overview_digest
    from bot.exports.workbook import build_workbook

    sync_plans(db, list(_plans()), WorkCalendar(), T0)
    zone = ZoneInfo("Asia/Ho_Chi_Minh")
    with Session(db) as s:
        digest = "\n".join(overview_digest(s, T0, zone))
        book = load_workbook(io.BytesIO(build_workbook(s, T0.date(), zone)))
    assert "Theo kế hoạch:" in digest and "Kế hoạch năm 2021: " in digest
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    plan_column = header.index("Kế hoạch")
    assert {row[plan_column] for row in sheet.iter_rows(min_row=2, values_only=True)} == {
        "Kế hoạch thử", "Kế hoạch năm 2021"}


def test_an_export_can_be_limited_to_one_plan(db) -> None:  # type: ignore[no-untyped-def]
    from bot.exports.records import load_snapshot

    sync_plans(db, list(_plans()), WorkCalendar(), T0)
    with Session(db) as s:
        everything = load_snapshot(s, T0.date())
        one = load_snapshot(s, T0.date(), plan_id="mini-2021")
    assert {o.plan for o in everything.occurrences} == {"Kế hoạch thử", "Kế hoạch năm 2021"}
    assert {o.plan for o in one.occurrences} == {"Kế hoạch năm 2021"} and len(one.occurrences) > 0
