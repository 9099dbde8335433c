"""The Zalo transport against the fake Zalo Bot API on 127.0.0.1: sends, errors, events, webhook, photos."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable

import aiohttp
import pytest
from aiohttp import web

from bot.engine.channel import Button, Failure, OutMessage, SendError
from bot.engine.ratelimit import RateLimiter
from bot.i18n import language
from bot.sandbox.fake_zalo import FakeZaloApi
from bot.zalo.api import ZaloApi, ZaloError
from bot.zalo.channel import MemoryMenus, ZaloChannel
from bot.zalo.files import DEFAULT_FILE_HOSTS, DownloadError, check_url, download
from bot.zalo.updates import SECRET_HEADER, Incoming, parse_event, poll, webhook_app

LOCAL = ("127.0.0.1",)  # the fake Zalo API's file host, listed as the configuration would



async def test_a_card_with_buttons_arrives_as_numbered_text_and_a_reply_maps_to_the_action() -> None:
    async with FakeZaloApi() as zalo, ZaloApi(zalo.token, zalo.base_url) as api:
        head = zalo.add_user("Trưởng phòng TCCB")
        menus = MemoryMenus()
        channel = ZaloChannel(api, menus)
        card = OutMessage(0, "🔔 Phòng TCCB: 3 việc, hạn 19/11/2019",
                          ((Button("📋 Danh sách việc", "cl:o:0"), Button("✅ Hoàn thành 1.1", "done:7")),),
                          address=head.id)
        with language("vi"):
            await channel.send(card)
        (sent,) = zalo.messages_to(head)
        assert sent["text"].startswith("🔔 Phòng TCCB")
        assert "Trả lời 1: 📋 Danh sách việc" in sent["text"]
        assert "Trả lời 2: ✅ Hoàn thành 1.1" in sent["text"]
        assert (menus.lookup(head.id, "2"), menus.lookup(head.id, " 1 "), menus.lookup(head.id, "3")) == \
            ("done:7", "cl:o:0", None)


async def test_a_long_text_goes_as_pieces_of_at_most_2000_characters_the_last_with_the_menu() -> None:
    async with FakeZaloApi() as zalo, ZaloApi(zalo.token, zalo.base_url) as api:
        head = zalo.add_user("A")
        blocks = "\n\n".join(f"• 4.{i} Một việc có tên khá dài để lấp đầy tin nhắn số {i}" for i in range(200))
        await ZaloChannel(api, MemoryMenus()).send(
            OutMessage(0, blocks, ((Button("📋 Danh sách", "cl:o:0"),),), address=head.id))
        sent = zalo.messages_to(head)
        assert len(sent) > 1 and all(len(m["text"]) <= 2000 for m in sent)
        assert sent[-1]["text"].rstrip().endswith("📋 Danh sách")
        assert all("📋" not in m["text"] for m in sent[:-1])
        joined = "\n".join(m["text"] for m in sent)
        assert all(f"tin nhắn số {i}" in joined for i in range(200))  # nothing cut away


async def test_a_long_list_is_cut_only_between_items_and_every_piece_names_what_it_continues() -> None:
    async with FakeZaloApi() as zalo, ZaloApi(zalo.token, zalo.base_url) as api:
        head = zalo.add_user("A")
        lines = [f"• 4.{i} Một việc có tên khá dài để lấp đầy tin nhắn số {i}\n   Đơn vị: Phòng {i}, hạn 19/11/2019"
                 for i in range(120)]
        text = "⏰ Việc quá hạn (120)\n" + "\n".join(lines)
        await ZaloChannel(api, MemoryMenus()).send(OutMessage(0, text, (), address=head.id))
        sent = [m["text"] for m in zalo.messages_to(head)]
        assert len(sent) > 1 and all(len(m) <= 2000 for m in sent)
        assert sent[0].startswith("⏰ Việc quá hạn (120)")
        for piece in sent[1:]:
            header, first, *_rest = piece.split("\n")
            assert header == "⏰ Việc quá hạn (120) (tiếp theo)" and first.startswith("• 4."), piece[:200]
        for line in lines:  # every item whole, in one piece
            assert sum(line in piece for piece in sent) == 1


@pytest.mark.parametrize(("code", "failure"), [
    (429, Failure.RETRY_AFTER), (500, Failure.RETRY), (502, Failure.RETRY), (403, Failure.UNREACHABLE),
    (400, Failure.PERMANENT),
])
async def test_zalo_errors_map_to_the_outbox_policy(code: int, failure: Failure) -> None:
    async with FakeZaloApi() as zalo, ZaloApi(zalo.token, zalo.base_url) as api:
        head = zalo.add_user("A")
        zalo.fail_next("sendMessage", code)
        with pytest.raises(SendError) as caught:
            await ZaloChannel(api, MemoryMenus()).send(OutMessage(0, "x", address=head.id))
        assert caught.value.failure is failure


async def test_a_blocked_user_and_an_unknown_chat_are_unreachable() -> None:
    async with FakeZaloApi() as zalo, ZaloApi(zalo.token, zalo.base_url) as api:
        head = zalo.add_user("A")
        head.blocked = True
        channel = ZaloChannel(api, MemoryMenus())
        for address in (head.id, "ffff0000"):
            with pytest.raises(SendError) as caught:
                await channel.send(OutMessage(0, "x", address=address))
            assert caught.value.failure is Failure.UNREACHABLE


async def test_a_read_timeout_is_uncertain_and_a_refused_connection_is_retried(free_port: Callable[[], int]) -> None:
    async with FakeZaloApi() as zalo:
        head = zalo.add_user("A")
        zalo.fail_next("sendMessage", 500, delay=2.0)
        async with ZaloApi(zalo.token, zalo.base_url, timeout=0.3) as api:
            with pytest.raises(SendError) as caught:
                await ZaloChannel(api, MemoryMenus()).send(OutMessage(0, "x", address=head.id))
            assert caught.value.failure is Failure.UNCERTAIN
    async with ZaloApi("1:abc", f"http://127.0.0.1:{free_port()}") as api:
        with pytest.raises(SendError) as caught:
            await ZaloChannel(api, MemoryMenus()).send(OutMessage(0, "x", address="ab"))
        assert caught.value.failure is Failure.RETRY


async def test_errors_never_carry_the_token() -> None:
    async with FakeZaloApi() as zalo, ZaloApi(zalo.token + "x", zalo.base_url) as api:
        with pytest.raises(ZaloError) as caught:
            await api.call("getMe")
        assert caught.value.code == 401
        assert zalo.token not in str(caught.value)


async def test_the_rate_limit_keeps_a_burst_under_the_servers_limit() -> None:
    async with FakeZaloApi() as zalo, ZaloApi(zalo.token, zalo.base_url) as api:
        zalo.state.per_second = 5
        users = [zalo.add_user(f"U{i}") for i in range(8)]
        channel = ZaloChannel(api, MemoryMenus(), RateLimiter(per_second=4, private_interval=1.0))
        await asyncio.gather(*(channel.send(OutMessage(0, "x", address=u.id)) for u in users))
        assert len(zalo.state.sent) == 8  # no 429: every send went through


async def test_long_polling_delivers_text_and_photo_events() -> None:
    async with FakeZaloApi() as zalo, ZaloApi(zalo.token, zalo.base_url) as api:
        head = zalo.add_user("Trưởng phòng")
        got: list[Incoming] = []
        stop = asyncio.Event()

        async def handle(incoming: Incoming) -> None:
            got.append(incoming)
            if len(got) == 2:
                stop.set()

        task = asyncio.create_task(poll(api, handle, stop, timeout=1))
        await zalo.user_says(head, "/start ABC123")
        await zalo.user_sends_photo(head, b"\xff\xd8photo-bytes", caption="Biên bản")
        await asyncio.wait_for(task, 10)
        assert [(g.event, g.chat_id, g.text, g.caption) for g in got] == [
            ("message.text.received", head.id, "/start ABC123", ""),
            ("message.image.received", head.id, "", "Biên bản")]
        async with aiohttp.ClientSession() as session:
            photo = await download(session, got[1].photo_url, hosts=LOCAL)
        assert photo.sha256 == hashlib.sha256(b"\xff\xd8photo-bytes").hexdigest()


async def test_a_photo_over_the_limit_or_empty_is_refused_whatever_the_server_says() -> None:
    async with FakeZaloApi() as zalo:
        head = zalo.add_user("A")
        big = await zalo.user_sends_photo(head, b"x" * 5000)
        empty = await zalo.user_sends_photo(head, b"")
        async with aiohttp.ClientSession() as session:
            with pytest.raises(DownloadError) as caught:
                await download(session, big["message"]["photo"], limit=4096, hosts=LOCAL)
            assert caught.value.reason == "too_big"
            with pytest.raises(DownloadError) as caught:
                await download(session, empty["message"]["photo"], hosts=LOCAL)
            assert caught.value.reason in ("empty", "failed")
            with pytest.raises(DownloadError):
                await download(session, "file:///etc/passwd")


async def test_the_webhook_refuses_a_forged_post_and_takes_zalos(free_port: Callable[[], int]) -> None:
    got: list[Incoming] = []

    async def handle(incoming: Incoming) -> None:
        got.append(incoming)

    port = free_port()
    runner = web.AppRunner(webhook_app("s3cret-token", handle, "/zalo"))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        async with FakeZaloApi() as zalo, ZaloApi(zalo.token, zalo.base_url) as api:
            head = zalo.add_user("A")
            await api.call("setWebhook", url=f"http://127.0.0.1:{port}/zalo", secret_token="s3cret-token")
            event = {"ok": True, "result": {"event_name": "message.text.received", "message": {
                "from": {"id": head.id, "display_name": "X", "is_bot": False},
                "chat": {"id": head.id, "chat_type": "PRIVATE"}, "text": "/moi VP", "message_id": "1", "date": 1}}}
            async with aiohttp.ClientSession() as session:
                for headers in ({}, {SECRET_HEADER: "wrong-token"}):
                    async with session.post(f"http://127.0.0.1:{port}/zalo", json=event, headers=headers) as r:
                        assert r.status == 403
            await zalo.user_says(head, "1")
            for _ in range(50):
                if got:
                    break
                await asyncio.sleep(0.02)
            assert [(g.chat_id, g.text) for g in got] == [(head.id, "1")]
            with pytest.raises(ZaloError):
                await api.call("getUpdates", timeout="1")  # not while a webhook is set
    finally:
        await runner.cleanup()


def test_events_from_bots_or_without_ids_are_ignored() -> None:
    assert parse_event({"event_name": "message.text.received",
                        "message": {"from": {"id": "a", "is_bot": True}, "chat": {"id": "a"}}}) is None
    assert parse_event({"ok": True, "result": {"event_name": "message.text.received", "message": {}}}) is None
    assert parse_event("junk") is None
    unsupported = parse_event({"event_name": "message.unsupported.received",
                               "message": {"from": {"id": "a"}, "chat": {"id": "a"}}})
    assert unsupported is not None and unsupported.unsupported


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/photo.jpg", "https://zdn.vn.evil.example/a.jpg",
                                 "https://user:pw@f21-zpc.zdn.vn/a.jpg", "ftp://f21-zpc.zdn.vn/a.jpg",
                                 "https://10.0.0.5/a.jpg", "https://evilzdn.vn/a.jpg"])
async def test_photo_urls_outside_zalos_file_hosts_are_refused_before_any_request(url: str) -> None:
    with pytest.raises(DownloadError) as refused:
        await check_url(url, DEFAULT_FILE_HOSTS)
    assert refused.value.reason == "bad_url"


async def test_a_listed_test_host_is_trusted_by_exact_name_only() -> None:
    await check_url("http://127.0.0.1:9/p.jpg", ("127.0.0.1",))  # no exception: named in the configuration
    with pytest.raises(DownloadError):
        await check_url("http://localhost:9/p.jpg", ("127.0.0.1",))
