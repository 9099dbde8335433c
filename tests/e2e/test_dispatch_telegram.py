"""End to end: the real Dispatcher and TelegramChannel over python-telegram-bot, against the fake Bot API.

No PTB object is mocked: a real `telegram.Bot` with its httpx transport talks HTTP to FakeBotApi on
127.0.0.1, and every test runs on SQLite and on PostgreSQL (the `db` fixture).
"""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from telegram import Bot
from telegram.error import NetworkError
from telegram.request import HTTPXRequest

from bot.db.members import ensure_member
from bot.db.models import DeliveryRow, MemberRow
from bot.domain.clock import FixedClock
from bot.domain.workdays import WorkCalendar
from bot.engine import outbox
from bot.engine.dispatcher import Dispatcher, DispatchSettings
from bot.engine.ratelimit import NoLimit, RateLimiter
from bot.engine.sync import sync_plan
from bot.plans.loader import parse_plan
from bot.sandbox.fake_api import FakeBotApi
from bot.telegram.channel import TelegramChannel
from tests.conftest import MINI_PLAN
from tests.ports import held_port

UTC = timezone.utc
TOKEN = "7654321:E2E-secret-token-must-not-leak"
START = datetime(2019, 10, 25, tzinfo=UTC)
# 30/10/2019 08:00 local: the mini plan's first rung; VP, TCCB and KHTC each get one task.
FIRST_RUNG = datetime(2019, 10, 30, 1, 0, tzinfo=UTC)
ADMIN, HEAD_VP, HEAD_TCCB, HEAD_KHTC, LEADER = 1, 10, 20, 30, 90
HEADS = (HEAD_VP, HEAD_TCCB, HEAD_KHTC)
UNCERTAIN_LINE = "(Có thể anh/chị đã nhận tin này trước đó.)"


# --- fixtures and helpers ----------------------------------------------------------------------

# PTB itself warns when it builds a RetryAfter from the server's integer (unless PTB_TIMEDELTA is set);
# production runs without that variable, so these tests do too.
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning")

LIBRARY_LOGGERS = ("telegram", "httpx", "httpcore")


def _logged(caplog: pytest.LogCaptureFixture, prefix: str) -> str:
    """Everything logged under `prefix` during setup and call (messages and tracebacks)."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    records = [*caplog.get_records("setup"), *caplog.get_records("call")]
    return "\n".join(formatter.format(r) for r in records if r.name == prefix or r.name.startswith(prefix + "."))


@pytest.fixture(autouse=True)
def token_guard(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Capture PTB, httpx and our own logs at DEBUG; our code must never log the token, whatever happened."""
    for name in (*LIBRARY_LOGGERS, "bot"):
        caplog.set_level(logging.DEBUG, logger=name)
    yield caplog
    ours = _logged(caplog, "bot")
    assert TOKEN not in ours and TOKEN.split(":", 1)[1] not in ours


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(token=TOKEN) as server:
        yield server


def make_bot(base_url: str, base_file_url: str, read_timeout: float = 5.0) -> Bot:
    """A real PTB Bot over httpx (pool large enough for the dispatcher's concurrency)."""
    request = HTTPXRequest(connection_pool_size=8, connect_timeout=2.0, read_timeout=read_timeout,
                           write_timeout=2.0, pool_timeout=2.0)
    return Bot(TOKEN, base_url=base_url, base_file_url=base_file_url, request=request)


@pytest.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    async with make_bot(api.base_url, api.base_file_url) as client:
        yield client


def seed(db: Engine, clock: FixedClock) -> None:
    """The mini plan with an admin, a leader and a head for each of its three units."""
    plan = parse_plan(MINI_PLAN.read_text(encoding="utf-8"), "mini.yaml")
    ensure_member(db, clock.now(), chat_id=ADMIN, role="admin", unit="VP", name="Văn phòng")
    ensure_member(db, clock.now(), chat_id=LEADER, role="leader", name="Giám đốc")
    for chat, unit in ((HEAD_VP, "VP"), (HEAD_TCCB, "TCCB"), (HEAD_KHTC, "KHTC")):
        ensure_member(db, clock.now(), chat_id=chat, role="head", unit=unit, name=f"Trưởng {unit}")
    sync_plan(db, plan, WorkCalendar(), clock.now())


