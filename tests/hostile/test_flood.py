"""Attack: one chat floods the bot (300 × `/start <random>` from a stranger); everyone else is still answered.

Replies keep Telegram's pace of about 1 message a second per chat (the real rate limiter), so before the fix
the flooder's updates took every concurrent slot and a head's /help waited minutes.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest

from bot.engine.ratelimit import RateLimiter
from bot.telegram.ratelimit import TelegramRateLimiter
from tests.conftest import BUNDLED_PLAN
from tests.e2e.harness import ADMIN, ZONE, Harness, start_harness, stop_harness

STRANGER = 666_000


@pytest.fixture
async def h(tmp_path: Path) -> AsyncIterator[Harness]:
    limiter = TelegramRateLimiter(RateLimiter(per_second=30, private_interval=1.0))
    harness = await start_harness(tmp_path, BUNDLED_PLAN, datetime(2019, 11, 14, 8, tzinfo=ZONE), limiter)
    yield harness
    await stop_harness(harness)


async def test_a_flooding_stranger_does_not_stall_other_chats_and_is_answered_a_few_times(h: Harness) -> None:
    for _ in range(300):
        h.api.user_sends(STRANGER, f"/start {secrets.token_urlsafe(8)}")
    await asyncio.sleep(0.5)  # the bot has fetched the flood (a long poll) before the head writes
    before = len(h.api.sent)
    started = time.monotonic()
    h.api.user_sends(ADMIN, "/help")
    for _ in range(500):
        if any(m.chat_id == ADMIN for m in h.api.sent[before:]):
            break
        await asyncio.sleep(0.01)  # an HTTP round trip, not the scheduler
    waited = time.monotonic() - started
    assert any(m.chat_id == ADMIN for m in h.api.sent[before:]), "the head's /help was not answered in 5 s"
    assert waited < 3.0, waited
    await asyncio.sleep(1.5)
    to_stranger = [m for m in h.api.sent if m.chat_id == STRANGER]
    assert 1 <= len(to_stranger) <= 5  # a few answers, not 300 (one a second for five minutes)
