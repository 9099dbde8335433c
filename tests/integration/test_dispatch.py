"""The sweep on SQLite and PostgreSQL: bundling, closed tasks, lateness, catch-up, escalation, failures."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from bot.db.members import ensure_member
from bot.db.models import DeliveryRow, MemberRow, OccurrenceRow
from bot.domain.clock import FixedClock
from bot.domain.workdays import WorkCalendar
from bot.engine import outbox
from bot.engine.channel import Failure
from bot.engine.dispatcher import Dispatcher, DispatchSettings
from bot.engine.ratelimit import NoLimit
from bot.engine.sync import sync_plan
from bot.plans.loader import parse_plan
from tests.conftest import MINI_PLAN
from tests.fakes import ScriptedChannel

UTC = timezone.utc
START = datetime(2019, 10, 25, tzinfo=UTC)  # after the September report's last overdue rung
# 30/10/2019 08:00 local: the 14-working-day reminder of the 19/11/2019 results deadline.
FIRST_RUNG = datetime(2019, 10, 30, 1, 0, tzinfo=UTC)
ADMIN, HEAD_VP, HEAD_TCCB, HEAD_KHTC, LEADER = 1, 10, 20, 30, 90


def _setup(db, clock, with_heads=True, timer=None):  # type: ignore[no-untyped-def]
    plan = parse_plan(MINI_PLAN.read_text(encoding="utf-8"), "mini.yaml")
    ensure_member(db, clock.now(), chat_id=ADMIN, role="admin", unit="VP", name="Văn phòng")
    ensure_member(db, clock.now(), chat_id=LEADER, role="leader", name="Giám đốc")
    if with_heads:
        for chat, unit in ((HEAD_VP, "VP"), (HEAD_TCCB, "TCCB"), (HEAD_KHTC, "KHTC")):
            ensure_member(db, clock.now(), chat_id=chat, role="head", unit=unit, name=f"Trưởng {unit}")
    sync_plan(db, plan, WorkCalendar(), clock.now())
    channel = ScriptedChannel()
    settings = DispatchSettings(concurrency=1, leadership_chats=(-100500,))
    # The tests move one FixedClock for the plan and for real time (back-off) alike, unless told otherwise.
    return channel, Dispatcher(db, channel, clock, NoLimit(), settings, worker="t1", timer=timer or clock)


def _states(db) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return outbox.pending_counts(db)


async def test_nothing_is_sent_before_its_time(db) -> None:  # type: ignore[no-untyped-def]
    clock = FixedClock(START)
    channel, dispatcher = _setup(db, clock)
    clock.set(FIRST_RUNG - timedelta(seconds=1))
    await dispatcher.sweep()
    assert channel.sent == []


async def test_reminders_due_together_go_out_as_one_message_per_person(db) -> None:  # type: ignore[no-untyped-def]
    clock = FixedClock(START)
    channel, dispatcher = _setup(db, clock)
    # 2019-06-20 08:00 local: TCCB and KHTC each have a quarterly-report reminder and nothing else;
    # give TCCB's head KHTC too, so one person gets two tasks at once.
    ensure_member(db, clock.now(), chat_id=HEAD_TCCB, role="head", unit="KHTC", name="Trưởng TCCB")
    clock.set(FIRST_RUNG)
    await dispatcher.sweep()
    to_tccb = channel.to(HEAD_TCCB)
    assert len(to_tccb) == 1
    text = to_tccb[0].text
    # One card for both units: the deadline written once, one line per task naming its unit.
    assert "Phòng Tổ chức cán bộ" in text and "Phòng Kế hoạch" in text and text.count("19/11/2019") == 1
    assert "2 việc" in text and "1.1 (P. Tổ chức cán bộ)" in text and "1.1 (P. Kế hoạch - Tài chính)" in text
    datas = [b.data for row in to_tccb[0].buttons for b in row]
    assert datas[0] == "cl:o:0:n" and len(datas) <= 12 and all(len(d.encode()) <= 64 for d in datas)
    assert "📋 Danh sách việc (6 chưa xong)" == to_tccb[0].buttons[0][0].text  # what the checklist holds
    # A card about one task carries that task's own actions.
    assert len(channel.to(HEAD_VP)) == 1 and "1 việc" in channel.to(HEAD_VP)[0].text
    assert [b.data.split(":")[0] for row in channel.to(HEAD_VP)[0].buttons for b in row] == ["done", "ev", "snz", "blk"]
    await dispatcher.sweep()
    assert len(channel.sent) == 3  # nothing twice


async def test_no_reminder_for_a_task_done_or_awaiting_review(db) -> None:  # type: ignore[no-untyped-def]
    clock = FixedClock(START)
    channel, dispatcher = _setup(db, clock)
    with Session(db) as s, s.begin():
        for key, status in (("1.1/ket-qua/TCCB/2019", "done"), ("1.1/ket-qua/KHTC/2019", "awaiting_review")):
            s.scalar(select(OccurrenceRow).where(OccurrenceRow.key == key)).status = status
    clock.set(FIRST_RUNG)
    await dispatcher.sweep()
    assert channel.to(HEAD_TCCB) == [] and channel.to(HEAD_KHTC) == []
    assert len(channel.to(HEAD_VP)) == 1


async def test_reminder_missed_while_down_goes_out_late_and_says_so(db) -> None:  # type: ignore[no-untyped-def]
    clock = FixedClock(START)
    channel, dispatcher = _setup(db, clock)
    clock.set(FIRST_RUNG + timedelta(hours=3))
    await dispatcher.sweep()
    text = channel.to(HEAD_VP)[0].text
    assert "Gửi muộn" in text and "08:00 30/10/2019" in text


async def test_very_stale_reminders_fold_into_one_catch_up_per_person(db) -> None:  # type: ignore[no-untyped-def]
    clock = FixedClock(START)
    channel, dispatcher = _setup(db, clock)
    clock.set(datetime(2019, 11, 29, 3, 0, tzinfo=UTC))  # a month of downtime: many rungs are > 7 days old
    await dispatcher.sweep()
    to_vp = channel.to(HEAD_VP)
    catch_ups = [m for m in to_vp if "tạm ngừng" in m.text]
    assert len(catch_ups) == 1
    text = catch_ups[0].text
    assert "8 lời nhắc" in text
    assert text.count("— Văn phòng,") == 1 and "— VP," not in text  # one line per occurrence, not one per missed rung
    assert all(state in ("sent", "skipped") for state in _states(db))


async def test_escalation_reaches_lead_unit_then_leadership_through_the_office(db) -> None:  # type: ignore[no-untyped-def]
    clock = FixedClock(START)
    channel, dispatcher = _setup(db, clock)
    # 19/11/2019 due; +3 working days = 22/11 (lead VP), +7 = 28/11 (leadership).
    for day in (datetime(2019, 11, 22, 1, 0, tzinfo=UTC), datetime(2019, 11, 28, 1, 0, tzinfo=UTC)):
        clock.set(day)
        await dispatcher.sweep()
    lead_msgs = [m for m in channel.to(HEAD_VP) if "lĩnh vực do đơn vị anh/chị chủ trì" in m.text]
    assert lead_msgs and "Phòng Tổ chức cán bộ" in lead_msgs[0].text and "Phòng Kế hoạch" in lead_msgs[0].text
    # counts per unit and deadline, a button into the full watch list; never one row per occurrence
    assert "1 việc hạn 19/11/2019" in lead_msgs[0].text
    assert [b.data for row in lead_msgs[0].buttons for b in row][-1] == "wl:q:0:n"
    # the seed: to Lãnh đạo Sở "thông qua Văn phòng Sở": the office is told, and reports on
    assert any("cần báo cáo Lãnh đạo Sở (thông qua Văn phòng Sở)" in m.text for m in channel.to(ADMIN))
    office_msgs = [m.text for m in channel.to(ADMIN) if "thông qua Văn phòng Sở" in m.text]
    assert "Phòng Tổ chức cán bộ" in office_msgs[-1]
    # leadership hears directly only of the office's own late share, not of the phòng's
    leader_msgs = [m.text for m in channel.to(LEADER) + channel.to(-100500) if "thông qua Văn phòng Sở" in m.text]
    assert leader_msgs and not any("Phòng Tổ chức cán bộ" in t for t in leader_msgs)


async def test_unit_without_head_is_reported_to_the_office(db) -> None:  # type: ignore[no-untyped-def]
    clock = FixedClock(START)
    channel, dispatcher = _setup(db, clock, with_heads=False)
    clock.set(FIRST_RUNG)
    await dispatcher.sweep()
    (message,) = channel.to(ADMIN)
    assert "chưa có người nhận" in message.text and "3 việc" in message.text


async def test_retry_after_puts_the_message_back_until_then(db) -> None:  # type: ignore[no-untyped-def]
    clock = FixedClock(START)
    channel, dispatcher = _setup(db, clock)
    channel.fail(HEAD_VP, Failure.RETRY_AFTER, "Too Many Requests: retry after 30", retry_after=30)
    clock.set(FIRST_RUNG)
    await dispatcher.sweep()
    assert channel.to(HEAD_VP) == []
    clock.advance(timedelta(seconds=29))
    await dispatcher.sweep()
    assert channel.to(HEAD_VP) == []
    clock.advance(timedelta(seconds=2))
    await dispatcher.sweep()
    assert len(channel.to(HEAD_VP)) == 1


async def test_blocked_member_is_marked_unreachable_and_office_told(db) -> None:  # type: ignore[no-untyped-def]
    clock = FixedClock(START)
    channel, dispatcher = _setup(db, clock)
    channel.fail(HEAD_TCCB, Failure.UNREACHABLE, "Forbidden: bot was blocked by the user")
    clock.set(FIRST_RUNG)
    await dispatcher.sweep()
    await dispatcher.sweep()  # the notice to the office is queued by the first sweep
    with Session(db) as s:
        member = s.scalar(select(MemberRow).where(MemberRow.chat_id == HEAD_TCCB))
        assert member.reachable is False
        failed = s.scalars(select(DeliveryRow).where(DeliveryRow.chat_id == HEAD_TCCB)).all()
        assert failed and all(d.state == "failed" and "blocked" in (d.error or "") for d in failed)
    notices = [m for m in channel.to(ADMIN) if "Không gửi được" in m.text]
    assert len(notices) == 1 and "Trưởng TCCB" in notices[0].text


async def test_read_timeout_on_a_reminder_resends_it_once_flagged_then_stops(db) -> None:  # type: ignore[no-untyped-def]
    clock = FixedClock(START)
    channel, dispatcher = _setup(db, clock)
    channel.fail(HEAD_VP, Failure.UNCERTAIN, "Timed out")
    clock.set(FIRST_RUNG)
    await dispatcher.sweep()
    clock.advance(timedelta(minutes=1))  # past the first back-off (30 s)
    await dispatcher.sweep()
    resent = channel.to(HEAD_VP)
    assert len(resent) == 1 and "Có thể anh/chị đã nhận" in resent[0].text
    # a second read timeout on a reminder already flagged: recorded, not resent a third time
    channel.fail(HEAD_VP, Failure.UNCERTAIN, "Timed out")
    reminder = next(r for r in _reminder_rows(db) if r.state == "pending" and r.due_at > clock.now()
                    and "VP" in r.target.split(","))  # ties on due_at: the order between units is not defined
    clock.set(reminder.due_at)
    await dispatcher.sweep()
    with Session(db) as s:
        row = s.scalar(select(DeliveryRow).where(DeliveryRow.chat_id == HEAD_VP,
                                                 DeliveryRow.reminder_id == reminder.id))
        assert (row.state, row.uncertain) == ("pending", True)  # the next rung is resent once too
    clock.advance(timedelta(minutes=1))
    channel.fail(HEAD_VP, Failure.UNCERTAIN, "Timed out")
    await dispatcher.sweep()
    clock.advance(timedelta(hours=1))
    await dispatcher.sweep()
    with Session(db) as s:
        row = s.get(DeliveryRow, row.id)
        assert (row.state, row.uncertain, row.attempts) == ("uncertain", True, 1)


def _reminder_rows(db):  # type: ignore[no-untyped-def]
    from bot.db.models import ReminderRow
    with Session(db) as s:
        return s.scalars(select(ReminderRow).order_by(ReminderRow.due_at)).all()


async def test_read_timeout_on_a_review_request_resends_it_flagged_until_delivered(db) -> None:  # type: ignore[no-untyped-def]
    clock = FixedClock(FIRST_RUNG)
    channel, dispatcher = _setup(db, clock)
    with Session(db) as s, s.begin():
        outbox.queue_notice(s, clock.now(), "review:7", "office", "📥 Đề nghị xác nhận", [[("✔️ Chấp nhận", "rvok:7")]])
    for _ in range(3):  # three read timeouts in a row: the decision must still reach the office
        channel.fail(ADMIN, Failure.UNCERTAIN, "Timed out")
    await dispatcher.sweep()
    for _ in range(4):
        clock.advance(timedelta(minutes=10))
        await dispatcher.sweep()
    notices = [m for m in channel.to(ADMIN) if "Đề nghị xác nhận" in m.text]
    assert len(notices) == 1
    assert "Có thể anh/chị đã nhận" in notices[0].text and notices[0].buttons[0][0].data == "rvok:7"
    with Session(db) as s:
        row = s.scalar(select(DeliveryRow).where(DeliveryRow.chat_id == ADMIN, DeliveryRow.state == "sent"))
        assert row.uncertain and row.attempts == 3


async def test_rehearsal_clock_at_60x_does_not_reclaim_a_send_in_flight(db) -> None:  # type: ignore[no-untyped-def]
    plan_clock = FixedClock(START)
    real = FixedClock(datetime(2026, 12, 1, 20, 0, tzinfo=UTC))
    channel, first = _setup(db, plan_clock, timer=real)
    second = Dispatcher(db, channel, plan_clock, NoLimit(), DispatchSettings(concurrency=1), worker="t2", timer=real)
    plan_clock.set(FIRST_RUNG)
    release = asyncio.Event()
    started = asyncio.Event()
    original = channel.send

    async def slow_send(message):  # type: ignore[no-untyped-def]
        started.set()
        await release.wait()
        return await original(message)

    channel.send = slow_send  # type: ignore[method-assign]
    sweep = asyncio.ensure_future(first.sweep())
    await started.wait()
    # 10 real seconds pass; the rehearsal clock at 60x moves 10 minutes, far beyond the 2-minute lease
    real.advance(timedelta(seconds=10))
    plan_clock.advance(timedelta(minutes=10))
    channel.send = original  # type: ignore[method-assign]
    report = await second.sweep()
    assert report.claimed == 0
    with Session(db) as s:
        assert not any(r.uncertain or r.error == "crash_during_send" for r in s.scalars(select(DeliveryRow)))
    release.set()
    await sweep
    assert _states(db) == {"sent": 3}
    assert len(channel.sent) == 3  # nothing sent twice


async def test_bad_request_fails_with_reason_and_is_not_retried(db) -> None:  # type: ignore[no-untyped-def]
    clock = FixedClock(START)
    channel, dispatcher = _setup(db, clock)
    channel.fail(HEAD_VP, Failure.PERMANENT, "Bad Request: can't parse entities")
    clock.set(FIRST_RUNG)
    await dispatcher.sweep()
    clock.advance(timedelta(hours=2))
    await dispatcher.sweep()
    assert channel.to(HEAD_VP) == []
    with Session(db) as s:
        row = s.scalar(select(DeliveryRow).where(DeliveryRow.chat_id == HEAD_VP))
        assert row.state == "failed" and "parse entities" in row.error


@pytest.mark.parametrize("failure", [Failure.RETRY, Failure.RETRY_UNCERTAIN])
async def test_transient_failure_is_retried_later(db, failure) -> None:  # type: ignore[no-untyped-def]
    clock = FixedClock(START)
    channel, dispatcher = _setup(db, clock)
    channel.fail(HEAD_VP, failure, "connect timeout")
    clock.set(FIRST_RUNG)
    await dispatcher.sweep()
    assert channel.to(HEAD_VP) == []
    clock.advance(timedelta(minutes=2))
    await dispatcher.sweep()
    assert len(channel.to(HEAD_VP)) == 1
    with Session(db) as s:
        row = s.scalar(select(DeliveryRow).where(DeliveryRow.chat_id == HEAD_VP))
        assert row.state == "sent" and row.attempts == 1
        assert row.uncertain is (failure is Failure.RETRY_UNCERTAIN)


async def test_restart_returns_abandoned_claims_and_flags_in_flight_sends(db) -> None:  # type: ignore[no-untyped-def]
    clock = FixedClock(START)
    channel, dispatcher = _setup(db, clock)
    clock.set(FIRST_RUNG)
    outbox.materialize(db, clock.now(), timedelta(minutes=15), ())
    claimed = outbox.claim(db, clock.now(), "dead-worker", 100)
    in_flight = [c.delivery_id for c in claimed if c.chat_id == HEAD_VP]
    outbox.mark(db, in_flight, clock.now(), state="sending")
    assert dispatcher.recover_all() == len(claimed)
    await dispatcher.sweep()
    assert len(channel.sent) == 3
    with Session(db) as s:
        rows = s.scalars(select(DeliveryRow)).all()
        assert all(r.state == "sent" for r in rows)
        assert {r.id for r in rows if r.uncertain} == set(in_flight)


async def test_a_long_bundle_is_one_card_with_the_nearest_tasks_and_few_buttons(db) -> None:  # type: ignore[no-untyped-def]
    from bot.engine.messages import TELEGRAM_LIMIT, render_reminders
    from bot.engine.outbox import Claimed

    due = datetime(2019, 11, 19, tzinfo=UTC).date()
    items = [Claimed(i, HEAD_VP, "before", "before-3", FIRST_RUNG, False, False, 0, None, None, None, 100 + i,
                     f"5.{i}", "Nhiệm vụ có tên khá dài để bản tin vượt quá giới hạn của Telegram " * 3, "5",
                     "Xây dựng và nâng cao chất lượng đội ngũ CB, CC, VC", "VP", "Văn phòng Sở", "Gửi kết quả", due)
             for i in range(40)]
    ((text, rows),) = render_reminders(items, FIRST_RUNG)
    assert len(text) <= TELEGRAM_LIMIT and text.count("19/11/2019") == 1 and text.count("Gửi kết quả") == 1
    assert "40 việc" in text and "… và 35 việc khác" in text
    assert [line for line in text.splitlines() if line.startswith("• ")][0].startswith("• 5.0 ")
    datas = [b.data for row in rows for b in row]
    assert datas == ["cl:o:0:n", "done:100"]  # the checklist and the nearest task's action


async def test_an_error_recording_a_failed_send_is_logged_and_the_delivery_goes_out_after_its_lease(
        db, monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    clock = FixedClock(START)
    channel, dispatcher = _setup(db, clock)
    channel.fail(HEAD_VP, Failure.RETRY, "connect timeout")
    real_reschedule = outbox.reschedule

    def database_gone(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OperationalError("UPDATE deliveries", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(outbox, "reschedule", database_gone)
    clock.set(FIRST_RUNG)
    with caplog.at_level(logging.ERROR, logger="bot.engine.dispatcher"):
        report = await dispatcher.sweep()  # the other chats' sends are not disturbed
    assert channel.to(HEAD_VP) == [] and len(channel.sent) == 2 and report.failures == {"retry": 1}
    with Session(db) as s:
        (row,) = s.scalars(select(DeliveryRow).where(DeliveryRow.chat_id == HEAD_VP)).all()
    (error,) = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert str(row.id) in error and str(HEAD_VP) in error and "connect timeout" not in error
    assert row.state == "sending" and row.claimed_by == "t1"  # still held: its lease has not run out
    monkeypatch.setattr(outbox, "reschedule", real_reschedule)
    clock.advance(timedelta(minutes=1))
    await dispatcher.sweep()
    assert channel.to(HEAD_VP) == []  # within the lease nobody takes it
    clock.advance(timedelta(minutes=1, seconds=1))
    await dispatcher.sweep()
    assert len(channel.to(HEAD_VP)) == 1
    with Session(db) as s:
        row = s.get_one(DeliveryRow, row.id)
        assert row.state == "sent" and row.uncertain  # it may have been received: its resend says so