def make_dispatcher(db: Engine, bot: Bot, clock: FixedClock, limiter: RateLimiter | None = None) -> Dispatcher:
    # one FixedClock for the plan and for real time: the tests step through back-off by moving it
    return Dispatcher(db, TelegramChannel(bot), clock, limiter or NoLimit(), DispatchSettings(concurrency=4),
                      worker="e2e", timer=clock)


def rows_for(db: Engine, chat_id: int) -> list[DeliveryRow]:
    with Session(db) as s:
        return list(s.scalars(select(DeliveryRow).where(DeliveryRow.chat_id == chat_id).order_by(DeliveryRow.id)))


def only_row(db: Engine, chat_id: int) -> DeliveryRow:
    (row,) = rows_for(db, chat_id)
    return row


def send_calls(api: FakeBotApi, chat_id: int) -> int:
    """How many sendMessage requests for chat_id reached the server (delivered or not)."""
    return sum(1 for p in api.calls_of("sendMessage") if p.get("chat_id") == chat_id)


async def sweep_at_first_rung(db: Engine, bot: Bot) -> tuple[FixedClock, Dispatcher]:
    clock = FixedClock(START)
    seed(db, clock)
    dispatcher = make_dispatcher(db, bot, clock)
    clock.set(FIRST_RUNG)
    await dispatcher.sweep()
    return clock, dispatcher


async def sweep_when_due(dispatcher: Dispatcher, clock: FixedClock) -> None:
    """Jump the clock to the next due instant (a retry's next_at) and sweep."""
    due = outbox.next_due(dispatcher.engine)
    assert due is not None and due > clock.now()
    clock.set(due)
    await dispatcher.sweep()


@contextlib.asynccontextmanager
async def unreachable_bot() -> AsyncIterator[Bot]:
    """A second real Bot whose server is down: every request fails to connect (its port held, never listened on)."""
    with held_port() as port:
        dead = make_bot(f"http://127.0.0.1:{port}/bot", f"http://127.0.0.1:{port}/file/bot")
        with pytest.raises(NetworkError):
            await dead.initialize()  # opens the request objects; getMe cannot connect
        try:
            yield dead
        finally:
            await dead.shutdown()


# --- tests -------------------------------------------------------------------------------------

async def test_reminder_is_delivered_with_its_buttons_and_message_id_recorded(db: Engine, api: FakeBotApi,
                                                                               bot: Bot) -> None:
    api.user_sends(HEAD_VP, "/start")  # the chat already has message 1: the bot's reply gets id 2
    clock, dispatcher = await sweep_at_first_rung(db, bot)

    (sent,) = api.messages_to(HEAD_VP)
    assert sent.method == "sendMessage" and sent.message_id == 2
    assert (sent.text or "").startswith("🔔 Nhắc việc: Văn phòng Sở — còn 14 ngày làm việc\n\n📅 Hạn 19/11/2019\n")
    assert "1 việc:" in (sent.text or "") and "• 1.1 Ban hành kế hoạch CCHC — chưa xong" in (sent.text or "")
    keyboard = (sent.reply_markup or {})["inline_keyboard"]
    texts = [b["text"] for row in keyboard for b in row]
    datas = [b["callback_data"] for row in keyboard for b in row]
    assert [len(row) for row in keyboard] == [2, 2]
    assert texts == ["✅ Hoàn thành", "📎 Gửi tài liệu kiểm chứng", "⏰ Nhắc lại sau", "⚠️ Báo vướng mắc"]
    assert [d.split(":")[0] for d in datas] == ["done", "ev", "snz", "blk"]
    assert len({d.split(":")[1] for d in datas}) == 1  # all four name the same occurrence
    api.user_presses(HEAD_VP, sent, datas[0])  # the button really exists on the delivered message

    row = only_row(db, HEAD_VP)
    assert (row.state, row.message_id, row.attempts, row.uncertain) == ("sent", 2, 0, False)
    assert row.sent_at == FIRST_RUNG
    for chat in (HEAD_TCCB, HEAD_KHTC):
        assert only_row(db, chat).message_id == api.messages_to(chat)[0].message_id == 1

    clock.advance(timedelta(hours=1))
    await dispatcher.sweep()
    assert len(api.sent) == 3  # nothing twice


