"""Benchmark: 50 heads pressing ⏰ against the fake Bot API; nhacviec next to a bare PTB echo bot.

Seeds a plan of 50 units with one open task each and a head per unit. Every head presses the
"⏰ Nhắc lại sau" button (`snz:<occurrence>`: dedupe insert and actor lookup in one transaction,
ownership check, reply with the choice keyboard). Latency is measured on the fake server's clock:
from queuing the callback update to the bot's reply reaching the server (`SentMessage.at`).

Three loads:
- unloaded: one head presses 5 × `--rounds` times, each press after the previous reply: the cost
  of one update without queueing.
- paced: every head presses `--rounds` times, once per second at a random moment of each second
  (50 updates/s offered: far more than a Department's heads produce). Its p95 is the latency target.
- saturation: every head presses `--rounds` times, again as soon as its reply arrived (50 updates
  always in flight). This measures throughput; its latency is queueing (Little's law: about
  50 / throughput).

The same loads then run against a bare python-telegram-bot Application (echo text, fixed answer to
buttons, the same `concurrent_updates`) on the same server; the ratio of saturation throughputs shows
what nhacviec's own work costs. Bot, fake server and load share one process and event loop, so every
figure includes the fake server's own work.

Run: `.venv/bin/python bench/bench_chat.py [--heads 50] [--rounds 20] [--profile FILE]`.
Targets: paced p95 < 100 ms on SQLite, saturation throughput ratio nhacviec/echo ≥ 0.6.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import logging
import pstats
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402
from telegram import Update  # noqa: E402
from telegram.ext import Application, ApplicationBuilder, CallbackQueryHandler, ContextTypes, MessageHandler, filters  # noqa: E402  # noqa: E402

from bot.db.engine import make_engine, migrate  # noqa: E402
from bot.db.members import ensure_member  # noqa: E402
from bot.db.models import OccurrenceRow  # noqa: E402
from bot.domain.clock import FixedClock  # noqa: E402
from bot.domain.workdays import WorkCalendar  # noqa: E402
from bot.engine.sync import sync_plan  # noqa: E402
from bot.plans.loader import load_plan  # noqa: E402
from bot.sandbox.fake_api import FakeBotApi, SentMessage  # noqa: E402
from bot.telegram.application import build_application  # noqa: E402
from bot.telegram.context import Services  # noqa: E402

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2019, 10, 30, 10, 0, tzinfo=ZONE)
FIRST_CHAT = 50_001
CONCURRENT_UPDATES = 8  # what build_application uses; the echo bot gets the same
TARGET_P95_MS, TARGET_RATIO = 100.0, 0.6  # issue 23: at least 0.6 of the echo bot


class BenchApi(FakeBotApi):
    """The fake server, telling the one head waiting in a chat when the bot's reply arrives there."""

    def __init__(self) -> None:
        super().__init__()
        self.waiting: dict[int, asyncio.Future[SentMessage]] = {}

    def _on_sent(self, message: SentMessage) -> None:
        super()._on_sent(message)
        waiter = self.waiting.pop(message.chat_id, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(message)


def write_plan(folder: Path, heads: int) -> Path:
    """A plan with `heads` units in one group and one task due 19/11/2019 for each of them."""
    units = [f"DV{i:02d}" for i in range(1, heads + 1)]
    plan = {
        "plan": {"id": "bench", "title": "Kế hoạch đo tải", "issued_by": "Giám đốc Sở", "years": [2019],
                 "office": "VP", "ladder": {"at": "08:00"}},
        "units": [{"id": "VP", "name": "Văn phòng Sở"}] + [{"id": u, "name": f"Đơn vị {u}"} for u in units],
        "groups": [{"id": "DONVI", "name": "Các đơn vị", "members": units}],
        "roles": [{"id": "leadership", "name": "Lãnh đạo Sở"}],
        "areas": [{"id": "1", "name": "Chỉ đạo điều hành", "responsibility": {"lead": ["VP"], "others": ["DONVI"]}}],
        "tasks": [{"id": "1.1", "area": "1", "title": "Báo cáo kết quả CCHC", "deadlines": [
            {"id": "ket-qua", "label": "Gửi kết quả (trước ngày 20/11)", "yearly": "20/11", "exclusive": True,
             "source": "seed", "due_from": "others"}]}],
    }
    path = folder / "bench-plan.yaml"
    path.write_text(yaml.safe_dump(plan, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@dataclass
class Seeded:
    services: Services
    presses: dict[int, str]  # chat id → callback data of its head's ⏰ button


def seed(folder: Path, heads: int) -> Seeded:
    """Migrate, sync the plan, add one head per unit; the ⏰ button of each head's open occurrence."""
    engine = make_engine(f"sqlite:///{folder / 'bench.db'}")
    migrate(engine)
    clock = FixedClock(NOW)
    sync_plan(engine, load_plan(write_plan(folder, heads)), WorkCalendar(), clock.now())
    presses = {}
    with Session(engine) as session:
        occurrences = {o.unit: o.id for o in session.scalars(select(OccurrenceRow))}
    for i in range(1, heads + 1):
        unit, chat = f"DV{i:02d}", FIRST_CHAT + i
        ensure_member(engine, clock.now(), chat_id=chat, user_id=chat, role="head", unit=unit, name=f"Trưởng {unit}")
        presses[chat] = f"snz:{occurrences[unit]}"
    services = Services(engine, clock, WorkCalendar(), ZONE, folder / "evidence", clock_time(8, 0))
    return Seeded(services, presses)


def echo_application(api: FakeBotApi) -> Application:  # type: ignore[type-arg]
    """A bare PTB bot: echo text, answer every button with a fixed text."""

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(update.effective_message.text or "?")

    async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and query.message is not None
        await query.answer()
        await query.message.reply_text("Đã nhận")  # type: ignore[union-attr]

    app = (ApplicationBuilder().token(api.token).base_url(api.base_url).base_file_url(api.base_file_url)
           .concurrent_updates(CONCURRENT_UPDATES).build())
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.add_handler(CallbackQueryHandler(button))
    return app


async def serve(app: Application) -> None:  # type: ignore[type-arg]
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)


async def stop(app: Application) -> None:  # type: ignore[type-arg]
    assert app.updater is not None
    await app.updater.stop()
    await app.stop()
    await app.shutdown()


@dataclass
class Result:
    name: str
    load: str
    latencies: list[float]
    wall: float
    cpu: float  # process CPU seconds (bot + fake server + load): robust when other jobs share the machine

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))] * 1000

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.wall


