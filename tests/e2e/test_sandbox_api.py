"""The sandbox's JSON API over HTTP, with the real bot behind it and a clock the test moves.

The sandbox runs in the test's event loop with no job-queue sweeps: the test moves the FixedClock and
calls one dispatcher tick (`POST /api/clock/next` or `sandbox.sweep()`); waits are for HTTP round trips.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Config, DispatchConfig, SandboxConfig
from bot.db.models import EvidenceRow, MemberRow
from bot.domain.clock import FixedClock
from bot.engine.ratelimit import NoLimit
from bot.sandbox.personas import ADMIN_ID, FIRST_HEAD_ID, LEADER_ID, NEWCOMER_ID
from bot.sandbox.server import Sandbox
from tests.conftest import BUNDLED_PLAN

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
START = datetime(2019, 11, 13, 10, 0, tzinfo=ZONE)
TCCB = FIRST_HEAD_ID + 1
THPTCHUYEN = FIRST_HEAD_ID + 9  # eight tasks on 14/11: one reminder message, with buttons


def sandbox_config(tmp: Path) -> Config:
    return Config(plan=str(BUNDLED_PLAN), sandbox=SandboxConfig(port=0, database=f"sqlite:///{tmp / 'sandbox.db'}",
                                                                 evidence_dir=str(tmp / "evidence")),
                  dispatch=DispatchConfig(interval_seconds=1))


@dataclass
class Page:
    """What the browser page does, as plain HTTP calls."""

    sandbox: Sandbox
    http: aiohttp.ClientSession

    async def get(self, path: str) -> Any:
        async with self.http.get(self.sandbox.url + path) as response:
            assert response.status == 200, await response.text()
            return await response.json()

    async def post(self, path: str, status: int = 200, **kwargs: Any) -> Any:
        async with self.http.post(self.sandbox.url + path, headers={"X-Sandbox": "1"}, **kwargs) as response:
            assert response.status == status, await response.text()
            return await response.json()

    async def chat(self, persona: int, after: int = 0) -> list[dict[str, Any]]:
        return list((await self.get(f"/api/chat/{persona}?after={after}"))["messages"])

    async def bot_messages(self, persona: int) -> list[dict[str, Any]]:
        return [m for m in await self.chat(persona) if m["from"] == "bot"]

    async def _answered(self, persona: int, before: int, count: int = 1) -> dict[str, Any]:
        """Wait for the bot's answer (an HTTP round trip through PTB, not a scheduler); the last bot message."""
        api = self.sandbox.stack.api
        while len(api.messages_to(persona)) < before + count:
            await api.wait_for_sent(len(api.sent) + 1, timeout=5)
        return (await self.bot_messages(persona))[-1]

    async def say(self, persona: int, text: str) -> dict[str, Any]:
        before = len(self.sandbox.stack.api.messages_to(persona))
        await self.post(f"/api/chat/{persona}/send", json={"text": text})
        return await self._answered(persona, before)

    async def press(self, persona: int, message: dict[str, Any], label: Callable[[str], bool],
                    expect: int = 1) -> dict[str, Any]:
        data = [b["data"] for row in message["buttons"] for b in row if label(b["text"])][0]
        before = len(self.sandbox.stack.api.messages_to(persona))
        await self.post(f"/api/chat/{persona}/press", json={"message_id": message["id"], "data": data})
        return await self._answered(persona, before, expect)

    async def press_edit(self, persona: int, message: dict[str, Any], label: Callable[[str], bool]
                         ) -> dict[str, Any]:
        """Press a navigation button: the bot edits the same message (checklist, task card); returns it."""
        data = [b["data"] for row in message["buttons"] for b in row if label(b["text"])][0]
        api = self.sandbox.stack.api
        edits = len(api.state.edits.get((persona, message["id"]), []))
        await self.post(f"/api/chat/{persona}/press", json={"message_id": message["id"], "data": data})
        for _ in range(100):  # the press's HTTP round trip through PTB, not a scheduler
            if len(api.state.edits.get((persona, message["id"]), [])) > edits:
                break
            await asyncio.sleep(0.05)
        return [m for m in await self.bot_messages(persona) if m["id"] == message["id"]][0]

    async def upload(self, persona: int, name: str, content: bytes, mime: str) -> dict[str, Any]:
        before = len(self.sandbox.stack.api.messages_to(persona))
        form = aiohttp.FormData()
        form.add_field("file", content, filename=name, content_type=mime)
        await self.post(f"/api/chat/{persona}/upload", data=form)
        return await self._answered(persona, before)


