"""A chat that cannot be reached: its person's failed messages, and the next ones, go by e-mail (SQLite and
PostgreSQL); the office notice says where, or that there is no address to fall back on."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.db.models import AuditRow, DeliveryRow, MemberRow, UnitRow
from bot.domain.clock import FixedClock
from bot.engine import outbox
from bot.engine.channel import Failure
from bot.engine.dispatcher import Dispatcher, DispatchSettings
from bot.engine.outbox import EmailRouting
from bot.engine.ratelimit import NoLimit
from tests.fakes import ScriptedChannel
from tests.integration.test_dispatch import ADMIN, FIRST_RUNG, HEAD_TCCB, START, _setup

BLOCKED = "Forbidden: bot was blocked by the user"


def _with_email(db, clock, reminders=False):  # type: ignore[no-untyped-def]
    telegram, _ = _setup(db, clock)
    mail = ScriptedChannel()
    settings = DispatchSettings(concurrency=1, email=EmailRouting(reminders=reminders))
    return telegram, mail, Dispatcher(db, telegram, clock, NoLimit(), settings, worker="t1", timer=clock,
                                      email_channel=mail)


def _set_email(db, member_email=None, unit_email=None):  # type: ignore[no-untyped-def]
    with Session(db) as s, s.begin():
        if member_email:
            s.execute(update(MemberRow).where(MemberRow.chat_id == HEAD_TCCB).values(email=member_email))
        if unit_email:
            s.execute(update(UnitRow).where(UnitRow.id == "TCCB").values(email=unit_email))


async def test_blocked_head_with_an_address_gets_the_failed_reminder_by_email_and_office_is_told(db) -> None:  # type: ignore[no-untyped-def]
    clock = FixedClock(START)
    telegram, mail, dispatcher = _with_email(db, clock)
    _set_email(db, member_email="Truong.TCCB@so-gddt.vn")
    telegram.fail(HEAD_TCCB, Failure.UNREACHABLE, BLOCKED)
    clock.set(FIRST_RUNG)
    await dispatcher.sweep()
    await dispatcher.sweep()  # the fallback e-mail and the notice were queued by the first sweep
    (message,) = [m for m in mail.sent if m.address == "truong.tccb@so-gddt.vn"]
    assert "Nhắc việc" in message.text or "hạn" in message.text
    (notice,) = [m for m in telegram.to(ADMIN) if "Không gửi được" in m.text]
    assert "Trưởng TCCB" in notice.text and "e-mail truong.tccb@so-gddt.vn" in notice.text
    with Session(db) as s:
        fallback = s.scalars(select(DeliveryRow).where(DeliveryRow.chat_id == 0)).all()
        assert [d.state for d in fallback] == ["sent"] and fallback[0].member_id is not None
        assert s.scalar(select(AuditRow).where(AuditRow.action == "email_fallback_queued")) is not None
    # The next message of this person goes by e-mail too, not to the blocked chat.
    with Session(db) as s:
        member_id = s.scalar(select(MemberRow.id).where(MemberRow.chat_id == HEAD_TCCB))
        recipients = outbox.resolve(s, "TCCB", (), outbox.Directory(s, {"TCCB"}, email=True))
    assert recipients == [outbox.Recipient(0, member_id, None, "truong.tccb@so-gddt.vn")]


async def test_unit_address_is_the_fallback_and_a_reminder_already_mailed_is_not_mailed_twice(db) -> None:  # type: ignore[no-untyped-def]
    clock = FixedClock(START)
    telegram, mail, dispatcher = _with_email(db, clock, reminders=True)
    _set_email(db, unit_email="tccb@so-gddt.vn")
    telegram.fail(HEAD_TCCB, Failure.UNREACHABLE, BLOCKED)
    clock.set(FIRST_RUNG)
    await dispatcher.sweep()
    await dispatcher.sweep()
    assert len([m for m in mail.sent if m.address == "tccb@so-gddt.vn"]) == 1
    (notice,) = [m for m in telegram.to(ADMIN) if "Không gửi được" in m.text]
    assert "e-mail tccb@so-gddt.vn" in notice.text


async def test_blocked_head_without_any_address_gets_nothing_and_the_notice_says_so(db) -> None:  # type: ignore[no-untyped-def]
    clock = FixedClock(START)
    telegram, mail, dispatcher = _with_email(db, clock)
    telegram.fail(HEAD_TCCB, Failure.UNREACHABLE, BLOCKED)
    clock.set(FIRST_RUNG)
    await dispatcher.sweep()
    await dispatcher.sweep()
    assert mail.sent == []
    (notice,) = [m for m in telegram.to(ADMIN) if "Không gửi được" in m.text]
    assert "Không có địa chỉ e-mail" in notice.text
    with Session(db) as s:
        assert s.scalars(select(DeliveryRow).where(DeliveryRow.chat_id == 0)).all() == []


async def test_with_email_off_the_address_is_not_used(db) -> None:  # type: ignore[no-untyped-def]
    clock = FixedClock(START)
    telegram, dispatcher = _setup(db, clock)
    _set_email(db, member_email="truong.tccb@so-gddt.vn")
    telegram.fail(HEAD_TCCB, Failure.UNREACHABLE, BLOCKED)
    clock.set(FIRST_RUNG)
    await dispatcher.sweep()
    await dispatcher.sweep()
    (notice,) = [m for m in telegram.to(ADMIN) if "Không gửi được" in m.text]
    assert "e-mail" not in notice.text and "mời người khác" in notice.text
    with Session(db) as s:
        assert s.scalars(select(DeliveryRow).where(DeliveryRow.chat_id == 0)).all() == []
