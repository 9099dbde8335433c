"""Menus that cannot misfire on Zalo, identity of the sender, replies that survive a 429, idle polls, photo hosts.

Issue 18's defects, each driven through the real Applications and dispatcher against the fake Zalo Bot API.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import BlockerRow, EvidenceRow, MetricValueRow, OccurrenceRow, ReminderRow
from tests.e2e.harness import at
from tests.e2e.test_metrics_chat import metric_plan
from tests.e2e.test_zalo_and_telegram import Both, join_on_zalo, reply_for, running_both
from tests.integration.test_web_page import socket_port

METRIC = """    metrics:
      - {id: dung-han, name: Tỷ lệ hồ sơ đúng hạn, kind: count, target: 10, comparison: ">="}
"""


@pytest.fixture
async def both(tmp_path: Path) -> AsyncIterator[Both]:
    async with running_both(tmp_path, metric_plan(tmp_path, METRIC)) as running:
        yield running


def _status(both: Both) -> str:
    """"awaiting_review" when one of TCCB's tasks was submitted, else "open"."""
    with Session(both.tg.engine) as s:
        statuses = set(s.scalars(select(OccurrenceRow.status).where(OccurrenceRow.unit == "TCCB")))
    return "awaiting_review" if "awaiting_review" in statuses else "open"


async def _card(both: Both, head: object) -> dict:  # type: ignore[type-arg]
    await both.tg.sweep_at(at("30/10/2019"))
    return both.zalo.messages_to(head)[-1]  # type: ignore[arg-type]


async def test_an_old_number_gets_the_current_menu_again_and_a_late_done_asks_to_confirm(both: Both) -> None:
    head = await join_on_zalo(both, "Trần Zalo")
    card = await _card(both, head)
    done = reply_for(card["text"], "Hoàn thành")

    (stale,) = await both.says(head, "42")  # no menu offered 42
    assert stale["text"].startswith("Menu này đã cũ") and "Trả lời 1:" in stale["text"], stale["text"]
    assert _status(both) == "open"

    (overdue,) = await both.says(head, "/tiendo")  # no numbers (/quahan is a numbered list now)
    assert "Trả lời" not in overdue["text"]
    (ask,) = await both.says(head, done)  # the card's "done" number, no longer from the latest message
    assert "Xác nhận" in ask["text"] and "Hoàn thành" in ask["text"], ask["text"]
    assert _status(both) == "open"  # nothing submitted without the confirmation
    (submitted,) = await both.says(head, reply_for(ask["text"], "Xác nhận"))
    assert "Đã gửi Văn phòng Sở xác nhận" in submitted["text"], submitted["text"]
    assert _status(both) == "awaiting_review"


async def test_a_number_typed_as_a_metric_value_is_the_value_not_a_menu_reply(both: Both) -> None:
    head = await join_on_zalo(both, "Vũ Zalo")
    card = await _card(both, head)
    assert reply_for(card["text"], "Hoàn thành") == "1"
    (prompt,) = await both.says(head, reply_for(card["text"], "Báo số liệu"))
    assert "Nhập giá trị hiện tại" in prompt["text"] and "Gõ “Hủy” để thôi" in prompt["text"], prompt["text"]
    (saved,) = await both.says(head, "1")
    assert "Đã ghi Tỷ lệ hồ sơ đúng hạn" in saved["text"], saved["text"]
    assert _status(both) == "open"  # not submitted for review
    with Session(both.tg.engine) as s:
        assert [r.value for r in s.scalars(select(MetricValueRow))] == [1]


async def test_a_difficulty_prompt_is_cancelled_by_huy_and_a_reported_one_can_be_withdrawn(both: Both) -> None:
    head = await join_on_zalo(both, "Đỗ Zalo")
    card = await _card(both, head)
    blocker = reply_for(card["text"], "Báo vướng mắc")
    (prompt,) = await both.says(head, blocker)
    assert "Mô tả vướng mắc" in prompt["text"] or "vướng mắc" in prompt["text"]
    (cancelled,) = await both.says(head, "Hủy")
    assert "Đã hủy" in cancelled["text"], cancelled["text"]
    (after,) = await both.says(head, "thôi, không báo nữa")
    assert "chưa hiểu" in after["text"], after["text"]  # not sent to the office as a difficulty

    await both.says(head, blocker)  # the card's menu is still the last one offered
    (sent,) = await both.says(head, "Thiếu kinh phí in tài liệu")
    assert "Đã gửi vướng mắc" in sent["text"], sent["text"]
    (withdrawn,) = await both.says(head, reply_for(sent["text"], "Rút lại vướng mắc"))
    assert "Đã rút lại vướng mắc" in withdrawn["text"], withdrawn["text"]
    with Session(both.tg.engine) as s:
        row = s.scalars(select(BlockerRow)).one()
        assert row.status == "withdrawn" and row.resolved_at is not None