@pytest.fixture
async def page(tmp_path: Path) -> AsyncIterator[Page]:
    sandbox = Sandbox(sandbox_config(tmp_path), clock_factory=lambda: FixedClock(START), sweep_interval=None,
                      limiter_factory=NoLimit)
    await sandbox.start()
    try:
        async with aiohttp.ClientSession() as http:
            yield Page(sandbox, http)
    finally:
        await sandbox.stop()


def texts(messages: list[dict[str, Any]]) -> list[str]:
    return [m["text"] for m in messages]


async def join_as_newcomer(page: Page, unit: str) -> dict[str, Any]:
    """The office invites, the newcomer opens the link: what the page's invite button does."""
    link = await page.say(ADMIN_ID, f"/moi {unit}")
    assert f"https://t.me/{page.sandbox.stack.api.username}?start=" in link["text"]
    code = link["text"].split("?start=")[1].split()[0]
    return await page.say(NEWCOMER_ID, f"/start {code}")


async def test_personas_are_the_office_leadership_one_registered_head_per_unit_and_a_newcomer(page: Page) -> None:
    body = await page.get("/api/personas")
    people = {p["id"]: p for p in body["personas"]}
    assert people[ADMIN_ID]["role"] == "admin" and people[ADMIN_ID]["unit"] == "VP"
    assert people[LEADER_ID]["role"] == "leader"
    heads = {p["unit"]: p for p in body["personas"] if p["role"] == "head"}
    assert set(heads) == {"VP", "TCCB", "KHTC", "TTr", "GDMN", "GDTH", "GDTrH", "GDTX", "KTKD", "THPTCHUYEN",
                          "TTGDTX", "TTNNTH"}
    assert heads["TCCB"]["label"] == "Phòng Tổ chức cán bộ (TCCB)"
    assert people[NEWCOMER_ID]["role"] is None
    with Session(page.sandbox.engine) as session:
        members = session.scalars(select(MemberRow)).all()
    assert len(members) == 14 and NEWCOMER_ID not in {m.chat_id for m in members}
    clock = await page.get("/api/clock")
    assert (clock["weekday"], clock["date"], clock["time"]) == ("Thứ Tư", "13/11/2019", "10:00")


async def test_help_typed_by_a_head_shows_both_sides_of_the_chat_in_order(page: Page) -> None:
    await page.say(TCCB, "/help")
    feed = await page.get(f"/api/chat/{TCCB}?after=0")
    first, reply = feed["messages"]
    assert (first["from"], first["text"]) == ("user", "/help")
    assert reply["from"] == "bot" and "/viec" in reply["text"] and reply["seq"] > first["seq"]
    assert reply["at"] == "10:00 13/11/2019"  # stamped with rehearsal time, not the machine's
    assert (await page.get(f"/api/chat/{TCCB}?after={feed['rev']}"))["messages"] == []
    assert await page.chat(ADMIN_ID) == []  # another persona's chat is untouched
    assert feed["activity"][str(TCCB)] == feed["rev"]


