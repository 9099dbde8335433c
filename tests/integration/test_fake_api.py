"""The fake Bot API server, exercised through the real python-telegram-bot HTTP stack."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator

import aiohttp
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import (
    BadRequest,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import ApplicationBuilder, CallbackQueryHandler, CommandHandler, ContextTypes
from telegram.request import HTTPXRequest

from bot.sandbox.fake_api import FakeBotApi

USER = 1001
OTHER_USER = 1002


class FakeClock:
    """A hand-driven time source for the flood limiter."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    """A running fake server, stopped after the test."""
    async with FakeBotApi() as server:
        yield server


def make_bot(api: FakeBotApi, read_timeout: float = 5.0, token: str | None = None) -> Bot:
    """A real PTB Bot (httpx) pointed at the fake server."""
    return Bot(
        token or api.token,
        base_url=api.base_url,
        base_file_url=api.base_file_url,
        request=HTTPXRequest(read_timeout=read_timeout, connect_timeout=2.0),
    )


@pytest.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    """An initialised Bot talking to the api fixture."""
    async with make_bot(api) as client:
        yield client


async def test_send_message_round_trip_keeps_inline_keyboard(api: FakeBotApi, bot: Bot) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Xong", callback_data="done:7")]])
    message = await bot.send_message(USER, "Nhắc việc: báo cáo CCHC", reply_markup=keyboard)

    assert message.message_id == 1
    assert message.chat.id == USER
    assert message.text == "Nhắc việc: báo cáo CCHC"
    assert message.from_user is not None and message.from_user.username == "nhacviec_test_bot"
    assert message.reply_markup == keyboard
    [sent] = api.messages_to(USER)
    assert sent.method == "sendMessage"
    assert sent.text == "Nhắc việc: báo cáo CCHC"
    assert sent.reply_markup == {"inline_keyboard": [[{"text": "Xong", "callback_data": "done:7"}]]}
    assert api.calls[-1][0] == "sendMessage"
    assert api.calls[-1][1]["chat_id"] == USER


async def test_message_ids_increase_per_chat(api: FakeBotApi, bot: Bot) -> None:
    ids = [(await bot.send_message(chat, "x")).message_id for chat in (USER, USER, OTHER_USER, USER)]
    assert ids == [1, 2, 1, 3]


async def test_edit_and_delete(api: FakeBotApi, bot: Bot) -> None:
    message = await bot.send_message(USER, "một")
    edited = await bot.edit_message_text("hai", chat_id=USER, message_id=message.message_id)
    assert isinstance(edited, type(message)) and edited.text == "hai"
    assert [m.method for m in api.messages_to(USER)] == ["sendMessage", "editMessageText"]
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await bot.edit_message_text("hai", chat_id=USER, message_id=message.message_id)
    assert await bot.delete_message(USER, message.message_id) is True
    with pytest.raises(BadRequest, match="(?i)message to delete not found"):
        await bot.delete_message(USER, message.message_id)


async def test_injected_retry_after(api: FakeBotApi, bot: Bot, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    api.inject("retry_after", retry_after=3)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(USER, "x")
    assert caught.value.retry_after == dt.timedelta(seconds=3)
    assert api.count_429 == 1
    assert api.sent == []
    await bot.send_message(USER, "x")  # the fault was used up
    assert len(api.sent) == 1


@pytest.mark.parametrize(
    ("kind", "error", "match"),
    [
        ("forbidden", Forbidden, "(?i)bot was blocked by the user"),
        ("chat_not_found", BadRequest, "(?i)chat not found"),
        ("bad_request", BadRequest, "(?i)can't parse entities"),
        ("server_error", NetworkError, "Bad Gateway"),
        ("reset", NetworkError, "httpx"),
    ],
)
async def test_injected_errors(api: FakeBotApi, bot: Bot, kind: str, error: type[Exception], match: str) -> None:
    api.inject(kind)
    with pytest.raises(error, match=match) as caught:
        await bot.send_message(USER, "x")
    if kind in ("server_error", "reset"):
        assert not isinstance(caught.value, BadRequest)
    assert api.sent == []
    assert (await bot.send_message(USER, "after")).text == "after"


async def test_fault_matches_chat_and_times(api: FakeBotApi, bot: Bot) -> None:
    api.inject("forbidden", chat_id=OTHER_USER, times=2)
    await bot.send_message(USER, "ok")
    for _ in range(2):
        with pytest.raises(Forbidden):
            await bot.send_message(OTHER_USER, "blocked")
    await bot.send_message(OTHER_USER, "ok again")
    assert [m.chat_id for m in api.sent] == [USER, OTHER_USER]


async def test_read_timeout_still_delivers(api: FakeBotApi) -> None:
    api.inject("read_timeout", delay=2.0)
    async with make_bot(api, read_timeout=0.3) as slow_bot:
        with pytest.raises(TimedOut):
            await slow_bot.send_message(USER, "có thể đã gửi")
    assert [m.text for m in api.sent] == ["có thể đã gửi"]


async def test_read_timeout_without_delivery(api: FakeBotApi) -> None:
    api.inject("read_timeout", delay=2.0, deliver=False)
    async with make_bot(api, read_timeout=0.3) as slow_bot:
        with pytest.raises(TimedOut):
            await slow_bot.send_message(USER, "mất")
    assert api.sent == []


async def test_random_faults_are_deterministic() -> None:
    outcomes: list[list[str]] = []
    for _ in range(2):
        async with FakeBotApi() as server, make_bot(server) as client:
            server.random_faults(0.5, ["forbidden", "chat_not_found"], seed=42)
            seen: list[str] = []
            for i in range(12):
                try:
                    await client.send_message(USER, str(i))
                    seen.append("ok")
                except (Forbidden, BadRequest) as exc:
                    seen.append(type(exc).__name__ + str(exc))
            outcomes.append(seen)
    assert outcomes[0] == outcomes[1]
    assert "ok" in outcomes[0] and any(o != "ok" for o in outcomes[0])


async def test_enforced_limits_per_chat_and_window(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    clock = FakeClock()
    async with FakeBotApi(enforce_limits=True, time_source=clock) as server, make_bot(server) as client:
        await client.send_message(USER, "1")
        await client.send_message(OTHER_USER, "other chat is fine")
        with pytest.raises(RetryAfter) as caught:
            await client.send_message(USER, "2")
        assert caught.value.retry_after >= dt.timedelta(seconds=1)
        assert server.count_429 == 1
        clock.now += 1.0
        await client.send_message(USER, "2 after a second")
        assert [m.text for m in server.messages_to(USER)] == ["1", "2 after a second"]
        assert server.sent[0].at == 1000.0


async def test_enforced_limits_global_and_group(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    clock = FakeClock()
    async with FakeBotApi(enforce_limits=True, time_source=clock, global_per_second=3) as server, \
            make_bot(server) as client:
        for chat in (1, 2, 3):
            await client.send_message(chat, "x")
        with pytest.raises(RetryAfter):
            await client.send_message(4, "fourth in the same second")
        clock.now += 1.0
        group = -100
        for i in range(20):
            clock.now += 1.0
            await client.send_message(group, str(i))
        clock.now += 1.0
        with pytest.raises(RetryAfter) as caught:
            await client.send_message(group, "21st in a minute")
        assert dt.timedelta(seconds=1) <= caught.value.retry_after <= dt.timedelta(seconds=60)
        assert server.count_429 == 2


async def test_polling_application_gets_message_and_callback(api: FakeBotApi) -> None:
    got_start = asyncio.Event()
    got_press = asyncio.Event()
    pressed: list[str] = []

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Đã xong", callback_data="done:1")]])
        await update.effective_message.reply_text("Chào bạn", reply_markup=keyboard)
        got_start.set()

    async def press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and query.data is not None
        pressed.append(query.data)
        await query.answer("Đã ghi nhận")
        await query.edit_message_text("Cảm ơn")
        got_press.set()

    app = (
        ApplicationBuilder().token(api.token).base_url(api.base_url).base_file_url(api.base_file_url).build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(press))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        api.user_sends(USER, "/start", first_name="Lan")
        await asyncio.wait_for(got_start.wait(), 5)
        [reply] = api.messages_to(USER)
        assert reply.text == "Chào bạn" and reply.message_id == 2  # the user's /start was message 1
        api.user_presses(USER, reply, "done:1")
        await asyncio.wait_for(got_press.wait(), 5)
        await api.wait_for_sent(2)
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    assert pressed == ["done:1"]
    assert api.answered_callbacks[0]["text"] == "Đã ghi nhận"
    assert api.messages_to(USER)[-1].method == "editMessageText"
    assert api.messages_to(USER)[-1].text == "Cảm ơn"


async def test_user_document_can_be_downloaded(api: FakeBotApi, bot: Bot) -> None:
    content = b"%PDF-1.4 minh chung\n" * 50
    update = api.user_sends_document(USER, "minh-chung.pdf", content, caption="Báo cáo")
    parsed = Update.de_json(update, bot)
    assert parsed.message is not None and parsed.message.document is not None
    assert parsed.message.document.file_size == len(content)
    assert parsed.message.document.file_name == "minh-chung.pdf"
    file = await bot.get_file(parsed.message.document.file_id)
    assert file.file_size == len(content)
    assert bytes(await file.download_as_bytearray()) == content


async def test_bot_uploads_document_and_photo(api: FakeBotApi, bot: Bot) -> None:
    message = await bot.send_document(USER, b"a,b\n1,2\n", filename="tong-hop.csv", caption="Tổng hợp")
    assert message.document is not None and message.document.file_name == "tong-hop.csv"
    assert api.sent[-1].document is not None and api.sent[-1].document["file_size"] == 8
    assert api.sent[-1].caption == "Tổng hợp"
    again = await bot.send_document(OTHER_USER, message.document.file_id)
    assert again.document is not None and again.document.file_id == message.document.file_id
    photo = await bot.send_photo(USER, b"\xff\xd8\xff fake jpeg")
    assert photo.photo and api.sent[-1].method == "sendPhoto"


async def test_wrong_token_unknown_method_and_no_token_echo(api: FakeBotApi) -> None:
    async with make_bot(api) as good:
        with pytest.raises(EndPointNotFound):
            await good.do_api_request("noSuchMethod")
    with pytest.raises(InvalidToken):
        async with make_bot(api, token="999:WRONG"):
            pass
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{api.base_url}{api.token}/sendMessage", json={"chat_id": USER}) as resp:
            body = await resp.json()
    assert resp.status == 400 and body["description"] == "Bad Request: message text is empty"
    assert api.token not in body["description"]


async def test_json_body_and_formatting_checks(api: FakeBotApi, bot: Bot) -> None:
    async with aiohttp.ClientSession() as session:
        payload = {"chat_id": USER, "text": "<b>đậm</b>", "parse_mode": "HTML",
                   "reply_markup": {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}}
        async with session.post(f"{api.base_url}{api.token}/sendMessage", json=payload) as resp:
            assert (await resp.json())["ok"] is True
    assert api.sent[-1].reply_markup == payload["reply_markup"]
    with pytest.raises(BadRequest, match="(?i)can't parse entities"):
        await bot.send_message(USER, "<b>chưa đóng", parse_mode="HTML")
    with pytest.raises(BadRequest, match="(?i)reserved"):
        await bot.send_message(USER, "Hạn 20.11!", parse_mode="MarkdownV2")
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await bot.send_message(USER, "x" * 4097)


async def test_commands_and_webhook_bookkeeping(api: FakeBotApi, bot: Bot) -> None:
    from telegram import BotCommand

    assert await bot.set_my_commands([BotCommand("start", "Bắt đầu")])
    assert [c.command for c in await bot.get_my_commands()] == ["start"]
    assert await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()
    assert await bot.set_my_description("Bot nhắc việc")
    api.user_sends(USER, "hello")
    assert (await bot.get_webhook_info()).pending_update_count == 1
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert (await bot.get_webhook_info()).pending_update_count == 0
    assert await bot.send_chat_action(USER, "typing")
    chat = await bot.get_chat(USER)
    assert chat.type == "private"
