"""Replies to presses and commands go through the rate limiter with a bounded RetryAfter retry.

The real Application (handlers, PTB's HTTP stack, `TelegramRateLimiter`) against the fake Bot API with its
flood limits on: 30 messages/s per bot, 1/s per private chat.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.members import ensure_member
from bot.db.models import OccurrenceRow
from bot.engine.ratelimit import RateLimiter
from bot.telegram.ratelimit import TelegramRateLimiter
from tests.conftest import MINI_PLAN
from tests.e2e.harness import Harness, at, start_harness, stop_harness

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning")

HEAD = 2002
ERROR_WORDS = "gặp lỗi"


@pytest.fixture
async def h(tmp_path: Path) -> AsyncIterator[Harness]:
    """The harness, its Application built with the limiter `bot.runner` installs."""
    harness = await start_harness(tmp_path, MINI_PLAN, at("25/10/2019"),
                                  rate_limiter=TelegramRateLimiter(RateLimiter()), enforce_limits=True)
    try:
        yield harness
    finally:
        await stop_harness(harness)


async def test_429_on_the_answer_and_the_reply_to_a_press_still_confirms_and_never_reports_an_error(
        h: Harness) -> None:
    ensure_member(h.engine, h.clock.now(), chat_id=HEAD, user_id=HEAD, role="head", unit="TCCB",
                  name="Nguyễn Văn An")
    reminders = await h.sweep_at(at("30/10/2019"))
    (reminder,) = [m for m in reminders if m.chat_id == HEAD]
    data = next(b["callback_data"] for row in reminder.reply_markup["inline_keyboard"] for b in row
                if b["callback_data"].startswith("done:"))
    await asyncio.sleep(1.1)  # Telegram's 1 message/s per chat, counted from the reminder
    h.api.inject("retry_after", method="answerCallbackQuery", retry_after=1)
    h.api.inject("retry_after", method="sendMessage", chat_id=HEAD, retry_after=1)
    (confirmed,) = await h.press(HEAD, reminder, data, expect=1)
    assert "Đã gửi Văn phòng Sở xác nhận" in (confirmed.text or "")
    assert h.api.count_429 == 2
    answers = [c for c in h.api.answered_callbacks]
    assert answers and not any(ERROR_WORDS in str(c.get("text", "")) for c in answers), answers
    assert not any(ERROR_WORDS in (m.text or "") for m in h.api.sent)
    with Session(h.engine) as s:
        occ = s.scalar(select(OccurrenceRow).where(OccurrenceRow.id == int(data.split(":")[1])))
        assert occ is not None and occ.status == "awaiting_review"


async def test_a_flood_of_commands_is_paced_instead_of_hitting_429s(h: Harness) -> None:
    users = [3000 + i for i in range(30)]
    before = len(h.api.sent)
    started = time.monotonic()
    for _ in range(3):  # 30 people each sending three commands at once: 90 replies
        for user in users:
            h.api.user_sends(user, "/help")
    await h.api.wait_for_sent(before + 90, timeout=60)
    took = time.monotonic() - started
    replies = h.api.sent[before:]
    per_user = {u: sum(1 for m in replies if m.chat_id == u) for u in users}
    assert set(per_user.values()) == {3}, per_user
    assert h.api.count_429 <= 3, h.api.count_429  # back-off, not 429 after 429
    assert took >= 2.0  # three replies a chat cannot go out faster than 1/s
    print(f"\n[flood] 90 replies to 30 chats in {took:.1f} s, {h.api.count_429} × 429")
