"""Telegram and Zalo in one bot: the office invites on Telegram, a head joins and works on Zalo.

The real Applications and dispatcher run against the fake Bot API and the fake Zalo Bot API on 127.0.0.1;
the head's PDF goes through the personal page over HTTP.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.app import ChannelTable, ZaloSetup, build_channels
from bot.db.addresses import ZALO_BASE, channel_of
from bot.db.models import AuditRow, ChatAddressRow, EvidenceRow, MemberRow, OccurrenceRow
from bot.domain.clock import FixedClock, SystemClock
from bot.engine.dispatcher import Dispatcher, DispatchSettings
from bot.engine.ratelimit import NoLimit, RateLimiter
from bot.sandbox.fake_zalo import FakeZaloApi, ZaloUser
from bot.telegram.channel import TelegramChannel
from bot.web.app import PersonalPage, WebServices
from bot.web.links import form_token
from bot.web.personal import LinkMaker
from bot.zalo.runtime import ZaloRuntime
from tests.conftest import MINI_PLAN
from tests.e2e.harness import ADMIN, Harness, at, start_harness, stop_harness
from tests.integration.test_web_page import socket_port

SECRET = b"e2e-web-secret-0123456789"


@dataclass
class Both:
    tg: Harness
    zalo: FakeZaloApi
    runtime: ZaloRuntime
    page: WebServices

    async def says(self, user: ZaloUser, text: str, expect: int = 1) -> list[dict]:
        before = len(self.zalo.messages_to(user))
        await self.zalo.user_says(user, text)
        return (await self.zalo.wait_for_messages(user, before + expect))[before:]

    async def photo(self, user: ZaloUser, content: bytes, expect: int = 1) -> list[dict]:
        before = len(self.zalo.messages_to(user))
        await self.zalo.user_sends_photo(user, content)
        return (await self.zalo.wait_for_messages(user, before + expect))[before:]


@asynccontextmanager
async def running_both(tmp_path: Path, plan: Path = MINI_PLAN) -> AsyncIterator[Both]:
    """Telegram (the harness) and Zalo (the fake Zalo API) in one bot, with the personal page."""
    tg = await start_harness(tmp_path, plan, at("25/10/2019"))
    services = tg.app.bot_data["services"] = replace(tg.app.bot_data["services"], zalo=True)
    with socket_port() as port:
        base = f"http://127.0.0.1:{port}"
    links = LinkMaker(tg.engine, SECRET, base, tg.clock)
    services = tg.app.bot_data["services"] = replace(services, links=links)
    zalo = FakeZaloApi()
    await zalo.start()
    runtime = build_channels(services, zalo=ZaloSetup(zalo.token, zalo.base_url,
                                                      RateLimiter(per_second=50, private_interval=0.0),
                                                      poll_timeout=1, file_hosts=("127.0.0.1",))).zalo
    await runtime.start()
    outbound = ChannelTable({"telegram": TelegramChannel(tg.app.bot), "zalo": runtime.channel})
    tg.dispatcher = Dispatcher(tg.engine, outbound, tg.clock, NoLimit(), DispatchSettings(concurrency=2), links=links)
    page = WebServices(tg.engine, tg.clock, services.zone, services.evidence_dir, SECRET, base)
    runner = web.AppRunner(PersonalPage(page).app())
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield Both(tg, zalo, runtime, page)
    finally:
        await runner.cleanup()
        await runtime.stop()
        await zalo.stop()
        await stop_harness(tg)


@pytest.fixture
async def both(tmp_path: Path) -> AsyncIterator[Both]:
    async with running_both(tmp_path) as running:
        yield running


def reply_for(text: str, label: str) -> str:
    """The number the message offers for an action whose label contains `label`."""
    found = re.search(r"Trả lời (\d+): [^\n]*" + re.escape(label), text)
    assert found, f"no reply for {label!r} in:\n{text}"
    return found.group(1)


async def test_admin_invites_on_telegram_head_joins_and_works_on_zalo(both: Both) -> None:
    tg, zalo = both.tg, both.zalo
    (invite,) = await tg.say(ADMIN, "/moi TCCB")
    code = re.search(r"Trên Zalo: gửi cho bot nhacviec mã này: (\S+)", invite.text)
    assert code, invite.text
    head = zalo.add_user("Nguyễn Thị Zalo")

    (welcome,) = await both.says(head, code.group(1))  # the code alone, as a Zalo user would paste it
    assert "Nguyễn Thị Zalo" in welcome["text"] and "với tư cách Trưởng phòng Tổ chức cán bộ" in welcome["text"]
    with Session(tg.engine) as s:
        member = s.scalars(select(MemberRow).where(MemberRow.unit == "TCCB")).one()
        address = s.get(ChatAddressRow, member.chat_id)
        assert channel_of(member.chat_id) == "zalo" and member.chat_id >= ZALO_BASE
        assert address is not None and address.address == head.id
    told = await tg.sweep_at(at("25/10/2019", 9))
    assert any(m.chat_id == ADMIN and "Nguyễn Thị Zalo" in m.text for m in told)

    await tg.sweep_at(at("30/10/2019"))
    (card,) = zalo.messages_to(head)[1:]
    assert len(card["text"]) <= 2000 and "19/11/2019" in card["text"] and "Trả lời 1:" in card["text"]
    assert "callback" not in card["text"] and "done:" not in card["text"]  # no raw action data shown
    page_link = re.search(r"🔗 Trang cá nhân \(gửi tài liệu, nhập số liệu\): (\S+)", card["text"])
    assert page_link and page_link.group(1).startswith(both.page.base_url + "/p/"), card["text"]

    (prompt,) = await both.says(head, reply_for(card["text"], "Gửi tài liệu"))
    assert "Gửi tài liệu kiểm chứng cho 1.1" in prompt["text"]
    assert "🔗 Trang cá nhân" in prompt["text"]  # documents cannot come through Zalo: the page takes them
    assert "ảnh, văn bản hoặc đường dẫn" in prompt["text"] and "tệp, ảnh" not in prompt["text"]  # Zalo: photos
    jpeg = b"\xff\xd8\xff\xe0 anh chup bien ban " * 50
    (saved,) = await both.photo(head, jpeg)
    assert "Đã lưu tài liệu kiểm chứng (1)" in saved["text"]
    with Session(tg.engine) as s:
        (photo,) = s.scalars(select(EvidenceRow)).all()
        assert photo.kind == "photo" and photo.sha256 == hashlib.sha256(jpeg).hexdigest()
        assert Path(photo.stored_path or "").read_bytes() == jpeg
        occ = s.scalars(select(OccurrenceRow).where(OccurrenceRow.id == photo.occurrence_id)).one()
        # a readable name for the office (task, unit, when), never "photo_<hash>.jpg"
        assert re.fullmatch(rf"Ảnh 1\.1 {occ.unit} \d\d-\d\d-\d{{4}} \d\d\.\d\d\.\d\d\.jpg", photo.file_name or ""), \
            photo.file_name

    pdf = b"%PDF-1.4 bien ban hop " * 40
    link = page_link.group(1)  # the link the card carried
    async with aiohttp.ClientSession() as http:
        body = aiohttp.FormData()
        body.add_field("form", form_token(SECRET, link.rsplit("/", 1)[1]))
        body.add_field("file", pdf, filename="Biên bản họp.pdf", content_type="application/pdf")
        async with http.post(f"{link}/evidence/{occ.id}", data=body, headers={"Origin": both.page.base_url}) as r:
            assert r.status == 200, await r.text()
    with Session(tg.engine) as s:
        document = s.scalars(select(EvidenceRow).where(EvidenceRow.kind == "document")).one()
        assert document.sha256 == hashlib.sha256(pdf).hexdigest()
        assert Path(document.stored_path or "").read_bytes() == pdf

    (done,) = await both.says(head, reply_for(saved["text"], "Đã gửi đủ tài liệu"), expect=1)
    (submitted,) = await both.says(head, reply_for(done["text"], "Hoàn thành"))
    assert "Đã gửi Văn phòng Sở xác nhận: 1.1" in submitted["text"]
    with Session(tg.engine) as s:
        assert s.get(OccurrenceRow, occ.id).status == "awaiting_review"  # type: ignore[union-attr]
        actions = set(s.scalars(select(AuditRow.action)))
    assert {"invite_accepted", "evidence_added"} <= actions
    for m in zalo.messages_to(head):  # what the head read, for `pytest -s`
        print("---\n" + m["text"])
    to_office = await tg.sweep_at(at("30/10/2019", 8, 5))
    assert any(m.chat_id == ADMIN and "Đề nghị xác nhận" in m.text for m in to_office)

    (page,) = await both.says(head, "/trang")
    asked = re.search(r"Có hiệu lực 30 ngày:\n(\S+)", page["text"])
    assert asked, page["text"]
    async with aiohttp.ClientSession() as http, http.get(asked.group(1)) as r:
        html = await r.text()
    assert r.status == 200 and "Việc của Nguyễn Thị Zalo" in html


async def test_a_number_that_was_not_offered_and_a_stranger_on_zalo_get_vietnamese_answers(both: Both) -> None:
    stranger = both.zalo.add_user("Người lạ")
    (hint,) = await both.says(stranger, "/viec")
    assert "chưa được đăng ký" in hint["text"]
    (again,) = await both.says(stranger, "7")
    assert "chưa được đăng ký" in again["text"]


async def join_on_zalo(both: Both, name: str) -> ZaloUser:
    (invite,) = await both.tg.say(ADMIN, "/moi TCCB")
    code = re.search(r"mã này: (\S+)", invite.text)
    assert code, invite.text
    head = both.zalo.add_user(name)
    await both.says(head, f"/start {code.group(1)}")
    await both.tg.sweep_at(at("25/10/2019", 9))  # the office hears who joined
    return head


async def test_zalo_flood_control_is_retried_and_a_blocked_chat_is_reported_to_the_office(both: Both) -> None:
    tg, zalo = both.tg, both.zalo
    head = await join_on_zalo(both, "Lê Zalo")
    real = FixedClock(SystemClock().now())  # back-off runs on real time: this test moves it by hand
    tg.dispatcher.timer = real
    zalo.fail_next("sendMessage", 429, "Too Many Requests")
    await tg.sweep_at(at("30/10/2019"))
    assert zalo.messages_to(head)[1:] == []  # refused by flood control: back in the queue
    await tg.sweep_at(at("30/10/2019", 8, 1))
    assert zalo.messages_to(head)[1:] == []  # not before Zalo's pause (5 real seconds) is over
    real.advance(timedelta(seconds=6))
    await tg.sweep_at(at("30/10/2019", 8, 2))
    (card,) = zalo.messages_to(head)[1:]
    assert "Nhắc việc" in card["text"]

    zalo.fail_next("sendMessage", 403, "Forbidden: the user blocked the bot")
    await tg.sweep_at(at("08/11/2019"))  # the next rung of the ladder: Zalo says the chat is gone
    told = [m for m in await tg.sweep_at(at("08/11/2019", 8, 1)) if m.chat_id == ADMIN]
    assert any("Không gửi được tin nhắn cho Lê Zalo" in m.text for m in told), [m.text for m in told]
    with Session(tg.engine) as s:
        member = s.scalars(select(MemberRow).where(MemberRow.unit == "TCCB")).one()
        assert not member.reachable
    await both.says(head, "/viec")  # writing to the bot again makes the chat reachable again
    with Session(tg.engine) as s:
        assert s.scalars(select(MemberRow.reachable).where(MemberRow.unit == "TCCB")).one()