def bot_message(api: BenchApi, chat: int, data: str) -> int:
    """A reminder-like bot message in the head's chat carrying the button to press."""
    api.state.user(chat, f"Head {chat}")
    message = api.state.new_message(chat, dict(api.state.bot_user), text="🔔 Nhắc việc",
                                    reply_markup={"inline_keyboard": [[{"text": "⏰", "callback_data": data}]]})
    return int(message["message_id"])


async def load(api: BenchApi, presses: dict[int, str], rounds: int,
               period: float | None) -> tuple[list[float], float, float]:
    """Every head presses its button `rounds` times: once per `period` at a random moment, or (None)
    again as soon as its reply came. A head never has two presses in flight."""
    loop = asyncio.get_running_loop()
    buttons = {chat: bot_message(api, chat, data) for chat, data in presses.items()}
    latencies: list[float] = []
    started, cpu = api.time_source(), time.process_time()

    async def head(chat: int) -> None:
        rng = random.Random(chat)
        for n in range(rounds):
            if period is not None:
                await asyncio.sleep(max(0.0, started + (n + rng.random()) * period - api.time_source()))
            waiter: asyncio.Future[SentMessage] = loop.create_future()
            api.waiting[chat] = waiter
            queued = api.time_source()
            api.user_presses(chat, buttons[chat], presses[chat])
            reply = await asyncio.wait_for(waiter, 30)
            latencies.append(reply.at - queued)

    await asyncio.gather(*(head(chat) for chat in presses))
    return latencies, api.time_source() - started, time.process_time() - cpu


async def measure(name: str, api: BenchApi, app: Application, presses: dict[int, str],  # type: ignore[type-arg]
                  rounds: int, profile: cProfile.Profile | None = None) -> list[Result]:
    """Paced, then saturation load against one bot (warmed up first)."""
    api.updates.clear()
    await serve(app)
    results = []
    try:
        await load(api, presses, 2, None)  # warm-up: connections, caches, SQLite pages
        one = dict([next(iter(presses.items()))])
        for label, who, times, period in (("1 head, unloaded", one, 5 * rounds, None),
                                          ("paced 1/s per head", presses, rounds, 1.0),
                                          ("saturation", presses, rounds, None)):
            if profile is not None and label == "saturation":
                profile.enable()
            latencies, wall, cpu = await load(api, who, times, period)
            if profile is not None and label == "saturation":
                profile.disable()
            results.append(Result(name, label, latencies, wall, cpu))
    finally:
        await stop(app)
    return results


def table(results: list[Result], heads: int, rounds: int) -> str:
    lines = [f"{heads} heads × {rounds} presses of ⏰ per load; fake Bot API on 127.0.0.1 in the same process; "
             "SQLite (WAL)", "",
             "| bot | load | updates | wall s | updates/s | CPU ms/update | p50 ms | p95 ms | p99 ms |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {r.name} | {r.load} | {len(r.latencies)} | {r.wall:.2f} | {r.throughput:.0f} "
                     f"| {1000 * r.cpu / len(r.latencies):.2f} | {r.percentile(50):.1f} | {r.percentile(95):.1f} "
                     f"| {r.percentile(99):.1f} |")
    return "\n".join(lines)


async def main(heads: int, rounds: int, profile_to: str | None) -> int:
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="bench-chat-") as tmp:
        seeded = seed(Path(tmp), heads)
        api = BenchApi()
        await api.start()
        profile = cProfile.Profile() if profile_to else None
        try:
            app = build_application(api.token, seeded.services, api.base_url, api.base_file_url)
            ours = await measure("nhacviec", api, app, seeded.presses, rounds, profile)
            echo = await measure("PTB echo", api, echo_application(api), seeded.presses, rounds)
        finally:
            await api.stop()
            seeded.services.engine.dispose()
    if profile is not None and profile_to:
        profile.dump_stats(profile_to)
        pstats.Stats(profile_to).sort_stats("cumulative").print_stats(30)
    _, paced, saturated = ours
    ratio = saturated.throughput / echo[2].throughput
    print(table(ours + echo, heads, rounds))
    cpu_ratio = (echo[2].cpu / len(echo[2].latencies)) / (saturated.cpu / len(saturated.latencies))
    print(f"\nsaturation throughput ratio nhacviec/echo: {ratio:.2f} (per CPU second: {cpu_ratio:.2f})")
    ok = paced.percentile(95) < TARGET_P95_MS and ratio >= TARGET_RATIO
    print(f"targets (paced p95 < {TARGET_P95_MS:.0f} ms, ratio ≥ {TARGET_RATIO}): {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


def _args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--heads", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--profile", metavar="FILE", help="cProfile the measured nhacviec run into FILE")
    return parser.parse_args(argv)


if __name__ == "__main__":
    args = _args()
    raise SystemExit(asyncio.run(main(args.heads, args.rounds, args.profile)))
