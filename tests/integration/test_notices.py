"""Notices go through the durable outbox, on whichever channel reaches the reader (issue 18)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.app import ChannelTable
from bot.db import addresses
from bot.db.members import ensure_member
from bot.db.models import MemberRow, OccurrenceRow, ReminderRow
from bot.domain.clock import FixedClock
from bot.domain.workdays import WorkCalendar
from bot.engine.dispatcher import Dispatcher, DispatchSettings
from bot.engine.ratelimit import NoLimit
from bot.engine.sync import sync_plan
from bot.plans.loader import parse_plan
from bot.services import invites, tasks
from bot.services.access import load_actor
from tests.conftest import MINI_PLAN
from tests.fakes import ScriptedChannel

NOW = datetime(2019, 11, 14, 1, 0, tzinfo=UTC)
ADMIN = 1


def _site(db: Engine) -> tuple[ScriptedChannel, ScriptedChannel, Dispatcher, int]:
    """An office on Telegram, a head of TCCB on Zalo; a dispatcher routing by channel."""
    sync_plan(db, parse_plan(MINI_PLAN.read_text(encoding="utf-8"), "mini.yaml"), WorkCalendar(), NOW)
    ensure_member(db, NOW, chat_id=ADMIN, user_id=ADMIN, role="admin", unit="VP", name="Văn phòng")
    with Session(db) as s, s.begin():
        zalo_chat = addresses.zalo_key(s, "zalo-user-42", "Nguyễn Văn An", NOW)
    ensure_member(db, NOW, chat_id=zalo_chat, user_id=zalo_chat, role="head", unit="TCCB", name="Nguyễn Văn An")
    telegram, zalo = ScriptedChannel(), ScriptedChannel()
    router: Any = ChannelTable({"telegram": telegram, "zalo": zalo})  # type: ignore[dict-item]
    clock = FixedClock(NOW)
    dispatcher = Dispatcher(db, router, clock, NoLimit(), DispatchSettings(concurrency=1), worker="t", timer=clock)
    return telegram, zalo, dispatcher, zalo_chat


async def test_a_member_on_zalo_removed_by_an_office_on_telegram_is_told(db: Engine) -> None:
    telegram, zalo, dispatcher, zalo_chat = _site(db)
    with Session(db) as s, s.begin():
        office = load_actor(s, ADMIN, ADMIN)
        member_id = s.scalar(select(MemberRow.id).where(MemberRow.chat_id == zalo_chat))
        assert member_id is not None
        invites.remove_member(s, office, member_id, tasks.Event(NOW))
    await dispatcher.sweep()
    told = zalo.to(zalo_chat)
    assert len(told) == 1 and "Văn phòng Sở đã xóa anh/chị khỏi bot nhắc việc CCHC" in told[0].text, zalo.sent
    assert "Nguyễn Văn An" in told[0].text and "TCCB" in told[0].text
    assert not [m for m in telegram.sent if "xóa anh/chị" in m.text]  # the office is not told in their place


async def test_a_notice_queued_by_an_english_speaking_head_reaches_the_office_in_vietnamese(db: Engine) -> None:
    from bot.db.notices import NOTICES
    from bot.i18n import language

    telegram, zalo, dispatcher, zalo_chat = _site(db)
    with Session(db) as s, s.begin():
        head = s.scalars(select(MemberRow).where(MemberRow.chat_id == zalo_chat)).one()
        head.lang = "en"
        occ = s.scalars(select(OccurrenceRow.id).where(OccurrenceRow.unit == "TCCB")).first()
    with language("en"), Session(db) as s, s.begin():  # as the chat answers an English speaker
        actor = load_actor(s, zalo_chat, zalo_chat)
        tasks.report_blocker(s, actor, occ, "Chưa có chữ ký Giám đốc", tasks.Event(NOW))
    await dispatcher.sweep()
    (told,) = [m for m in telegram.to(ADMIN) if "Chưa có chữ ký" in m.text]
    assert told.text.startswith("⚠️ Vướng mắc được báo cáo\n1.1 Ban hành kế hoạch CCHC — Phòng Tổ chức cán bộ"), told
    assert "Người báo: Nguyễn Văn An" in told.text and "Difficulty" not in told.text
    labels = [b.text for row in told.buttons for b in row]
    assert labels == ["➡️ Chuyển Lãnh đạo Sở", "💬 Trả lời / hướng dẫn"], labels
    with Session(db) as s:  # stored as facts, not as a sentence in the head's English
        stored = s.scalars(select(ReminderRow).where(ReminderRow.kind == "notice")).one()
        assert stored.facts is not None and stored.facts["notice"] in NOTICES and not stored.body


async def test_a_notice_stored_as_a_finished_sentence_is_sent_as_it_is(db: Engine) -> None:
    from bot.engine import outbox

    telegram, _zalo, dispatcher, _chat = _site(db)
    with Session(db) as s, s.begin():
        outbox.queue_notice(s, NOW, "old:1", f"chat:{ADMIN}", "Nội dung cũ, đã viết sẵn",
                            [[("✔️ Chấp nhận", "rvok:7")]])
    await dispatcher.sweep()
    (told,) = [m for m in telegram.to(ADMIN) if "Nội dung cũ" in m.text]
    assert told.text.startswith("Nội dung cũ, đã viết sẵn")
    assert [b.text for row in told.buttons for b in row][:1] == ["✔️ Chấp nhận"]


async def test_the_office_answers_a_difficulty_without_giving_directions(db: Engine) -> None:
    """WORDING H1: the office advises; only leadership gives "ý kiến chỉ đạo"."""
    from bot.services import blockers

    _telegram, zalo, dispatcher, zalo_chat = _site(db)
    with Session(db) as s, s.begin():
        occ = s.scalars(select(OccurrenceRow.id).where(OccurrenceRow.unit == "TCCB")).first()
        row = tasks.report_blocker(s, load_actor(s, zalo_chat, zalo_chat), occ, "Chưa có chữ ký", tasks.Event(NOW))
        blockers.reply(s, load_actor(s, ADMIN, ADMIN), row.id, "Trình Phó Giám đốc ký trong tuần", tasks.Event(NOW))
    await dispatcher.sweep()
    (answer,) = [m for m in zalo.to(zalo_chat) if "Trình Phó Giám đốc" in m.text]
    assert answer.text.startswith("💬 Ý kiến của Văn phòng Sở (người trả lời: Văn phòng) về vướng mắc của nhiệm vụ:")
    assert "Trả lời, hướng dẫn: Trình Phó Giám đốc ký trong tuần" in answer.text
    assert "chỉ đạo" not in answer.text.lower()