async def test_retry_after_requeues_until_then_and_pauses_the_limiter(db: Engine, api: FakeBotApi,
                                                                     bot: Bot) -> None:
    slept: list[float] = []
    now = [1000.0]

    async def sleep(seconds: float) -> None:  # the limiter's waits, recorded instead of slept
        slept.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(time_source=lambda: now[0], sleep=sleep)
    clock = FixedClock(START)
    seed(db, clock)
    dispatcher = make_dispatcher(db, bot, clock, limiter)
    api.inject("retry_after", chat_id=HEAD_VP, retry_after=7)
    clock.set(FIRST_RUNG)
    await dispatcher.sweep()

    assert api.count_429 == 1 and api.messages_to(HEAD_VP) == []
    row = only_row(db, HEAD_VP)
    assert (row.state, row.attempts, row.claimed_by) == ("pending", 1, None)
    assert row.hold_until == FIRST_RUNG + timedelta(seconds=7)  # real time (the one clock here)
    assert "retry in 7" in (row.error or "").lower()  # PTB's wording: "Flood control exceeded. Retry in 7 seconds"
    assert len(api.messages_to(HEAD_TCCB)) == len(api.messages_to(HEAD_KHTC)) == 1

    await limiter.acquire(999)  # any chat sending after the 429 waits out Telegram's pause (cards render on
    assert any(7.0 <= s <= 7.1 for s in slept), slept  # worker threads: the others may be the ones that waited)

    clock.advance(timedelta(seconds=6))
    await dispatcher.sweep()
    assert api.messages_to(HEAD_VP) == []
    clock.advance(timedelta(seconds=2))
    await dispatcher.sweep()
    assert len(api.messages_to(HEAD_VP)) == 1
    row = only_row(db, HEAD_VP)
    assert (row.state, row.message_id, row.uncertain) == ("sent", 1, False)
    assert api.count_429 == 1


@pytest.mark.parametrize("kind, reason", [("forbidden", "blocked by the user"), ("chat_not_found", "chat not found")])
async def test_blocked_or_missing_chat_marks_member_unreachable_and_tells_the_office(
        db: Engine, api: FakeBotApi, bot: Bot, kind: str, reason: str) -> None:
    api.inject(kind, chat_id=HEAD_TCCB)
    clock, dispatcher = await sweep_at_first_rung(db, bot)

    row = only_row(db, HEAD_TCCB)
    assert row.state == "failed" and reason in (row.error or "").lower()
    with Session(db) as s:
        member = s.scalar(select(MemberRow).where(MemberRow.chat_id == HEAD_TCCB))
        assert member is not None and member.reachable is False
    assert api.messages_to(ADMIN) == []  # the notice is queued, it goes out on the next sweep

    await dispatcher.sweep()
    (notice,) = api.messages_to(ADMIN)
    assert "Không gửi được" in (notice.text or "") and "Trưởng TCCB" in (notice.text or "")
    assert reason in (notice.text or "").lower()

    clock.advance(timedelta(hours=2))
    await dispatcher.sweep()
    assert send_calls(api, HEAD_TCCB) == 1 and api.messages_to(HEAD_TCCB) == []
    assert len(api.messages_to(ADMIN)) == 1


async def test_connect_failure_is_retried_later_not_lost(db: Engine, api: FakeBotApi, bot: Bot) -> None:
    clock = FixedClock(START)
    seed(db, clock)
    clock.set(FIRST_RUNG)
    async with unreachable_bot() as dead:
        dispatcher = make_dispatcher(db, dead, clock)
        report = await dispatcher.sweep()
    assert dict(report.failures) == {"retry": 3} and report.sent == 0
    for chat in HEADS:
        row = only_row(db, chat)
        assert (row.state, row.attempts, row.uncertain, row.claimed_by) == ("pending", 1, False, None)
        assert row.hold_until is not None and FIRST_RUNG < row.hold_until <= FIRST_RUNG + timedelta(minutes=5)
        assert "connect" in (row.error or "").lower()
    assert api.sent == []

    dispatcher.channel = TelegramChannel(bot)  # the network is back
    await sweep_when_due(dispatcher, clock)
    for chat in HEADS:
        assert len(api.messages_to(chat)) == 1
        row = only_row(db, chat)
        assert (row.state, row.uncertain) == ("sent", False)
        assert UNCERTAIN_LINE not in (api.messages_to(chat)[0].text or "")