async def test_invite_accepted_through_the_page_makes_the_newcomer_a_head_who_gets_the_next_reminder(
        page: Page) -> None:
    welcome = await join_as_newcomer(page, "THPTCHUYEN")
    assert "Nguyễn Thị Mai" in welcome["text"] and "nhận nhắc việc với tư cách Hiệu trưởng" in welcome["text"]
    jump = await page.post("/api/clock/next")
    assert (jump["target"]["date"], jump["target"]["time"]) == ("14/11/2019", "08:00")
    (reminder,) = [m for m in await page.bot_messages(NEWCOMER_ID) if "Nhắc việc" in m["text"]]
    assert "Trường THPT chuyên" in reminder["text"] and reminder["at"] == "08:00 14/11/2019"
    assert [b["data"] for row in reminder["buttons"] for b in row][0] == "cl:o:0:n"  # one card: the checklist first
    told = [m["text"] for m in await page.chat(ADMIN_ID) if m["from"] == "bot"]
    assert any("Nguyễn Thị Mai đã tham gia bot" in t for t in told)


async def test_evidence_upload_confirm_review_and_progress_through_the_api(page: Page) -> None:
    await page.post("/api/clock/next")
    (reminder,) = [m for m in await page.bot_messages(THPTCHUYEN) if "Nhắc việc" in m["text"]]
    # The card carries the checklist and the most urgent action, one that can succeed: 1.1 needs evidence,
    # so 📎 (naming the deadline), never a ✅ that would be refused. 📋 opens the checklist, 1.1 its task card.
    assert [b["text"] for row in reminder["buttons"] for b in row][-1].startswith("📎 Gửi tài liệu kiểm chứng: 1.1 · ")
    checklist = await page.press(THPTCHUYEN, reminder, lambda t: t.startswith("📋"))
    assert checklist["id"] != reminder["id"] and "chưa xong" in checklist["text"]
    card = await page.press_edit(THPTCHUYEN, checklist, lambda t: " 1.1 " in f" {t} ")
    assert card["id"] == checklist["id"] and "1.1" in card["text"]
    prompt = await page.press(THPTCHUYEN, card, lambda t: t.startswith("📎"))
    assert "Gửi tài liệu kiểm chứng cho 1.1" in prompt["text"]

    saved = await page.upload(THPTCHUYEN, "bao-cao-cchc.pdf", "Báo cáo CCHC 2019 — trường chuyên".encode(),
                              "application/pdf")
    assert "Đã lưu tài liệu kiểm chứng (1)" in saved["text"]
    (sent,) = [m for m in await page.chat(THPTCHUYEN) if m["from"] == "user" and m["document"]]
    assert sent["document"]["name"] == "bao-cao-cchc.pdf"
    async with page.http.get(page.sandbox.url + sent["document"]["url"]) as response:
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert (await response.read()).decode() == "Báo cáo CCHC 2019 — trường chuyên"
    with Session(page.sandbox.engine) as session:
        assert len(session.scalars(select(EvidenceRow)).all()) == 1
    assert list(page.sandbox.evidence_dir.rglob("*bao-cao-cchc.pdf"))

    finished = await page.press(THPTCHUYEN, saved, lambda t: "Đã gửi đủ tài liệu" in t)
    submitted = await page.press(THPTCHUYEN, finished, lambda t: "Hoàn thành" in t)
    assert "gửi Văn phòng Sở xác nhận" in submitted["text"]
    await page.sandbox.sweep()
    (review,) = [m for m in await page.bot_messages(ADMIN_ID) if "Đề nghị xác nhận" in m["text"]]
    accepted = await page.press(ADMIN_ID, review, lambda t: "Tiếp nhận" in t)
    assert "Đã tiếp nhận" in accepted["text"]
    progress = await page.say(ADMIN_ID, "/tiendo THPTCHUYEN")
    assert "✅ 1 xong" in progress["text"]


