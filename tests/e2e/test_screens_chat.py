"""Screens that edit one message in place, over HTTP: checklist paging, task card and back, review queue with
the evidence file sent back (same bytes), blockers answered by leadership, member removal with a confirmation."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.sandbox.fake_api import SentMessage
from tests.conftest import BUNDLED_PLAN
from tests.e2e.harness import ADMIN, Harness, at, start_harness, stop_harness

HEAD, LEADER = 2002, 3003


@pytest.fixture
async def h(tmp_path: Path) -> AsyncIterator[Harness]:
    harness = await start_harness(tmp_path, BUNDLED_PLAN, at("14/11/2019"))
    yield harness
    await stop_harness(harness)


async def _join(h: Harness, what: str, user: int, name: str) -> None:
    (link,) = await h.say(ADMIN, f"/moi {what}")
    code = link.text.split("?start=")[1].split()[0]
    await h.say(user, f"/start {code}", name=name)


def _data(message: SentMessage) -> list[str]:
    return [b["callback_data"] for row in (message.reply_markup or {}).get("inline_keyboard", []) for b in row]


def _labels(message: SentMessage) -> list[str]:
    return [b["text"] for row in (message.reply_markup or {}).get("inline_keyboard", []) for b in row]


async def test_checklist_pages_in_place_and_a_task_card_goes_back_to_the_same_page(h: Harness) -> None:
    await _join(h, "TCCB", HEAD, "Nguyễn Văn An")
    (first,) = await h.say(HEAD, "/viec")
    assert first.method == "sendMessage" and "chưa xong" in first.text and "(trang 1/" in first.text
    data = _data(first)
    assert len(data) <= 12 and "cl:o:1" in data and {"cl:q:0", "cl:r:0", "cl:a:0"} <= set(data)
    tasks_on_page = [d for d in data if d.startswith("tc:")]
    assert 1 <= len(tasks_on_page) <= 8

    (second,) = await h.press(HEAD, first, "cl:o:1")
    assert second.method == "editMessageText" and second.message_id == first.message_id
    assert "(trang 2/" in second.text and second.text != first.text
    assert set(_data(second)) & set(tasks_on_page) == set()  # another page, other tasks
    assert "cl:o:0" in _data(second)

    card_data = [d for d in _data(second) if d.startswith("tc:")][0]
    assert card_data.endswith(":cl:o:1")
    (card,) = await h.press(HEAD, second, card_data)
    assert card.method == "editMessageText" and card.message_id == first.message_id
    assert "Đơn vị: " in card.text and "Trạng thái:" in card.text and "hạn" in card.text
    occ = card_data.split(":")[1]
    assert {f"done:{occ}", f"ev:{occ}", f"snz:{occ}", f"blk:{occ}", "cl:o:1"} <= set(_data(card))
    assert "◀ Quay lại" in _labels(card)

    (back,) = await h.press(HEAD, card, "cl:o:1")
    assert back.message_id == first.message_id and back.text == second.text

    (overdue,) = await h.press(HEAD, back, "cl:q:0")
    assert overdue.message_id == first.message_id and "quá hạn" in overdue.text.splitlines()[0]


async def test_forged_and_stale_screen_data_is_refused(h: Harness) -> None:
    await _join(h, "TCCB", HEAD, "Nguyễn Văn An")
    (first,) = await h.say(HEAD, "/viec")
    for data in ("cl:x:0", "cl:o:-1", "tc:abc", "tc:1:cl:o", "rq:0", "rv:1", "rvf:1", "bkr:1", "wl:o:99999"):
        await h.press(HEAD, first, data, expect=0, forged=True)
        text = h.api.answered_callbacks[-1].get("text") or ""
        assert text and ("không hợp lệ" in text or "quản trị" in text or "Lãnh đạo" in text), (data, text)
    (admin_list,) = await h.say(ADMIN, "/viec")  # the office has no unit of its own here: the watch list
    assert "wl:" in " ".join(_data(admin_list)) or "cl:" in " ".join(_data(admin_list))
