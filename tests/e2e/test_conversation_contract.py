"""One conversation, every channel: the same scenarios driven on Telegram and on Zalo (issue 18).

A head of unit works on the adapter under test; the office works on Telegram. Each adapter is driven as its
users drive it: Telegram by pressing buttons (fake Bot API), Zalo by typing the numbers its text offers (fake
Zalo Bot API). A scenario names what it chooses by the label the reader sees, so a channel cannot drift.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import BlockerRow, EvidenceRow, OccurrenceRow
from bot.sandbox.fake_zalo import ZaloUser
from tests.conftest import MINI_PLAN
from tests.e2e.harness import ADMIN, at
from tests.e2e.test_zalo_and_telegram import Both, running_both

HEAD = 2002
MORE_TASKS = "".join(f'  - id: "1.{n}"\n    area: "1"\n    title: Nhiệm vụ thử số {n}\n' for n in (2, 3))
REPLY = re.compile(r"^Trả lời (\d+): (.+)$", re.MULTILINE)
RANGE = re.compile(r"^Trả lời (\d+)–(\d+) để mở việc", re.MULTILINE)
ITEM = re.compile(r"^(\d+)\. (.+)$", re.MULTILINE)


@dataclass
class Screen:
    """One message as its reader sees it: the text and the choices it offers (label → what choosing sends)."""

    text: str
    choices: dict[str, str] = field(default_factory=dict)
    raw: Any = None

    def find(self, label: str) -> str:
        found = [c for c in self.choices if label in c]
        assert found, f"no choice {label!r} in:\n{self.text}\n{list(self.choices)}"
        return found[0]


class Head(Protocol):
    channel: str
    limit: int

    async def join(self, both: Both) -> None: ...
    async def say(self, text: str) -> Screen: ...
    async def choose(self, screen: Screen, label: str) -> Screen: ...
    async def photo(self, content: bytes) -> Screen: ...
    def last(self) -> Screen: ...
    def received(self) -> list[str]: ...


@dataclass
class TelegramHead:
    both: Both
    channel: str = "telegram"
    limit: int = 4096

    def _screen(self, message: Any) -> Screen:
        rows = (message.reply_markup or {}).get("inline_keyboard", [])
        return Screen(message.text or message.caption or "",
                      {b["text"]: b["callback_data"] for row in rows for b in row}, message)

    async def join(self, both: Both) -> None:
        (invite,) = await both.tg.say(ADMIN, "/moi TCCB")
        code = invite.text.split("?start=")[1].split()[0]
        await both.tg.say(HEAD, f"/start {code}", name="Trưởng phòng Telegram")

    async def say(self, text: str) -> Screen:
        sent = await self.both.tg.say(HEAD, text)
        return self._screen(sent[-1])

    async def choose(self, screen: Screen, label: str) -> Screen:
        sent = await self.both.tg.press(HEAD, screen.raw, screen.choices[screen.find(label)])
        return self._screen([m for m in sent if m.chat_id == HEAD][-1])

    async def photo(self, content: bytes) -> Screen:
        api = self.both.tg.api
        before = len(api.sent)
        api.user_sends_photo(HEAD, content)
        await api.wait_for_sent(before + 1)
        return self._screen(api.sent[-1])

    def last(self) -> Screen:
        return self._screen(self.both.tg.api.messages_to(HEAD)[-1])

    def received(self) -> list[str]:
        return [m.text or "" for m in self.both.tg.api.messages_to(HEAD)]


@dataclass
class ZaloHead:
    both: Both
    channel: str = "zalo"
    limit: int = 2000
    user: ZaloUser | None = None

    def _screen(self, message: dict[str, Any]) -> Screen:
        text = message["text"]
        choices = {label: number for number, label in REPLY.findall(text)}
        for first, last in RANGE.findall(text):
            items = dict(ITEM.findall(text))
            choices.update({items[str(n)]: str(n) for n in range(int(first), int(last) + 1) if str(n) in items})
        if "Gõ “Hủy”" in text:
            choices["✖️ Hủy"] = "Hủy"  # the way out is a word on a text channel
        return Screen(text, choices, message)

    async def join(self, both: Both) -> None:
        (invite,) = await both.tg.say(ADMIN, "/moi TCCB")
        code = re.search(r"mã này: (\S+)", invite.text)
        assert code, invite.text
        self.user = both.zalo.add_user("Trưởng phòng Zalo")
        await both.says(self.user, code.group(1))

    async def say(self, text: str) -> Screen:
        assert self.user is not None
        return self._screen((await self.both.says(self.user, text))[-1])

    async def choose(self, screen: Screen, label: str) -> Screen:
        return await self.say(screen.choices[screen.find(label)])

    async def photo(self, content: bytes) -> Screen:
        assert self.user is not None
        return self._screen((await self.both.photo(self.user, content))[-1])

    def last(self) -> Screen:
        assert self.user is not None
        return self._screen(self.both.zalo.messages_to(self.user)[-1])

    def received(self) -> list[str]:
        assert self.user is not None
        return [m["text"] for m in self.both.zalo.messages_to(self.user)]


@pytest.fixture
def tasks() -> str:
    """Which plan: "one" task (the mini plan) or "three" (lists that need a second page)."""
    return "one"


@pytest.fixture(params=["telegram", "zalo"])
async def head(request: pytest.FixtureRequest, tmp_path: Path, tasks: str) -> AsyncIterator[Head]:
    plan = MINI_PLAN
    if tasks == "three":
        plan = tmp_path / "mini-more.yaml"
        plan.write_text(MINI_PLAN.read_text(encoding="utf-8") + MORE_TASKS, encoding="utf-8")
    async with running_both(tmp_path, plan) as both:
        person: Head = TelegramHead(both) if request.param == "telegram" else ZaloHead(both)
        await person.join(both)
        await both.tg.sweep_at(at("25/10/2019", 9))  # the office hears who joined
        yield person


def _both(head: Head) -> Both:
    return head.both  # type: ignore[attr-defined, no-any-return]


async def _card(head: Head) -> Screen:
    await _both(head).tg.sweep_at(at("30/10/2019"))
    card = head.last()
    assert "Phòng Tổ chức cán bộ" in card.text and "19/11/2019" in card.text, card.text
    assert len(card.text) <= head.limit and len(card.choices) <= 12
    return card


def _statuses(head: Head) -> dict[str, str]:
    with Session(_both(head).tg.engine) as s:
        return {o.key: o.status for o in s.scalars(select(OccurrenceRow).where(OccurrenceRow.unit == "TCCB"))}


@pytest.mark.parametrize("tasks", ["three"])
async def test_invite_card_list_paging_and_task_card(head: Head) -> None:
    assert any("Trưởng phòng" in text for text in head.received())
    await _card(head)
    listing = await head.say("/viec")
    assert "Phòng Tổ chức cán bộ" in listing.text and len(listing.text) <= head.limit
    everything = await head.choose(listing, "Tất cả")  # this year's by default; every year under "Tất cả"
    second = await head.choose(everything, "▶")
    assert second.text != listing.text and "1." in second.text
    first = await head.choose(second, "◀")
    task = await head.choose(first, "1.1 ")  # the first 1.1 (the button also names its deadline: 1.1 · dd/mm)
    assert "1.1" in task.text and "Ban hành kế hoạch CCHC" in task.text
    assert any("Hoàn thành" in label for label in task.choices), task.choices


async def test_evidence_done_and_the_office_accepts(head: Head) -> None:
    card = await _card(head)
    prompt = await head.choose(card, "Gửi tài liệu")
    assert "Gửi tài liệu kiểm chứng cho 1.1" in prompt.text
    saved = await head.photo(b"\xff\xd8\xff\xe0 bien ban " * 40)
    assert "Đã lưu tài liệu kiểm chứng (1)" in saved.text, saved.text
    finished = await head.choose(saved, "Đã gửi đủ tài liệu")
    submitted = await head.choose(finished, "Hoàn thành")
    assert "Đã gửi Văn phòng Sở xác nhận: 1.1" in submitted.text, submitted.text
    assert "awaiting_review" in _statuses(head).values()
    with Session(_both(head).tg.engine) as s:
        assert s.scalars(select(EvidenceRow.kind)).all() == ["photo"]

    tg = _both(head).tg
    notices = [m for m in await tg.sweep_at(at("30/10/2019", 8, 5)) if m.chat_id == ADMIN]
    (ask,) = [m for m in notices if "Đề nghị xác nhận" in (m.text or "")]
    accept = next(b["callback_data"] for row in ask.reply_markup["inline_keyboard"] for b in row
                  if b["callback_data"].startswith("rvok:"))
    await tg.press(ADMIN, ask, accept)
    await tg.sweep_at(at("30/10/2019", 8, 10))
    assert "done" in _statuses(head).values()
    assert any("1.1" in text and "xác nhận" in text.lower() for text in head.received()[-2:]), head.received()[-2:]


async def test_a_difficulty_with_the_offices_direction_and_a_cancelled_prompt(head: Head) -> None:
    card = await _card(head)
    prompt = await head.choose(card, "Báo vướng mắc")
    cancelled = await head.choose(prompt, "Hủy")
    assert "Đã hủy" in cancelled.text, cancelled.text
    after = await head.say("thôi, không báo nữa")
    assert "chưa hiểu" in after.text
    with Session(_both(head).tg.engine) as s:
        assert s.scalars(select(BlockerRow)).all() == []

    await head.choose(card, "Báo vướng mắc")  # the card's choices still stand: the prompts offered none
    sent = await head.say("Thiếu kinh phí in tài liệu")
    assert "Đã gửi vướng mắc" in sent.text, sent.text

    tg = _both(head).tg
    (notice,) = [m for m in await tg.sweep_at(at("30/10/2019", 8, 5)) if m.chat_id == ADMIN]
    direction = next(b["callback_data"] for row in notice.reply_markup["inline_keyboard"] for b in row
                     if b["callback_data"].startswith("bkr:"))
    await tg.press(ADMIN, notice, direction)
    await tg.say(ADMIN, "Dùng kinh phí chi thường xuyên")
    await tg.sweep_at(at("30/10/2019", 8, 10))
    assert any("Dùng kinh phí chi thường xuyên" in text for text in head.received()[-2:]), head.received()[-2:]


async def test_done_from_an_older_message_acts_on_that_messages_task_only(head: Head) -> None:
    card = await _card(head)
    await head.say("/tiendo")  # another message after the card, without numbers
    answer = await head.choose(card, "Hoàn thành")
    if head.channel == "zalo":  # a text channel: the number is not from the last menu, so it asks first
        assert any("Xác nhận" in label for label in answer.choices) and "Hoàn thành" in answer.text, answer.text
        assert "awaiting_review" not in _statuses(head).values()
        answer = await head.choose(answer, "Xác nhận")
    assert "Đã gửi Văn phòng Sở xác nhận: 1.1" in answer.text, answer.text
    assert list(_statuses(head).values()).count("awaiting_review") == 1
