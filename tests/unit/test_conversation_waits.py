"""Flows of bot/conversation driven through a RecordingTurn on SQLite: no channel, milliseconds."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.conversation import difficulties, waits
from bot.conversation.services import Services
from bot.db.engine import make_engine, migrate
from bot.db.members import ensure_member
from bot.db.models import BlockerReplyRow, BlockerRow, ChatStateRow, OccurrenceRow
from bot.domain.clock import FixedClock
from bot.domain.workdays import WorkCalendar
from bot.engine.sync import sync_plan
from bot.i18n import language
from bot.plans.loader import load_plan
from bot.services.access import Actor, Refused, load_actor
from bot.services.tasks import Event, report_blocker, start_blocker
from bot.views.model import View
from tests.conftest import MINI_PLAN

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2019, 10, 30, 8, 0, tzinfo=ZONE)


@dataclass
class RecordingTurn:
    services: Services
    actor: Actor
    private: bool = True
    event: Event = field(default_factory=lambda: Event(NOW, 1))
    said: list[str] = field(default_factory=list)

    async def reply(self, view: View) -> None:
        self.said.append(view.text)

    async def show(self, view: View) -> None:
        self.said.append(view.text)


@pytest.fixture
def services(tmp_path: Path) -> Services:
    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    migrate(engine)
    sync_plan(engine, load_plan(MINI_PLAN), WorkCalendar(), NOW)
    for chat, unit in ((2002, "TCCB"), (2003, "TCCB")):
        ensure_member(engine, NOW, chat_id=chat, user_id=chat, role="head", unit=unit, name=f"Trưởng {chat}")
    ensure_member(engine, NOW, chat_id=1001, user_id=1001, role="admin", unit="VP", name="Chánh Văn phòng")
    return Services(engine, FixedClock(NOW), WorkCalendar(), ZONE, tmp_path / "evidence", time(8, 0))


def _turn(services: Services, chat: int, private: bool = True) -> RecordingTurn:
    with services.tx() as session:
        return RecordingTurn(services, load_actor(session, chat, chat), private)


def _reported(services: Services, chat: int) -> int:
    turn = _turn(services, chat)
    with services.tx() as session:
        occ = session.scalars(select(OccurrenceRow.id).where(OccurrenceRow.unit == "TCCB")).first()
        assert occ is not None
        start_blocker(session, turn.actor, occ, turn.event)
        return report_blocker(session, turn.actor, occ, "Thiếu kinh phí", turn.event).id


async def test_cancel_ends_the_wait_and_says_so(services: Services) -> None:
    turn = _turn(services, 2002)
    with services.tx() as session:
        occ = session.scalars(select(OccurrenceRow.id).where(OccurrenceRow.unit == "TCCB")).first()
        assert occ is not None
        start_blocker(session, turn.actor, occ, turn.event)
    with language("vi"):
        await waits.cancel(turn)
    assert turn.said == ["Đã hủy, không có gì thay đổi."]
    with Session(services.engine) as session:
        assert session.get(ChatStateRow, 2002) is None


async def test_only_the_reporter_withdraws_and_only_before_an_answer(services: Services) -> None:
    blocker = _reported(services, 2002)
    with pytest.raises(Refused) as other:
        await difficulties.withdraw(_turn(services, 2003), blocker)  # same unit, not the reporter
    assert other.value.key == "blocker_not_yours"
    turn = _turn(services, 2002)
    await difficulties.withdraw(turn, blocker)
    assert turn.said and "1.1" in turn.said[0]
    with Session(services.engine) as session:
        assert session.get(BlockerRow, blocker).status == "withdrawn"  # type: ignore[union-attr]

    answered = _reported(services, 2002)
    with services.tx() as session:
        session.add(BlockerReplyRow(blocker_id=answered, member_id=3, text="Chờ", created_at=NOW))
    with pytest.raises(Refused) as late:
        await difficulties.withdraw(_turn(services, 2002), answered)
    assert late.value.key == "blocker_answered"


async def test_the_personal_link_is_refused_outside_a_private_chat(services: Services) -> None:
    with pytest.raises(Refused) as refused:
        await waits.page_link(_turn(services, 2002, private=False))
    assert refused.value.key == "page_private_only"