async def test_bad_gateway_is_retried_later_and_delivered_once(db: Engine, api: FakeBotApi, bot: Bot) -> None:
    api.inject("server_error", chat_id=HEAD_VP)
    clock, dispatcher = await sweep_at_first_rung(db, bot)
    row = only_row(db, HEAD_VP)
    assert (row.state, row.attempts, row.uncertain) == ("pending", 1, False)
    assert "bad gateway" in (row.error or "").lower()
    assert api.messages_to(HEAD_VP) == []

    await sweep_when_due(dispatcher, clock)
    assert len(api.messages_to(HEAD_VP)) == 1 and send_calls(api, HEAD_VP) == 2
    row = only_row(db, HEAD_VP)
    assert (row.state, row.uncertain, row.message_id) == ("sent", False, 1)
    clock.advance(timedelta(hours=1))
    await dispatcher.sweep()
    assert len(api.messages_to(HEAD_VP)) == 1


async def test_connection_reset_is_retried_delivered_and_flagged_uncertain(db: Engine, api: FakeBotApi,
                                                                           bot: Bot) -> None:
    api.inject("reset", chat_id=HEAD_VP)
    clock, dispatcher = await sweep_at_first_rung(db, bot)
    row = only_row(db, HEAD_VP)
    assert (row.state, row.attempts, row.uncertain) == ("pending", 1, True)
    assert api.messages_to(HEAD_VP) == []

    await sweep_when_due(dispatcher, clock)
    (sent,) = api.messages_to(HEAD_VP)
    assert UNCERTAIN_LINE in (sent.text or "")  # the reader is told it may be a repeat
    row = only_row(db, HEAD_VP)
    assert (row.state, row.uncertain, row.message_id) == ("sent", True, sent.message_id)
    assert send_calls(api, HEAD_VP) == 2


async def test_read_timeout_on_a_reminder_resends_it_once_flagged(db: Engine, api: FakeBotApi) -> None:
    api.inject("read_timeout", chat_id=HEAD_VP, delay=2.0, deliver=True, times=2)
    async with make_bot(api.base_url, api.base_file_url, read_timeout=0.5) as slow:
        clock, dispatcher = await sweep_at_first_rung(db, slow)
        row = only_row(db, HEAD_VP)
        assert (row.state, row.uncertain, row.message_id) == ("pending", True, None)
        for _ in range(3):
            clock.advance(timedelta(hours=1))
            await dispatcher.sweep()
    # Telegram got it twice (both answers lost): the repeat says it may be one; no third send
    first, second = api.messages_to(HEAD_VP)
    assert UNCERTAIN_LINE not in (first.text or "") and UNCERTAIN_LINE in (second.text or "")
    assert send_calls(api, HEAD_VP) == 2
    assert only_row(db, HEAD_VP).state == "uncertain"
    assert all(only_row(db, chat).state == "sent" for chat in (HEAD_TCCB, HEAD_KHTC))


async def test_bad_request_fails_with_reason_and_is_not_retried(db: Engine, api: FakeBotApi, bot: Bot) -> None:
    api.inject("bad_request", chat_id=HEAD_VP)
    clock, dispatcher = await sweep_at_first_rung(db, bot)
    row = only_row(db, HEAD_VP)
    assert row.state == "failed" and "can't parse entities" in (row.error or "").lower()
    for _ in range(2):
        clock.advance(timedelta(hours=2))
        await dispatcher.sweep()
    assert send_calls(api, HEAD_VP) == 1 and api.messages_to(HEAD_VP) == []
    assert only_row(db, HEAD_VP).state == "failed"
    with Session(db) as s:  # a bad request is about the message, not the person
        member = s.scalar(select(MemberRow).where(MemberRow.chat_id == HEAD_VP))
        assert member is not None and member.reachable is True


