"""Benchmark: heads on Zalo, through the conversation core, against the fake Zalo Bot API on 127.0.0.1.

Seeds a plan of `--heads` units with one open task each and one head per unit on Zalo. Then:
- cards: one dispatcher sweep at 08:00 on 30/10/2019 sends every head its card through Zalo, at the
  configured rate (`--rate`, messages per second; Zalo publishes no limit, the bot's default is 5);
- reply (unloaded): one head replies the number of "⏰ Nhắc lại sau" `--rounds` times, each a second after
  the previous answer (reading time; the bot sends at most one message per second to a chat): the cost of
  one numbered reply (long-poll pickup, menu lookup, handler, send);
- reply (burst): every head replies at once; the time until every answer has arrived.
Bot, fake server and load share one process and event loop.

Run: `.venv/bin/python bench/bench_zalo.py [--heads 30] [--rounds 20] [--rate 5]`.
Targets: reply p95 < 500 ms unloaded (a person waiting for an answer); cards within heads / rate + 2 s.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import re
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy.orm import Session  # noqa: E402

from bench.bench_chat import write_plan  # noqa: E402
from bot.app import ZaloSetup, build_channels  # noqa: E402
from bot.db import addresses  # noqa: E402
from bot.db.engine import make_engine, migrate  # noqa: E402
from bot.db.members import ensure_member  # noqa: E402
from bot.domain.clock import FixedClock  # noqa: E402
from bot.domain.workdays import WorkCalendar  # noqa: E402
from bot.engine.dispatcher import Dispatcher, DispatchSettings  # noqa: E402
from bot.engine.ratelimit import NoLimit, RateLimiter  # noqa: E402
from bot.engine.sync import sync_plan  # noqa: E402
from bot.plans.loader import load_plan  # noqa: E402
from bot.sandbox.fake_zalo import FakeZaloApi, ZaloUser  # noqa: E402
from bot.telegram.context import Services  # noqa: E402

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
CARDS_AT = datetime(2019, 10, 30, 8, 0, tzinfo=ZONE)
TARGET_P95_MS = 500.0


def _number(text: str, label: str) -> str:
    found = re.search(r"Trả lời (\d+): [^\n]*" + re.escape(label), text)
    if not found:
        raise SystemExit(f"no reply for {label!r} in:\n{text}")
    return found.group(1)


async def _reply(zalo: FakeZaloApi, user: ZaloUser, text: str) -> float:
    before = len(zalo.messages_to(user))
    started = time.perf_counter()
    await zalo.user_says(user, text)
    await zalo.wait_for_messages(user, before + 1, timeout=30)
    return time.perf_counter() - started


async def main(heads: int, rounds: int, rate: int) -> int:
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        engine = make_engine(f"sqlite:///{folder / 'bench.db'}")
        migrate(engine)
        clock = FixedClock(datetime(2019, 10, 29, 17, 0, tzinfo=ZONE))
        sync_plan(engine, load_plan(write_plan(folder, heads)), WorkCalendar(), clock.now())
        async with FakeZaloApi() as zalo:
            users = []
            for i in range(1, heads + 1):
                user = zalo.add_user(f"Trưởng DV{i:02d}")
                with Session(engine) as session, session.begin():
                    key = addresses.zalo_key(session, user.id, user.name, clock.now())
                ensure_member(engine, clock.now(), chat_id=key, user_id=key, role="head", unit=f"DV{i:02d}",
                              name=user.name)
                users.append(user)
            services = Services(engine, clock, WorkCalendar(), ZONE, folder / "evidence")
            channels = build_channels(services, zalo=ZaloSetup(zalo.token, zalo.base_url,
                                                               RateLimiter(per_second=rate, private_interval=1.0),
                                                               poll_timeout=5))
            runtime = channels.zalo
            await runtime.start()
            dispatcher = Dispatcher(engine, channels.outbound, clock, NoLimit(), DispatchSettings(concurrency=4))
            try:
                clock.set(CARDS_AT)
                started = time.perf_counter()
                await dispatcher.sweep()
                cards_s = time.perf_counter() - started
                cards = [zalo.messages_to(u)[-1]["text"] for u in users]
                longest = max(len(c) for c in cards)

                first = users[0]
                card = zalo.messages_to(first)[-1]["text"]
                snooze = _number(card, "Nhắc lại sau")
                unloaded = []
                for _ in range(rounds):
                    await asyncio.sleep(1.0)  # a person reads before replying; the bot keeps 1 message/s per chat
                    unloaded.append(await _reply(zalo, first, snooze))
                    await _reply(zalo, first, "/viec")  # a fresh menu whose replies are the list's again
                    await _reply(zalo, first, _number(zalo.messages_to(first)[-1]["text"], "1.1"))
                    snooze = _number(zalo.messages_to(first)[-1]["text"], "Nhắc lại sau")
                started = time.perf_counter()
                await asyncio.gather(*(_reply(zalo, u, _number(zalo.messages_to(u)[-1]["text"], "Nhắc lại sau"))
                                       for u in users[1:]))
                burst_s = time.perf_counter() - started
            finally:
                await runtime.stop()
        engine.dispose()
    ms = sorted(x * 1000 for x in unloaded)
    p50, p95 = statistics.median(ms), ms[max(0, int(len(ms) * 0.95) - 1)]
    print(f"{heads} heads on Zalo, rate {rate} msg/s, {rounds} unloaded rounds\n")
    print("| measure | value |\n| --- | ---: |")
    print(f"| cards: one sweep, {heads} cards | {cards_s:.2f} s |")
    print(f"| longest card | {longest} characters (limit 2,000) |")
    print(f"| numbered reply, unloaded p50 | {p50:.0f} ms |")
    print(f"| numbered reply, unloaded p95 | {p95:.0f} ms |")
    print(f"| burst: {heads - 1} replies at once, all answered | {burst_s:.2f} s |")
    met = p95 < TARGET_P95_MS and cards_s < heads / rate + 2 and longest <= 2000
    print(f"\ntarget (reply p95 < {TARGET_P95_MS:.0f} ms, cards ≤ heads/rate + 2 s, ≤ 2,000 characters): "
          f"{'met' if met else 'MISSED'}")
    return 0 if met else 1


def _args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--heads", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--rate", type=int, default=5)
    return parser.parse_args(argv)


if __name__ == "__main__":
    a = _args()
    sys.exit(asyncio.run(main(a.heads, a.rounds, a.rate)))
