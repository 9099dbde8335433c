"""Handing work on: a staff member for one item, an acting head for some days, more time from the office."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.members import ensure_member
from bot.db.models import AuditRow, DeliveryRow, OccurrenceRow, ReminderRow
from bot.digest.week import week_changes
from bot.domain.workdays import WorkCalendar
from bot.engine import outbox
from bot.engine.sync import sync_plan
from bot.i18n import language
from bot.plans.loader import load_plan
from bot.services.access import Actor, Refused, load_actor
from bot.services.delegation import (
    assign,
    create_staff_invite,
    decide_extension,
    extension_counts,
    request_extension,
    set_acting_head,
)
from bot.services.invites import accept_invite
from bot.services.tasks import Event, add_evidence
from tests.conftest import MINI_PLAN

T0 = datetime(2019, 10, 1, 1, 0, tzinfo=timezone.utc)
NOW = datetime(2019, 11, 4, 2, 0, tzinfo=timezone.utc)
CAL = WorkCalendar()


def _setup(db):  # type: ignore[no-untyped-def]
    sync_plan(db, load_plan(MINI_PLAN), CAL, T0)
    admin = ensure_member(db, T0, chat_id=1, user_id=1, role="admin", unit="VP", name="Văn phòng")
    head = ensure_member(db, T0, chat_id=20, user_id=20, role="head", unit="TCCB", name="Trưởng phòng")
    with Session(db) as s:
        occ = s.scalars(select(OccurrenceRow).where(OccurrenceRow.unit == "TCCB", OccurrenceRow.due >= NOW.date())
                        .order_by(OccurrenceRow.due)).first()
        assert occ is not None
        other = s.scalars(select(OccurrenceRow).where(OccurrenceRow.unit == "TCCB", OccurrenceRow.id != occ.id)
                          ).first()
        assert other is not None
        return (Actor(1, 1, (admin,), frozenset({"admin"}), frozenset(), "Văn phòng", "vi"),
                Actor(20, 20, (head,), frozenset({"head"}), frozenset({"TCCB"}), "Trưởng phòng", "vi"),
                occ.id, occ.due, other.id)


def test_more_time_granted_moves_the_deadline_and_its_reminders_refused_leaves_it(db) -> None:  # type: ignore[no-untyped-def]
    admin, head, oid, due, _other = _setup(db)
    wanted = due + timedelta(days=14)
    with Session(db) as s, s.begin():
        for bad, key in ((due, "extension_not_later"), (wanted, "empty_text")):
            with pytest.raises(Refused) as refused:
                request_extension(s, head, oid, bad, "" if key == "empty_text" else "Chờ số liệu", Event(NOW))
            assert refused.value.key == key
        row = request_extension(s, head, oid, wanted, "Chờ số liệu của Sở Nội vụ", Event(NOW))
        with pytest.raises(Refused):
            request_extension(s, head, oid, wanted, "lần hai", Event(NOW))
        notice = s.scalar(select(ReminderRow).where(ReminderRow.key.startswith(f"notice:extension:{row.id}:")))
        assert notice is not None and notice.target == "office" and "xin gia hạn" in (notice.body or "")
        assert [b[1] for b in notice.buttons[0]] == [f"gh:ok:{row.id}", f"gh:no:{row.id}"]  # type: ignore[index]
        with pytest.raises(Refused):
            decide_extension(s, head, row.id, True, Event(NOW), CAL)
        decision = decide_extension(s, admin, row.id, True, Event(NOW), CAL)
        assert decision.occurrence.due == wanted and decision.reminders_moved > 0
        again = request_extension(s, head, oid, wanted + timedelta(days=7), "Thêm thời gian", Event(NOW))
        decide_extension(s, admin, again.id, False, Event(NOW), CAL, "Không thể lùi thêm")
    sync_plan(db, load_plan(MINI_PLAN), CAL, NOW)
    with Session(db) as s:
        occ = s.get(OccurrenceRow, oid)
        assert occ is not None and occ.due == wanted  # a sync keeps the date the office granted
        due_rung = s.scalar(select(ReminderRow).where(ReminderRow.occurrence_id == oid, ReminderRow.rung == "due"))
        assert due_rung is not None and due_rung.due_at.date() == CAL.previous_working_day(wanted)
        assert extension_counts(s)[("TCCB", "granted")] == 1 and extension_counts(s)[("TCCB", "refused")] == 1
        actions = set(s.scalars(select(AuditRow.action)))
        with language("vi"):
            week = week_changes(s, NOW + timedelta(hours=1), ZoneInfo("Asia/Ho_Chi_Minh"))
    # the weekly digest counts granted extensions apart from work done on time
    assert f"⏳ Văn phòng Sở đồng ý gia hạn: 1 — [1.1] P. Tổ chức cán bộ: {due:%d/%m/%Y} → {wanted:%d/%m/%Y}" in week
    assert {"extension_requested", "extension_granted", "extension_refused"} <= actions


def test_a_staff_member_invited_by_the_head_gets_the_item_handed_to_them_and_only_that(db) -> None:  # type: ignore[no-untyped-def]
    _admin, head, oid, _due, other = _setup(db)
    with Session(db) as s, s.begin():
        code = create_staff_invite(s, head, "TCCB", Event(NOW)).code
        with pytest.raises(Refused):
            create_staff_invite(s, head, "KHTC", Event(NOW))
    with Session(db) as s, s.begin():
        accept_invite(s, code, 30, 30, "Chuyên viên Lan", Event(NOW))
    with Session(db) as s, s.begin():
        staff = load_actor(s, 30, 30)
        assert staff.roles == {"staff"} and not staff.units
        with pytest.raises(Refused):
            add_evidence(s, staff, oid, Event(NOW), kind="text", text="chưa được giao")
        assign(s, head, oid, staff.member_id, Event(NOW))
        add_evidence(s, staff, oid, Event(NOW), kind="text", text="Kế hoạch đã ban hành")
        with pytest.raises(Refused):
            add_evidence(s, staff, other, Event(NOW), kind="text", text="việc khác")
        rung = s.scalar(select(ReminderRow).where(ReminderRow.occurrence_id == oid, ReminderRow.state == "pending")
                        .order_by(ReminderRow.due_at))
        assert rung is not None
        at, rung_id = rung.due_at, rung.id
    outbox.materialize(db, at, timedelta(hours=1), ())
    with Session(db) as s:
        chats = set(s.scalars(select(DeliveryRow.chat_id).where(DeliveryRow.reminder_id == rung_id)))
    assert {20, 30} <= chats  # the head and the staff member the item was handed to


def test_an_acting_head_acts_and_is_reminded_only_for_the_days_given(db) -> None:  # type: ignore[no-untyped-def]
    _admin, head, oid, _due, _other = _setup(db)
    deputy = ensure_member(db, T0, chat_id=40, user_id=40, role="staff", unit="TCCB", name="Phó phòng")
    with Session(db) as s, s.begin():
        with pytest.raises(Refused):
            set_acting_head(s, head, "TCCB", deputy, date(2019, 11, 8), date(2019, 11, 4), Event(NOW))
        set_acting_head(s, head, "TCCB", deputy, date(2019, 11, 4), date(2019, 11, 8), Event(NOW))
        assert load_actor(s, 40, 40, date(2019, 11, 5)).units == {"TCCB"}
        assert not load_actor(s, 40, 40, date(2019, 11, 11)).units
        add_evidence(s, load_actor(s, 40, 40, date(2019, 11, 5)), oid, Event(NOW), kind="text", text="thay mặt")
        assert s.scalar(select(AuditRow).where(AuditRow.action == "acting_head_set")) is not None
        within = outbox.Directory(s, {"TCCB"}, today=date(2019, 11, 5))
        after = outbox.Directory(s, {"TCCB"}, today=date(2019, 11, 12))
    assert {r.chat_id for r in within.heads["TCCB"]} == {20, 40}
    assert {r.chat_id for r in after.heads["TCCB"]} == {20}
