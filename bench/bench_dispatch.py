"""Benchmark: 1,000 heads, one reminder each, all due in the same minute, through real Telegram plumbing.

The real Dispatcher sends through TelegramChannel and python-telegram-bot (httpx) to the fake Bot API,
which enforces Telegram's flood limits (30 messages/s overall, 1/s per private chat) and answers
429 when they are broken. The real RateLimiter must keep us under them. Target: everything sent in
≤ 40 s (the 30/s ceiling alone needs 33.3 s for 1,000 messages) with zero 429s.

Run: `.venv/bin/python bench/bench_dispatch.py [--members 1000] [--db postgresql+psycopg://...]
[--concurrency N] [--profile]`. Without --db a fresh SQLite file in a temporary folder is used;
with a PostgreSQL URL the bench works in its own schema (`bench_dispatch`), dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, insert, text  # noqa: E402
from sqlalchemy.engine import Engine, make_url  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402
from telegram import Bot  # noqa: E402
from telegram.request import HTTPXRequest  # noqa: E402

from bot.db.engine import make_engine, migrate  # noqa: E402
from bot.db.models import MemberRow, OccurrenceRow, ReminderRow, TaskRow, UnitRow  # noqa: E402
from bot.domain.clock import FixedClock  # noqa: E402
from bot.engine import outbox  # noqa: E402
from bot.engine.dispatcher import Dispatcher, DispatchSettings  # noqa: E402
from bot.engine.ratelimit import RateLimiter  # noqa: E402
from bot.sandbox.fake_api import FakeBotApi  # noqa: E402
from bot.telegram.channel import TelegramChannel  # noqa: E402

UTC = timezone.utc
DUE = datetime(2019, 11, 18, 1, 0, tzinfo=UTC)  # 08:00 local, one working day before the 19/11 deadline
TARGET_SECONDS, CEILING = 40.0, 30.0
SCHEMA = "bench_dispatch"


def pg_engine(url: str) -> Engine:
    """A fresh schema of our own, so the test suite's `public` schema is left alone."""
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {SCHEMA}"))
    admin.dispose()
    return make_engine(str(make_url(url).update_query_dict({"options": f"-csearch_path={SCHEMA}"})))


def drop_pg_schema(url: str) -> None:
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
    admin.dispose()


def seed(engine: Engine, members: int) -> None:
    """`members` units with one head each; one task, one occurrence per unit, one reminder due at DUE."""
    with Session(engine) as s, s.begin():
        s.execute(insert(UnitRow), [dict(id=f"U{i:04d}", name=f"Trường {i}", retired=False) for i in range(members)])
        s.execute(insert(TaskRow), [dict(id="3.2", area="3", area_name="Cải cách thủ tục hành chính",
                                         title="Báo cáo kết quả giải quyết thủ tục hành chính",
                                         evidence_required=True)])
        s.execute(insert(MemberRow), [dict(chat_id=100_000 + i, user_id=100_000 + i, role="head", unit=f"U{i:04d}",
                                           name=f"Hiệu trưởng {i}", reachable=True, active=True, created_at=DUE)
                                      for i in range(members)])
        s.execute(insert(OccurrenceRow), [dict(key=f"3.2/nam/U{i:04d}/2019", task_id="3.2", deadline_id="nam",
                                               unit=f"U{i:04d}", period="2019", label="Báo cáo năm 2019",
                                               source="seed", lead_units="", due=date(2019, 11, 19), status="open")
                                          for i in range(members)])
        occ: dict[str, int] = {key: oid for key, oid in s.execute(text("SELECT key, id FROM occurrences"))}
        s.execute(insert(ReminderRow), [dict(key=f"3.2/nam/U{i:04d}/2019/before-1",
                                             occurrence_id=occ[f"3.2/nam/U{i:04d}/2019"],
                                             kind="before", rung="before-1", target=f"U{i:04d}", due_at=DUE,
                                             state="pending") for i in range(members)])


