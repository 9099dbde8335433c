"""The sandbox's Telegram | Zalo switch, driven through the page's JSON API with the real bot behind it.

A persona switched to Zalo gets its next reminder from the fake Zalo Bot API as plain text with numbered
replies, acts by replying a number, sends its evidence as a photo (a document is refused with a hint), and
goes back to Telegram. Waits are for HTTP round trips (the Zalo Application's long polling of the fake),
never for the scheduler: the test moves the clock with `POST /api/clock/next`.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

import aiohttp
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.addresses import ZALO_BASE, channel_of
from bot.db.models import AuditRow, ChatAddressRow, EvidenceRow, MemberRow
from bot.sandbox.fake_zalo import ZaloUser
from bot.sandbox.personas import ADMIN_ID, NEWCOMER_ID
from tests.e2e.test_sandbox_api import THPTCHUYEN, Page, page  # noqa: F401  # the fixture
from tests.e2e.test_zalo_and_telegram import reply_for

JPEG = b"\xff\xd8\xff\xe0 anh chup bien ban hop " * 40


async def zalo_user(page: Page, persona: int) -> ZaloUser:
    return page.sandbox.stack.zalo_users[persona]


async def zalo_says(page: Page, persona: int, text: str, expect: int = 1) -> list[dict[str, Any]]:
    """Type on the persona's Zalo chat through the page; the bot's answers as the page shows them."""
    zalo = page.sandbox.stack.zalo
    user = await zalo_user(page, persona)
    before = len(zalo.messages_to(user))
    await page.post(f"/api/chat/{persona}/send", json={"text": text})
    await zalo.wait_for_messages(user, before + expect)
    return [m for m in await page.chat(persona) if m.get("from") == "bot"][-expect:]


async def test_a_head_switched_to_zalo_gets_the_next_reminder_as_numbered_text_and_acts_by_number(
        page: Page) -> None:
    personas = {p["id"]: p for p in (await page.get("/api/personas"))["personas"]}
    assert personas[THPTCHUYEN]["channel"] == "telegram"
    switched = await page.post(f"/api/chat/{THPTCHUYEN}/channel", json={"channel": "zalo"})
    key = switched["chat_id"]
    assert switched["channel"] == "zalo" and channel_of(key) == "zalo" and key >= ZALO_BASE
    with Session(page.sandbox.engine) as session:
        (member,) = session.scalars(select(MemberRow).where(MemberRow.unit == "THPTCHUYEN")).all()
        assert (member.chat_id, member.user_id) == (key, THPTCHUYEN)
        address = session.get(ChatAddressRow, key)
        assert address is not None and address.user_id == THPTCHUYEN
        assert address.address == (await zalo_user(page, THPTCHUYEN)).id
        (entry,) = session.scalars(select(AuditRow).where(AuditRow.action == "channel_switched")).all()
        assert entry.subject == f"persona:{THPTCHUYEN}" and entry.details["channel"] == "zalo"
        assert entry.details["before"] == [THPTCHUYEN]
    body = await page.get(f"/api/chat/{THPTCHUYEN}")
    assert (body["channel"], body["messages"]) == ("zalo", [])

    await page.post("/api/clock/next")  # 08:00 Thursday 14/11: the reminder, on Zalo
    api, zalo, user = page.sandbox.stack.api, page.sandbox.stack.zalo, await zalo_user(page, THPTCHUYEN)
    assert api.messages_to(THPTCHUYEN) == []  # nothing went to the persona's Telegram chat
    (reminder,) = [m for m in await page.chat(THPTCHUYEN) if "Nhắc việc" in m["text"]]
    assert reminder["channel"] == "zalo" and reminder["buttons"] == [] and reminder["from"] == "bot"
    assert "Trường THPT chuyên" in reminder["text"] and reminder["at"] == "08:00 14/11/2019"
    assert "Trả lời 1:" in reminder["text"] and "cl:o:" not in reminder["text"]  # no raw action data
    assert reminder["text"] in [m["text"] for m in zalo.messages_to(user)]
    # The personal page runs in the sandbox too: the Zalo card carries the persona's own link.
    link = re.search(r"🔗 Trang cá nhân \(gửi tài liệu, nhập số liệu\): (http://127\.0\.0\.1:\d+/p/\S+)",
                     reminder["text"])
    assert link, reminder["text"]
    async with page.http.get(link.group(1)) as response:
        assert response.status == 200 and "1.1" in await response.text()
    refused = await page.post(f"/api/chat/{THPTCHUYEN}/press", 400, json={"message_id": reminder["id"], "data": "x"})
    assert "trả lời bằng số" in refused["error"]

    # The numbers act as the buttons: the card's action is 📎 for a task that needs evidence (never a ✅
    # that would be refused), and it names the deadline.
    assert reply_for(reminder["text"], "📎 Gửi tài liệu kiểm chứng: 1.1 · ") and "✅" not in reminder["text"]
    (checklist,) = await zalo_says(page, THPTCHUYEN, reply_for(reminder["text"], "Danh sách việc"))
    assert "chưa xong" in checklist["text"]
    assert re.search(r"Trả lời 1–\d+ để mở việc có số đó ở trên", checklist["text"])
    number = re.search(r"^(\d+)\. \S+ 1\.1 ", checklist["text"], re.MULTILINE)  # the list's own number
    assert number, checklist["text"]
    (card,) = await zalo_says(page, THPTCHUYEN, number.group(1))
    assert "Trạng thái" in card["text"]
    (prompt,) = await zalo_says(page, THPTCHUYEN, reply_for(card["text"], "Gửi tài liệu"))
    assert "Gửi tài liệu kiểm chứng cho 1.1" in prompt["text"]

    # A document cannot go by Zalo: the page says where to send it; a photo is evidence.
    form = aiohttp.FormData()
    form.add_field("file", b"%PDF-1.4 bao cao", filename="bao-cao.pdf", content_type="application/pdf")
    refused = await page.post(f"/api/chat/{THPTCHUYEN}/upload", 400, data=form)
    assert "Zalo chỉ chuyển ảnh" in refused["error"] and "trang cá nhân" in refused["error"]
    assert [m["kind"] for m in await page.chat(THPTCHUYEN)][-1] == "alert"
    before = len(zalo.messages_to(user))
    form = aiohttp.FormData()
    form.add_field("file", JPEG, filename="bien-ban.jpg", content_type="image/jpeg")
    await page.post(f"/api/chat/{THPTCHUYEN}/upload", data=form)
    await zalo.wait_for_messages(user, before + 1)
    chat = await page.chat(THPTCHUYEN)
    (sent,) = [m for m in chat if m.get("from") == "user" and m["photo"]]
    async with page.http.get(page.sandbox.url + sent["photo"]["url"]) as response:
        assert response.content_type == "image/jpeg" and await response.read() == JPEG
    saved = chat[-1]
    assert "Đã lưu tài liệu kiểm chứng (1)" in saved["text"]
    with Session(page.sandbox.engine) as session:
        (evidence,) = session.scalars(select(EvidenceRow)).all()
        assert evidence.kind == "photo" and evidence.sha256 == hashlib.sha256(JPEG).hexdigest()
    (done,) = await zalo_says(page, THPTCHUYEN, reply_for(saved["text"], "Đã gửi đủ tài liệu"))
    (submitted,) = await zalo_says(page, THPTCHUYEN, reply_for(done["text"], "Hoàn thành"))
    assert "gửi Văn phòng Sở xác nhận" in submitted["text"]
    await page.sandbox.sweep()
    assert any("Đề nghị xác nhận" in m["text"] for m in await page.bot_messages(ADMIN_ID))  # the office, on Telegram

    # Back to Telegram: the member's chat is the persona's own again; its Telegram chat is what the page shows.
    back = await page.post(f"/api/chat/{THPTCHUYEN}/channel", json={"channel": "telegram"})
    assert back["chat_id"] == THPTCHUYEN
    with Session(page.sandbox.engine) as session:
        member = session.scalars(select(MemberRow).where(MemberRow.unit == "THPTCHUYEN")).one()
        assert (member.chat_id, member.user_id) == (THPTCHUYEN, THPTCHUYEN)
    body = await page.get(f"/api/chat/{THPTCHUYEN}")
    assert body["channel"] == "telegram" and body["messages"] == []
    assert "/viec" in (await page.say(THPTCHUYEN, "/help"))["text"]


async def test_a_newcomer_joins_on_zalo_and_a_reset_brings_everyone_back_to_telegram(page: Page) -> None:
    await page.post(f"/api/chat/{NEWCOMER_ID}/channel", json={"channel": "zalo"})
    link = await page.say(ADMIN_ID, "/moi TCCB")
    code = link["text"].split("?start=")[1].split()[0]
    (welcome,) = await zalo_says(page, NEWCOMER_ID, f"/start {code}")
    assert "Nguyễn Thị Mai" in welcome["text"]
    assert "nhận nhắc việc với tư cách Trưởng phòng Tổ chức cán bộ" in welcome["text"]
    body = await page.get(f"/api/chat/{NEWCOMER_ID}")
    assert {"role": "head", "unit": "TCCB"} in body["roles"]

    await page.post(f"/api/chat/{NEWCOMER_ID}/channel", json={"channel": "telegram"})
    with Session(page.sandbox.engine) as session:
        joined = session.scalars(select(MemberRow).where(MemberRow.name == "Nguyễn Thị Mai")).one()
        assert (joined.chat_id, joined.user_id) == (NEWCOMER_ID, NEWCOMER_ID)
    assert "/viec" in (await page.say(NEWCOMER_ID, "/help"))["text"]  # known on Telegram too

    await page.post(f"/api/chat/{THPTCHUYEN}/channel", json={"channel": "zalo"})
    await page.post("/api/reset")
    personas = (await page.get("/api/personas"))["personas"]
    assert {p["channel"] for p in personas} == {"telegram"}
    with Session(page.sandbox.engine) as session:
        assert session.scalars(select(ChatAddressRow)).all() == []
        assert all(channel_of(m.chat_id) == "telegram" for m in session.scalars(select(MemberRow)))
