"""End to end through the fake Bot API: a head of two units gets one card; a later rung says what changed.

The real Dispatcher and TelegramChannel over python-telegram-bot's HTTP stack, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from telegram import Bot

from bot.db.members import ensure_member
from bot.db.models import MemberRow, OccurrenceRow
from bot.domain.clock import FixedClock
from bot.domain.workdays import WorkCalendar
from bot.engine import outbox
from bot.engine.dispatcher import Dispatcher, DispatchSettings
from bot.engine.ratelimit import NoLimit
from bot.engine.sync import sync_plan
from bot.plans.loader import parse_plan
from bot.sandbox.fake_api import FakeBotApi
from bot.telegram.channel import TelegramChannel
from tests.conftest import MINI_PLAN
from tests.e2e.test_dispatch_telegram import TOKEN, make_bot

START = datetime(2019, 10, 25, tzinfo=UTC)
FIRST_RUNG = datetime(2019, 10, 30, 1, 0, tzinfo=UTC)  # 08:00 local, 14 working days before 19/11/2019
ADMIN, HEAD_VP, HEAD = 1, 10, 20
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning")


def plan_text() -> str:
    """The mini plan with eight tasks under its results deadline (each unit: eight occurrences)."""
    extra = "".join(f'  - id: "1.{i}"\n    area: "1"\n    title: Nhiệm vụ thử số {i} về cải cách hành chính\n'
                    for i in range(2, 9))
    return MINI_PLAN.read_text(encoding="utf-8") + extra


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(token=TOKEN) as server:
        yield server


@pytest.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    async with make_bot(api.base_url, api.base_file_url) as client:
        yield client


def keyboard(message: object) -> list[dict[str, str]]:
    markup = getattr(message, "reply_markup", None) or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]


async def sweep_until_message(dispatcher: Dispatcher, clock: FixedClock, api: FakeBotApi, chat: int) -> None:
    """Jump from due instant to due instant until `chat` gets a new message."""
    before = len(api.messages_to(chat))
    for _ in range(50):
        due = outbox.next_due(dispatcher.engine)
        assert due is not None
        clock.set(max(due, clock.now()))
        await dispatcher.sweep()
        if len(api.messages_to(chat)) > before:
            return
    raise AssertionError("no message")


async def test_a_head_of_two_units_gets_one_card_then_a_shorter_one_saying_what_changed(
        db: Engine, api: FakeBotApi, bot: Bot) -> None:
    clock = FixedClock(START)
    ensure_member(db, clock.now(), chat_id=ADMIN, role="admin", unit="VP", name="Văn phòng")
    ensure_member(db, clock.now(), chat_id=HEAD_VP, role="head", unit="VP", name="Trưởng VP")
    ensure_member(db, clock.now(), chat_id=HEAD, role="head", unit="TCCB", name="Trưởng TCCB")
    ensure_member(db, clock.now(), chat_id=HEAD, role="head", unit="KHTC", name="Trưởng TCCB")
    sync_plan(db, parse_plan(plan_text(), "mini.yaml"), WorkCalendar(), clock.now())
    dispatcher = Dispatcher(db, TelegramChannel(bot), clock, NoLimit(), DispatchSettings(concurrency=4), worker="e2e")

    clock.set(FIRST_RUNG)
    await dispatcher.sweep()
    (first,) = api.messages_to(HEAD)  # 16 tasks of two units: exactly one message
    text = first.text or ""
    assert "Phòng Tổ chức cán bộ" in text and "Phòng Kế hoạch - Tài chính" in text
    assert text.count("Gửi kết quả về Văn phòng Sở (trước ngày 20/11)") == 1 and text.count("19/11/2019") == 1
    assert "16 việc:" in text and "• 1.1 (P. Kế hoạch - Tài chính) Ban hành kế hoạch CCHC — chưa xong" in text
    assert "… và 11 việc khác" in text and "còn 14 ngày làm việc" in text
    buttons = keyboard(first)
    assert 1 <= len(buttons) <= 12 and len(text) <= 4096
    # the count of the checklist it opens (this year's 20 of the two units), not the card's 16
    assert buttons[0] == {"text": "📋 Danh sách việc (20 chưa xong)", "callback_data": "cl:o:0:n"}
    assert buttons[-1]["callback_data"].startswith("done:")
    api.user_presses(HEAD, first, buttons[-1]["callback_data"])  # the button exists on the delivered message

    with Session(db) as s, s.begin():  # between the rungs: three tasks done, one waiting for the office
        occurrences = s.scalars(select(OccurrenceRow).where(OccurrenceRow.unit.in_(("TCCB", "KHTC")),
                                                            OccurrenceRow.label.like("Gửi kết quả%"),
                                                            OccurrenceRow.due == date(2019, 11, 19))
                                .order_by(OccurrenceRow.id)).all()
        assert len(occurrences) == 16
        for occ, status in zip(occurrences, ("done", "done", "done", "awaiting_review"), strict=False):
            occ.status = status

    await sweep_until_message(dispatcher, clock, api, HEAD)
    second = api.messages_to(HEAD)[-1]
    later = second.text or ""
    assert len(api.messages_to(HEAD)) == 2
    assert len(later) < len(text)
    assert "Từ lần nhắc trước (30/10/2019): 3 việc đã xong, 1 việc chờ xác nhận." in later
    assert "Còn 12 việc chưa xong, gần nhất:" in later and "… và 9 việc khác" in later
    assert keyboard(second)[0]["text"] == "📋 Danh sách việc (16 chưa xong)" and len(keyboard(second)) <= 12  # 20 - 4


async def test_a_card_follows_the_readers_language(db: Engine, api: FakeBotApi, bot: Bot) -> None:
    clock = FixedClock(START)
    ensure_member(db, clock.now(), chat_id=ADMIN, role="admin", unit="VP", name="Văn phòng")
    ensure_member(db, clock.now(), chat_id=HEAD, role="head", unit="TCCB", name="Head")
    with Session(db) as s, s.begin():
        s.scalar(select(MemberRow).where(MemberRow.chat_id == HEAD)).lang = "en"
    sync_plan(db, parse_plan(plan_text(), "mini.yaml"), WorkCalendar(), clock.now())
    dispatcher = Dispatcher(db, TelegramChannel(bot), clock, NoLimit(), DispatchSettings(concurrency=4), worker="e2e")
    clock.set(FIRST_RUNG)
    await dispatcher.sweep()
    (card,) = api.messages_to(HEAD)
    assert "🔔 Reminder: Phòng Tổ chức cán bộ" in (card.text or "") and "14 working days left" in (card.text or "")
    assert keyboard(card)[0]["text"] == "📋 Task list (10 not done)"  # the checklist's count
    (office,) = api.messages_to(ADMIN)  # VP and KHTC have no head: the office hears, in Vietnamese
    assert "🔔 Nhắc việc" in (office.text or "") and "chưa có người nhận nhắc việc" in (office.text or "")