async def test_a_command_ends_a_prompt_on_telegram(both: Both) -> None:
    tg = both.tg
    (invite,) = await tg.say(2002, "/viec")  # a stranger first: not registered
    assert "chưa được đăng ký" in invite.text
    (link,) = await tg.say(1001, "/moi TCCB")
    code = link.text.split("?start=")[1].split()[0]
    await tg.say(2002, f"/start {code}", name="Lý Telegram")
    reminders = [m for m in await tg.sweep_at(at("30/10/2019")) if m.chat_id == 2002]
    (reminder,) = reminders
    blk = next(b["callback_data"] for row in reminder.reply_markup["inline_keyboard"] for b in row
               if b["callback_data"].startswith("blk:"))
    (prompt,) = await tg.press(2002, reminder, blk)
    assert any(b["callback_data"] == "x:0" for row in prompt.reply_markup["inline_keyboard"] for b in row)
    await tg.say(2002, "/quahan")
    (after,) = await tg.say(2002, "thôi, không báo nữa")
    assert "chưa hiểu" in after.text
    with Session(tg.engine) as s:
        assert s.scalars(select(BlockerRow)).all() == []


async def test_in_a_zalo_group_only_the_sender_acts_and_no_personal_link_is_posted(both: Both) -> None:
    tg, zalo = both.tg, both.zalo
    (invite,) = await tg.say(1001, "/moi TCCB")
    code = re.search(r"mã này: (\S+)", invite.text)
    assert code, invite.text
    group = zalo.add_group("Nhóm phòng TCCB")
    head, colleague = zalo.add_user("Hà Trưởng phòng"), zalo.add_user("Lan Chuyên viên")

    async def in_group(user: object, text: str) -> str:
        before = len(zalo.messages_to(group))
        await zalo.user_says_in_group(group, user, text)  # type: ignore[arg-type]
        return (await zalo.wait_for_messages(group, before + 1))[before]["text"]

    assert "Hà Trưởng phòng" in await in_group(head, code.group(1))
    assert "chưa được đăng ký" in await in_group(colleague, "/viec")  # the group is not the head
    assert "1.1" in await in_group(head, "/viec")
    refused = await in_group(head, "/trang")
    assert "trò chuyện riêng" in refused and "/p/" not in refused, refused
    before = len(zalo.messages_to(group))
    await tg.sweep_at(at("30/10/2019"))  # the 08:00 card goes to the group the head joined from
    (card,) = zalo.messages_to(group)[before:]
    assert "Nhắc việc" in card["text"] and "/p/" not in card["text"], card["text"]


def _queued_replies(both: Both) -> int:
    with Session(both.tg.engine) as s:
        return len(s.scalars(select(ReminderRow.id).where(ReminderRow.rung == "reply")).all())


async def test_a_reply_refused_by_zalo_flood_control_is_delivered_by_the_outbox(both: Both) -> None:
    head = await join_on_zalo(both, "Phan Zalo")
    before = len(both.zalo.messages_to(head))
    both.zalo.fail_next("sendMessage", 429, "Too Many Requests")
    await both.zalo.user_says(head, "/viec")
    deadline = time.monotonic() + 10
    while not _queued_replies(both) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)  # the bot's own HTTP round trips, in real time
    assert both.zalo.messages_to(head)[before:] == []  # Zalo refused the answer (429)
    await both.tg.sweep_at(at("25/10/2019", 10))
    (answer,) = both.zalo.messages_to(head)[before:]
    assert "1.1" in answer["text"], answer["text"]


async def test_an_idle_long_poll_is_not_an_error(both: Both, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    stranger = both.zalo.add_user("Người lạ")
    deadline = time.monotonic() + 15
    while both.zalo.state.calls.count("getUpdates") < 4 and time.monotonic() < deadline:
        await both.zalo.wait_for_messages(stranger, 0, timeout=0.2)
        await asyncio.sleep(0.2)  # real network time: the 1 s polls must end idle (HTTP 408)
    assert both.zalo.state.calls.count("getUpdates") >= 4
    started = time.monotonic()
    (answer,) = await both.says(stranger, "/viec")
    assert time.monotonic() - started < 3 and "chưa được đăng ký" in answer["text"]
    assert [r for r in caplog.records if r.levelno >= logging.WARNING and "zalo" in r.getMessage().lower()
            or r.levelno >= logging.ERROR] == []


async def test_a_photo_is_fetched_only_from_the_channels_own_file_host(both: Both) -> None:
    hits: list[str] = []

    async def secret(request: web.Request) -> web.Response:
        hits.append(request.path)
        return web.Response(body=b"\xff\xd8 internal", content_type="image/jpeg")

    app = web.Application()
    app.router.add_get("/secret", secret)
    runner = web.AppRunner(app)
    await runner.setup()
    with socket_port() as port:
        pass
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        user = both.zalo.add_user("Kẻ tấn công")
        inside = f"http://localhost:{port}/secret"  # a host that is not the channel's file host
        for url in (inside, f"{both.zalo.base_url}/redirect?to={inside}"):
            before = len(both.zalo.messages_to(user))
            await both.zalo.user_sends_photo_url(user, url)
            (told,) = (await both.zalo.wait_for_messages(user, before + 1))[before:]
            assert "Không tải được" in told["text"], told["text"]
        assert hits == []
    finally:
        await runner.cleanup()
    with Session(both.tg.engine) as s:
        assert s.scalars(select(EvidenceRow)).all() == []
