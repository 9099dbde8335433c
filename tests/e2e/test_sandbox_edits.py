"""Edits update the chat page in place, and ⏩ answers while its messages are still going out.

The bot's own edits (a checklist's next page) are made here through the fake Bot API's HTTP methods, as
python-telegram-bot would make them; the page's feed must show the same message (same `seq`, same id)
with the new text and buttons, never a new one.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timezone
from typing import Any

from bot.sandbox.personas import FIRST_HEAD_ID, LEADER_ID
from bot.sandbox.server import TOKEN
from tests.e2e import test_sandbox_api
from tests.e2e.test_sandbox_api import THPTCHUYEN, Page

page = test_sandbox_api.page  # the same sandbox fixture
TCCB = FIRST_HEAD_ID + 1
PAGE_TWO = {"inline_keyboard": [[{"text": "◀", "callback_data": "cl:o:0"}, {"text": "▶", "callback_data": "cl:o:2"}]]}


async def bot_api(page: Page, method: str, **params: Any) -> dict[str, Any]:
    """Call the fake Bot API like the bot does (the sandbox's token, JSON body)."""
    api = page.sandbox.stack.api
    async with page.http.post(f"{api.base_url}{TOKEN}/{method}", json=params) as response:
        return dict(await response.json())


async def test_edited_text_and_buttons_replace_the_message_in_the_feed(page: Page) -> None:
    await page.say(TCCB, "/help")
    feed = await page.get(f"/api/chat/{TCCB}?after=0")
    user, answer = feed["messages"]
    edited = await bot_api(page, "editMessageText", chat_id=TCCB, message_id=answer["id"], text="Trang 2/3",
                           reply_markup=PAGE_TWO)
    assert edited["ok"], edited

    (changed,) = (await page.get(f"/api/chat/{TCCB}?after={feed['rev']}"))["messages"]
    assert (changed["seq"], changed["id"], changed["text"], changed["edited"]) == \
        (answer["seq"], answer["id"], "Trang 2/3", True)
    assert [[b["data"] for b in row] for row in changed["buttons"]] == [["cl:o:0", "cl:o:2"]]
    everything = await page.chat(TCCB)
    assert [m["seq"] for m in everything] == [user["seq"], answer["seq"]]  # still two messages, in order

    rev = (await page.get(f"/api/chat/{TCCB}?after=0"))["rev"]
    assert (await bot_api(page, "editMessageReplyMarkup", chat_id=TCCB, message_id=answer["id"],
                          reply_markup={"inline_keyboard": []}))["ok"]
    (bare,) = (await page.get(f"/api/chat/{TCCB}?after={rev}"))["messages"]
    assert (bare["seq"], bare["text"], bare["buttons"]) == (answer["seq"], "Trang 2/3", [])
    state = page.sandbox.stack.api.state
    assert [e["method"] for e in state.edits[(TCCB, answer["id"])]] == ["editMessageText", "editMessageReplyMarkup"]
    assert state.edits[(TCCB, answer["id"])][0]["reply_markup"] == PAGE_TWO

    refused = await bot_api(page, "editMessageText", chat_id=TCCB, message_id=user["id"], text="x")
    assert (refused["ok"], refused["description"]) == (False, "Bad Request: message can't be edited")
    same = await bot_api(page, "editMessageReplyMarkup", chat_id=TCCB, message_id=answer["id"],
                         reply_markup={"inline_keyboard": []})
    assert same["ok"] is False and "message is not modified" in same["description"]

    rev = (await page.get(f"/api/chat/{TCCB}?after=0"))["rev"]
    assert (await bot_api(page, "deleteMessage", chat_id=TCCB, message_id=answer["id"]))["ok"]
    (gone,) = (await page.get(f"/api/chat/{TCCB}?after={rev}"))["messages"]
    assert (gone["seq"], gone["deleted"]) == (answer["seq"], True) and (TCCB, answer["id"]) in state.deleted


async def test_next_event_answers_while_its_messages_are_still_going_out(page: Page) -> None:
    api = page.sandbox.stack.api
    api.inject("read_timeout", method="sendMessage", times=2, delay=2.0, deliver=True)  # a slow Telegram
    started = time.monotonic()
    first = await page.post("/api/clock/next?wait=0")
    assert time.monotonic() - started < 1.5 and first["sending"] is True
    assert (first["target"]["date"], first["target"]["time"]) == ("14/11/2019", "08:00")
    second = await page.post("/api/clock/next?wait=0")  # ⏩ again before the 08:00 messages are all out
    # Friday 15/11: the departments' 08:00 reminders of the internal report date (plan issue), then the digest
    assert (second["target"]["weekday"], second["target"]["date"]) == ("Thứ Sáu", "15/11/2019")
    assert page.sandbox.sending
    for _ in range(600):  # the background tick's HTTP round trips (2 × 2 s answers held back), not a scheduler
        if not page.sandbox.sending:
            break
        await asyncio.sleep(0.05)
    assert not page.sandbox.sending
    assert [m for m in await page.bot_messages(THPTCHUYEN) if "Nhắc việc" in m["text"]]
    assert page.sandbox.stack.clock.now() >= datetime(2019, 11, 15, 1, 0, tzinfo=timezone.utc)  # Friday 08:00


async def test_next_event_without_wait_still_returns_after_its_tick(page: Page) -> None:
    jump = await page.post("/api/clock/next")
    assert jump["sending"] is False
    assert [m for m in await page.bot_messages(THPTCHUYEN) if "Nhắc việc" in m["text"]]