async def drain(engine: Engine, members: int, settings: DispatchSettings) -> dict[str, object]:
    clock = FixedClock(DUE + timedelta(seconds=1))
    async with FakeBotApi(enforce_limits=True) as api:
        request = HTTPXRequest(connection_pool_size=max(8, settings.concurrency * 2), connect_timeout=5.0,
                               read_timeout=10.0, pool_timeout=10.0)
        async with Bot(api.token, base_url=api.base_url, base_file_url=api.base_file_url, request=request) as bot:
            dispatcher = Dispatcher(engine, TelegramChannel(bot), clock, RateLimiter(), settings, worker="bench")
            failures: Counter[str] = Counter()
            sweeps = 0
            started = time.perf_counter()
            first_sweep = 0.0
            while True:
                report = await dispatcher.sweep()
                sweeps += 1
                first_sweep = first_sweep or time.perf_counter() - started
                failures.update(report.failures)
                counts = outbox.pending_counts(engine)
                if counts.get("sent", 0) >= members or sweeps > 100:
                    break
                due = outbox.next_due(engine)
                if due is not None and due > clock.now():
                    clock.set(due)  # a 429 put rows back for later: jump there (the limiter waits in real time)
            wall = time.perf_counter() - started
            await asyncio.sleep(0)
            stamps = sorted(m.at for m in api.sent)
            peak = max((sum(1 for t in stamps[i:i + 40] if t - stamps[i] < 1.0) for i in range(len(stamps))),
                       default=0)
            return dict(wall=wall, delivered=len(api.sent), count_429=api.count_429, sweeps=sweeps,
                        failures=dict(failures), states=counts, peak=peak,
                        span=(stamps[-1] - stamps[0]) if stamps else 0.0, first_sweep=first_sweep,
                        duplicates=len(api.sent) - len({m.chat_id for m in api.sent}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file in a temporary folder)")
    parser.add_argument("--concurrency", type=int, help="override DispatchSettings.concurrency")
    parser.add_argument("--profile", action="store_true", help="print the top functions by cumulative time")
    args = parser.parse_args()

    settings = DispatchSettings()
    settings = replace(settings, batch_size=max(settings.batch_size, args.members * 2),
                       concurrency=args.concurrency or settings.concurrency)
    with tempfile.TemporaryDirectory(prefix="bench-dispatch-") as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'bench.db'}"
        postgres = make_url(url).get_backend_name() == "postgresql"
        engine = pg_engine(url) if postgres else make_engine(url)
        try:
            t0 = time.perf_counter()
            migrate(engine)
            seed(engine, args.members)
            seeding = time.perf_counter() - t0
            profiler = cProfile.Profile() if args.profile else None
            if profiler:
                profiler.enable()
            result = asyncio.run(drain(engine, args.members, settings))
            if profiler:
                profiler.disable()
        finally:
            engine.dispose()
            if postgres:
                drop_pg_schema(url)

    wall = float(result["wall"])  # type: ignore[arg-type]
    delivered = int(result["delivered"])  # type: ignore[call-overload]
    rate = delivered / wall if wall else 0.0
    ok = wall <= TARGET_SECONDS and result["count_429"] == 0 and delivered == args.members \
        and result["duplicates"] == 0
    backend = make_url(url).get_backend_name()
    print(f"\n### bench_dispatch: {args.members} chats, one reminder each, {backend}\n")
    print("| measure | value | target |")
    print("|---|---|---|")
    print(f"| database | {backend} | |")
    print(f"| seeding (migrate + insert) | {seeding:.2f} s | |")
    print(f"| dispatcher settings | concurrency {settings.concurrency}, batch {settings.batch_size} | |")
    print(f"| total wall time (sweeps until all sent) | {wall:.2f} s | ≤ {TARGET_SECONDS:.0f} s |")
    print(f"| first sweep | {float(result['first_sweep']):.2f} s | |")  # type: ignore[arg-type]
    print(f"| sweeps | {result['sweeps']} | |")
    print(f"| messages delivered | {delivered} | {args.members} |")
    print(f"| duplicates | {result['duplicates']} | 0 |")
    print(f"| 429 answers (api.count_429) | {result['count_429']} | 0 |")
    print(f"| achieved rate | {rate:.2f} msg/s ({100 * rate / CEILING:.0f} % of the {CEILING:.0f}/s ceiling) | |")
    print(f"| first→last delivery | {float(result['span']):.2f} s | ≥ {(args.members - 1) / CEILING:.1f} s |")  # type: ignore[arg-type]
    print(f"| busiest 1-s window at the server | {result['peak']} messages | ≤ {CEILING:.0f} |")
    print(f"| failures by kind | {result['failures'] or '-'} | |")
    print(f"| delivery states | {result['states']} | |")
    print(f"| verdict | {'PASS' if ok else 'MISS'} | |")
    if profiler:
        print()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
