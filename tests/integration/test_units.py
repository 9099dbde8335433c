"""The office adds, renames and merges units (bot/services/units.py); a plan's sync keeps what it did, and a
merge moves the history so that evidence, reviews and audit entries still point at the same work."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.db.models import AuditRow, EvidenceRow, MemberRow, OccurrenceRow, ReviewRow, UnitRow
from bot.domain.workdays import WorkCalendar
from bot.engine.sync import sync_plan
from bot.plans.loader import parse_plan
from bot.services import units
from bot.services.access import Refused, load_actor
from bot.services.tasks import Event
from tests.conftest import MINI_PLAN
from tests.integration.console_world import ADMIN, T0, build

WITHOUT_KHTC = (MINI_PLAN.read_text(encoding="utf-8")
                .replace("  - {id: KHTC, name: Phòng Kế hoạch - Tài chính}\n", "")
                .replace("members: [TCCB, KHTC]", "members: [TCCB]"))


def _sync(db: Engine, text: str) -> None:
    sync_plan(db, parse_plan(text, "mini.yaml"), WorkCalendar(), T0)


def test_a_unit_the_office_adds_or_renames_stays_so_after_a_sync(db: Engine, tmp_path: Path,
                                                                  free_port: Callable[[], int]) -> None:
    build(db, tmp_path, free_port(), reviews_per_unit=0)
    with Session(db) as s, s.begin():
        admin = load_actor(s, ADMIN, ADMIN)
        units.add_unit(s, admin, "PGDDT", "  Phòng Giáo dục  và Đào tạo huyện ", Event(T0))
        units.rename_unit(s, admin, "TCCB", "Phòng Tổ chức - Cán bộ", Event(T0))
        with pytest.raises(Refused) as taken:
            units.add_unit(s, admin, "TCCB", "Trùng mã", Event(T0))
        assert taken.value.key == "unit_exists"
        with pytest.raises(Refused) as bad:
            units.add_unit(s, admin, "P GD/1", "Mã sai", Event(T0))
        assert bad.value.key == "unit_bad_code"
    _sync(db, MINI_PLAN.read_text(encoding="utf-8"))
    with Session(db) as s:
        added, renamed = s.get(UnitRow, "PGDDT"), s.get(UnitRow, "TCCB")
        assert added is not None and not added.retired and added.name == "Phòng Giáo dục và Đào tạo huyện"
        assert renamed is not None and renamed.name == "Phòng Tổ chức - Cán bộ"
        assert [a for a, in s.execute(select(AuditRow.action).where(AuditRow.action.like("unit_%")))] == [
            "unit_added", "unit_renamed"]


def test_merging_moves_the_history_and_everything_still_points_at_the_same_work(
        db: Engine, tmp_path: Path, free_port: Callable[[], int]) -> None:
    build(db, tmp_path, free_port())  # KHTC sent two results with files, awaiting review
    with Session(db) as s, s.begin():
        admin = load_actor(s, ADMIN, ADMIN)
        with pytest.raises(Refused) as still:
            units.merge_units(s, admin, "KHTC", "TCCB", Event(T0))
        assert still.value.key == "unit_in_plan"  # the plan still names it: change the plan first
        head = load_actor(s, 30, 30)
        with pytest.raises(Refused):
            units.merge_units(s, head, "KHTC", "TCCB", Event(T0))
    _sync(db, WITHOUT_KHTC)  # the reorganisation: KHTC merged into TCCB, the plan no longer names it
    with Session(db) as s:
        keys = {o.id: o.key for o in s.scalars(select(OccurrenceRow).where(OccurrenceRow.unit == "KHTC"))}
        evidence = {e.id: e.occurrence_id for e in s.scalars(select(EvidenceRow).join(
            OccurrenceRow, OccurrenceRow.id == EvidenceRow.occurrence_id).where(OccurrenceRow.unit == "KHTC"))}
        reviews = s.scalar(select(func.count()).select_from(ReviewRow).join(
            OccurrenceRow, OccurrenceRow.id == ReviewRow.occurrence_id).where(OccurrenceRow.unit == "KHTC"))
        subjects = [a for a, in s.execute(select(AuditRow.subject).where(AuditRow.subject.in_(keys.values())))]
        assert keys and evidence and reviews and subjects
    with Session(db) as s, s.begin():
        admin = load_actor(s, ADMIN, ADMIN)
        with pytest.raises(Refused) as itself:
            units.merge_units(s, admin, "TCCB", "TCCB", Event(T0))
        assert itself.value.key == "unit_merge_self"
        merged = units.merge_units(s, admin, "KHTC", "TCCB", Event(T0))
        assert (merged.occurrences, merged.members) == (len(keys), 1)
    _sync(db, WITHOUT_KHTC)  # a later sync leaves the merge alone
    with Session(db) as s:
        moved = {o.id: o for o in s.scalars(select(OccurrenceRow).where(OccurrenceRow.id.in_(keys)))}
        assert {o.id: o.key for o in moved.values()} == keys and {o.unit for o in moved.values()} == {"TCCB"}
        for evidence_id, occurrence_id in evidence.items():
            row = s.get(EvidenceRow, evidence_id)
            assert row is not None and row.occurrence_id == occurrence_id and moved[occurrence_id].unit == "TCCB"
        for subject in subjects:  # each audit entry names work that exists and now belongs to TCCB
            assert s.scalar(select(OccurrenceRow.unit).where(OccurrenceRow.key == subject)) == "TCCB"
        member = s.scalars(select(MemberRow).where(MemberRow.chat_id == 30)).one()
        assert member.unit == "TCCB" and member.active
        assert s.scalar(select(func.count()).select_from(OccurrenceRow).where(OccurrenceRow.unit == "KHTC")) == 0
        gone = s.get(UnitRow, "KHTC")
        assert gone is not None and gone.retired
        entry = s.scalars(select(AuditRow).where(AuditRow.action == "units_merged")).one()
        assert entry.subject == "KHTC" and entry.details["into"] == "TCCB"
        assert "TCCB" in load_actor(s, 30, 30).units  # the former KHTC head now acts for TCCB
