"""The Watch: channel states (one line per change), counted sends, and the dispatcher's per-send lines for
weather failures dropped (every due delivery fails at each sweep while a channel is down)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.db.engine import make_engine
from bot.domain.clock import FixedClock
from bot.engine.channel import Failure, OutMessage, SendError
from bot.ops.health import QUIET, Watch


@pytest.fixture(autouse=True)
def _no_filter_left() -> Iterator[None]:
    """The Watch quiets the dispatcher's logger process-wide: undo it for the other tests."""
    yield
    for name, kind in QUIET.items():
        logger = logging.getLogger(name)
        for item in [f for f in logger.filters if isinstance(f, kind)]:
            logger.removeFilter(item)


class Flaky:
    def __init__(self) -> None:
        self.fail: Failure | None = None

    async def send(self, message: OutMessage) -> int:
        if self.fail is not None:
            raise SendError(self.fail, "httpx.ConnectError: [Errno -2] Name or service not known")
        return 7


async def test_a_channel_going_and_coming_back_is_one_line_each_way(caplog: pytest.LogCaptureFixture) -> None:
    engine = make_engine("sqlite://")
    watch = Watch(engine, FixedClock(datetime(2019, 11, 14, 1, tzinfo=UTC)), 5)
    inner = Flaky()
    channel = watch.watch_channel(inner)
    caplog.set_level(logging.INFO)
    assert await channel.send(OutMessage(1001, "a")) == 7
    inner.fail = Failure.RETRY
    for _ in range(50):  # fifty due deliveries failing while the network is down
        with pytest.raises(SendError):
            await channel.send(OutMessage(1001, "a"))
        logging.getLogger("bot.engine.dispatcher").warning("send to chat %s failed (%s): %s", 1001, "retry", "x")
    logging.getLogger("bot.engine.dispatcher").warning("send to chat %s failed (%s): %s", 1001, "permanent", "y")
    inner.fail = None
    await channel.send(OutMessage(1001, "a"))
    lines = [r.getMessage() for r in caplog.records]
    assert sum("Không kết nối được kênh Telegram" in line for line in lines) == 1
    assert sum("Kênh Telegram đã kết nối lại" in line for line in lines) == 1
    assert sum("failed" in line or "không thành công" in line for line in lines) == 1  # only the permanent one
    text = (await watch.metrics(None)).body.decode()  # type: ignore[arg-type,union-attr]
    assert 'nhacviec_deliveries_failed_total{channel="telegram",kind="retry"} 50.0' in text
    assert 'nhacviec_messages_sent_total{channel="telegram"} 2.0' in text
    assert 'nhacviec_channel_up{channel="telegram"} 1.0' in text
    engine.dispose()


async def test_metrics_and_readiness_read_the_outbox_per_channel(tmp_path: Path) -> None:
    from sqlalchemy import text

    from bot.db.addresses import ZALO_BASE
    from bot.db.engine import migrate

    engine = make_engine(f"sqlite:///{tmp_path / 'n.db'}")
    migrate(engine)
    now = datetime(2019, 11, 14, 1, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO reminders (id, key, kind, rung, target, due_at, state) "
                          "VALUES (1, 'r1', 'reminder', 'r', 'TCCB', '2019-11-14 00:00:00', 'queued')"))
        rows = [(1001, "", "pending"), (ZALO_BASE + 5, "", "pending"), (0, "vp@so.gov.vn", "failed"),
                (1002, "", "sent")]
        for chat, address, state in rows:
            conn.execute(text("INSERT INTO deliveries (reminder_id, chat_id, address, state, next_at, attempts, "
                              "uncertain, late) VALUES (1, :c, :a, :s, '2019-11-14 00:50:00', 0, false, false)"),
                         {"c": chat, "a": address, "s": state})
    watch = Watch(engine, FixedClock(now), 5)
    ready, body = await watch.check()
    assert body["outbox"] == {"due": 2, "lag_seconds": 600.0} and body["database"]["ok"]
    assert ready and body["sweep"] == {"ok": True, "last_seconds_ago": None}  # starting: no sweep needed yet
    assert body["migrations"]["ok"] and body["status"] == "ok"
    text_ = (await watch.metrics(None)).body.decode()  # type: ignore[arg-type,union-attr]
    assert 'nhacviec_deliveries{channel="telegram",state="pending"} 1.0' in text_
    assert 'nhacviec_deliveries{channel="zalo",state="pending"} 1.0' in text_
    assert 'nhacviec_deliveries{channel="email",state="failed"} 1.0' in text_
    assert 'state="sent"' not in text_ and "nhacviec_outbox_lag_seconds 600.0" in text_
    engine.dispose()