async def test_real_rate_limiter_keeps_under_telegrams_flood_limits(db: Engine) -> None:
    clock = FixedClock(FIRST_RUNG)
    with Session(db) as s, s.begin():
        for i in range(40):
            outbox.queue_notice(s, clock.now(), f"flood:{i}", f"chat:{5000 + i}", f"Thông báo số {i}")
        for i in range(2):  # one chat gets three messages: Telegram allows about one a second
            outbox.queue_notice(s, clock.now(), f"again:{i}", "chat:5000", f"Thông báo thêm {i}")
    async with FakeBotApi(token=TOKEN, enforce_limits=True) as strict:
        async with make_bot(strict.base_url, strict.base_file_url) as client:
            dispatcher = Dispatcher(db, TelegramChannel(client), clock, RateLimiter(), DispatchSettings(concurrency=8),
                                    worker="e2e")
            report = await dispatcher.sweep()
    assert strict.count_429 == 0 and dict(report.failures) == {}
    assert report.sent == len(strict.sent) == 42
    stamps = sorted(m.at for m in strict.sent)
    assert all(later - first > 1.0 for first, later in zip(stamps, stamps[30:], strict=False))  # never 31 in a second
    to_one = [m.at for m in strict.messages_to(5000)]
    assert len(to_one) == 3 and all(b - a >= 1.0 for a, b in zip(to_one, to_one[1:], strict=False))


async def _every_kind_of_outcome(db: Engine, api: FakeBotApi) -> None:
    """Success, 429, 502, read timeout, reset and connect failure, through real Bots."""
    api.inject("retry_after", chat_id=HEAD_VP, retry_after=1)
    api.inject("server_error", chat_id=HEAD_TCCB)
    api.inject("read_timeout", chat_id=HEAD_KHTC, delay=2.0, deliver=True)
    async with make_bot(api.base_url, api.base_file_url, read_timeout=0.5) as client:
        clock, dispatcher = await sweep_at_first_rung(db, client)
        api.inject("reset", chat_id=HEAD_TCCB)
        await sweep_when_due(dispatcher, clock)  # VP after its 429
        await sweep_when_due(dispatcher, clock)  # TCCB after its 502: reset this time; KHTC resent once
    async with unreachable_bot() as dead:
        dispatcher.channel = TelegramChannel(dead)
        await sweep_when_due(dispatcher, clock)  # TCCB again: connect error
    assert len(api.sent) == 3 and api.count_429 == 1
    with Session(db) as s:  # failure reasons are stored too: no token there either
        errors = " ".join(e or "" for e in s.scalars(select(DeliveryRow.error)))
    assert "connect" in errors.lower() and TOKEN not in errors


@pytest.fixture
def app_logging() -> Iterator[io.StringIO]:
    """The bot's own logging setup (bot.logsafe) at DEBUG, with httpx and PTB turned up too; restored after."""
    from bot.logsafe import forget_secrets, setup_logging

    root = logging.getLogger()
    saved = root.handlers[:], root.level, {n: logging.getLogger(n).level for n in LIBRARY_LOGGERS}
    setup_logging("DEBUG", [TOKEN])
    out = io.StringIO()
    (handler,) = root.handlers
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(out)
    for name in LIBRARY_LOGGERS:  # setup_logging quiets httpx; an operator chasing a bug might not
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield out
    finally:
        forget_secrets()
        root.handlers[:], root.level = saved[0], saved[1]
        for name, level in saved[2].items():
            logging.getLogger(name).setLevel(level)


async def test_bot_token_never_appears_in_the_bots_log_output(db: Engine, api: FakeBotApi,
                                                              app_logging: io.StringIO) -> None:
    await _every_kind_of_outcome(db, api)
    text = app_logging.getvalue()
    assert "HTTP Request: POST" in text and "/bot***/sendMessage" in text  # httpx logged every request...
    assert "Set Bot API URL" in text and "failed (retry" in text and "failed (uncertain)" in text
    assert TOKEN not in text and TOKEN.split(":", 1)[1] not in text  # ...redacted


async def test_bot_token_never_appears_in_any_captured_log_record(db: Engine, api: FakeBotApi,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    # PTB logs its base URL (with the token) at DEBUG and httpx every request URL at INFO. Redaction
    # happens when a record is created, so no handler (pytest's here, a file or Sentry one) sees the token.
    from bot.logsafe import forget_secrets, redact_secrets

    caplog.set_level(logging.DEBUG)
    redact_secrets([TOKEN])
    try:
        await _every_kind_of_outcome(db, api)
    finally:
        forget_secrets()
    assert "HTTP Request: POST" in caplog.text
    assert TOKEN not in caplog.text