async def test_the_cards_one_action_is_one_that_can_succeed(page: Page) -> None:
    await page.post("/api/clock/next")
    (reminder,) = [m for m in await page.bot_messages(THPTCHUYEN) if "Nhắc việc" in m["text"]]
    # 1.1 needs evidence: the card offers 📎 for it (✅ would be refused), and pressing it asks for the file.
    assert not [b for row in reminder["buttons"] for b in row if b["text"].startswith("✅")]
    prompt = await page.press(THPTCHUYEN, reminder, lambda t: t.startswith("📎"))
    assert "Gửi tài liệu kiểm chứng cho 1.1" in prompt["text"]


async def test_bad_requests_are_refused_in_vietnamese(page: Page) -> None:
    error = await page.post(f"/api/chat/{TCCB}/press", 400, json={"message_id": 77, "data": "done:1"})
    assert "Nút này không còn nữa" in error["error"]
    assert "trống" in (await page.post(f"/api/chat/{TCCB}/send", 400, json={"text": "  "}))["error"]
    async with page.http.post(page.sandbox.url + f"/api/chat/{TCCB}/send", json={"text": "/help"}) as response:
        assert response.status == 403  # no X-Sandbox header: a form on another site cannot post here
    async with page.http.get(page.sandbox.url + "/api/chat/4242") as response:
        assert response.status == 404
    assert await page.chat(TCCB) == []


async def test_next_event_reaches_fridays_digest_with_its_chart_as_a_picture(page: Page) -> None:
    await page.post("/api/clock/next")  # 08:00 Thursday 14/11: reminders
    # 08:00 Friday 15/11: the departments' annual CCHC report to the office is due (5 working days
    # before the office's own deadline to the Sở Nội vụ, issue 12); then the digest at 16:00.
    reminders = await page.post("/api/clock/next")
    assert (reminders["target"]["weekday"], reminders["target"]["time"]) == ("Thứ Sáu", "08:00")
    jump = await page.post("/api/clock/next")
    assert (jump["target"]["weekday"], jump["target"]["time"]) == ("Thứ Sáu", "16:00")
    photos = [m for m in await page.bot_messages(LEADER_ID) if m["photo"]]
    assert photos and "Biểu đồ" in photos[-1]["text"]
    async with page.http.get(page.sandbox.url + photos[-1]["photo"]["url"]) as response:
        assert response.content_type == "image/png" and (await response.read()).startswith(b"\x89PNG")


async def test_reset_empties_the_chats_and_starts_again_with_the_personas(page: Page) -> None:
    await join_as_newcomer(page, "TCCB")
    await page.post("/api/clock/next")
    assert await page.bot_messages(TCCB)
    epoch = (await page.get("/api/personas"))["epoch"]

    body = await page.post("/api/reset")
    assert body["epoch"] == epoch + 1 and (body["clock"]["date"], body["clock"]["time"]) == ("13/11/2019", "10:00")
    for persona in (ADMIN_ID, TCCB, NEWCOMER_ID):
        assert await page.chat(persona) == []
    assert list(page.sandbox.evidence_dir.iterdir()) == []
    stranger = await page.say(NEWCOMER_ID, "/help")
    assert "chưa được đăng ký" in stranger["text"]  # the invite is gone with the old database
    assert "/viec" in (await page.say(TCCB, "/help"))["text"]  # the ready-made heads are back
    with Session(page.sandbox.engine) as session:
        assert len(session.scalars(select(MemberRow)).all()) == 14


async def test_the_page_and_its_scripts_are_served_for_offline_use(page: Page) -> None:
    async with page.http.get(page.sandbox.url + "/") as response:
        html = await response.text()
        assert response.status == 200 and "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert '<html lang="vi">' in html and '<meta charset="utf-8">' in html
    assert "Anh/chị là" in html and "Bạn là" not in html
    assert "http" not in html.replace('name="viewport"', "")  # nothing from a CDN
    for name in ("app.js", "app.css"):
        async with page.http.get(page.sandbox.url + f"/static/{name}") as response:
            assert response.status == 200
    async with page.http.get(page.sandbox.url + "/static/app.js") as response:
        assert "innerHTML" not in await response.text()
