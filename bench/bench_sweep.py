"""Benchmark: the database part of one sweep tick over a million reminder rows, with query plans.

Two years of history for 500 units: 1,000,000 reminders (mostly queued, with a sent delivery each,
or skipped), a few hundred pending in the future and a handful due now. One tick's database work is
outbox.recover + outbox.materialize + outbox.claim; it is timed idle (nothing due) and busy (a
handful due: materialised, claimed, then put back untimed), median of --runs. Then every statement
the busy tick ran (captured from the engine) is shown with its plan (SQLite: EXPLAIN QUERY PLAN;
PostgreSQL: EXPLAIN), plus outbox.next_due's two MIN queries. Target: a tick under 20 ms.

Run: `.venv/bin/python bench/bench_sweep.py [--rows 1000000] [--db postgresql+psycopg://...]
[--runs 20]`. Without --db a fresh SQLite file in a temporary folder is used; with a PostgreSQL
URL the bench works in its own schema (`bench_sweep`), dropped at the end unless --keep.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, delete, event, select, text, update  # noqa: E402
from sqlalchemy.engine import Engine, make_url  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bot.db.engine import make_engine, migrate  # noqa: E402
from bot.db.models import DeliveryRow, ReminderRow  # noqa: E402
from bot.engine import outbox  # noqa: E402

UTC = timezone.utc
NOW = datetime(2020, 10, 20, 1, 0, tzinfo=UTC)  # a Tuesday, 08:00 local
UNITS, TASKS, RUNGS = 500, 40, 8
FUTURE_PENDING, DUE_NOW = 300, 5
TARGET_MS = 20.0
LATE = timedelta(minutes=15)
SQLITE_FORMAT = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy's SQLite DateTime stores values


# --- database --------------------------------------------------------------------------------

def open_engine(url: str, schema: str) -> Engine:
    if make_url(url).get_backend_name() != "postgresql":
        return make_engine(url)
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    admin.dispose()
    return make_engine(str(make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})))


def drop_schema(url: str, schema: str) -> None:
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    admin.dispose()


def bulk_load(engine: Engine, table: str, columns: list[str], rows: Iterator[tuple[Any, ...]]) -> int:
    """COPY on PostgreSQL, one executemany transaction on SQLite; rows already hold storage values."""
    raw = engine.raw_connection()
    count = 0

    def counted() -> Iterator[tuple[Any, ...]]:
        nonlocal count
        for row in rows:
            count += 1
            yield row
    try:
        cursor = raw.cursor()
        if engine.dialect.name == "postgresql":
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for row in counted():
                    copy.write_row(row)
        else:
            cursor.execute("PRAGMA synchronous=OFF")  # a bulk load of a throw-away file
            cursor.execute("PRAGMA cache_size=-200000")
            cursor.execute("BEGIN")
            marks = ", ".join("?" for _ in columns)
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                               counted())  # type: ignore[arg-type]  # sqlite3 takes any iterable
            cursor.execute("COMMIT")
        raw.commit()
    finally:
        raw.close()
    return count


class Storage:
    """Values as the ORM stores them: SQLite keeps datetimes as text with microseconds, booleans as 0/1."""

    def __init__(self, dialect: str) -> None:
        self.sqlite = dialect == "sqlite"

    def at(self, value: datetime | None) -> Any:
        if value is None or not self.sqlite:
            return value
        return value.isoformat(" ", "microseconds")

    def day(self, value: date) -> Any:
        return value.isoformat() if self.sqlite else value

    def flag(self, value: bool) -> Any:
        return int(value) if self.sqlite else value


def naive(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(tzinfo=None)


def seed(engine: Engine, rows: int) -> dict[str, int]:
    """Units, heads, tasks, occurrences; `rows` reminders; a delivery for each queued reminder."""
    rng = random.Random(20201020)
    v = Storage(engine.dialect.name)
    occurrences = max(rows // RUNGS, 1)
    units = [f"U{u:03d}" for u in range(UNITS)]
    created = naive(NOW - timedelta(days=730))
    counts = {}
    counts["units"] = bulk_load(engine, "units", ["id", "name", "retired"],
                                ((u, f"Đơn vị {u}", v.flag(False)) for u in units))
    counts["members"] = bulk_load(
        engine, "members", ["id", "user_id", "chat_id", "name", "role", "unit", "reachable", "active", "lang",
                            "created_at"],
        ((i + 1, 10_000 + i, 10_000 + i, f"Trưởng {u}", "head", u, v.flag(True), v.flag(True), "vi", v.at(created))
         for i, u in enumerate(units)))
    bulk_load(engine, "members", ["id", "user_id", "chat_id", "name", "role", "unit", "reachable", "active", "lang",
                                  "created_at"], iter([(UNITS + 1, 1, 1, "Văn phòng", "admin", "U000", v.flag(True),
                                                        v.flag(True), "vi", v.at(created))]))
    counts["tasks"] = bulk_load(engine, "tasks", ["id", "area", "area_name", "title", "evidence_required"],
                                ((f"{t // 5 + 1}.{t % 5 + 1}", str(t // 5 + 1), f"Lĩnh vực {t // 5 + 1}",
                                  f"Nhiệm vụ {t}", v.flag(t % 3 == 0)) for t in range(TASKS)))
    # Occurrences: task × unit × period, due dates spread over two years up to two months ahead.
    start = NOW - timedelta(days=700)
    span = (NOW + timedelta(days=60) - start).total_seconds()

    def occ_rows() -> Iterator[tuple[Any, ...]]:
        for o in range(occurrences):
            task, unit, period = o % TASKS, (o // TASKS) % UNITS, o // (TASKS * UNITS)
            due = (start + timedelta(seconds=span * o / occurrences)).date()
            status = "done" if due < NOW.date() - timedelta(days=10) and rng.random() < 0.8 else "open"
            yield (o + 1, f"{period:03d}/U{unit:03d}/{task // 5 + 1}.{task % 5 + 1}", f"{task // 5 + 1}.{task % 5 + 1}",
                   "d", f"U{unit:03d}", str(period), "Báo cáo", "seed", "", v.day(due), status)
    counts["occurrences"] = bulk_load(engine, "occurrences", ["id", "key", "task_id", "deadline_id", "unit", "period",
                                                              "label", "source", "lead_units", "due", "status"],
                                      occ_rows())
    # Reminders: RUNGS per occurrence, history before NOW; the last few hundred are the future.
    history = rows - FUTURE_PENDING - DUE_NOW
    queued: list[tuple[int, int, datetime]] = []

    base, step = naive(NOW - timedelta(days=730)), 730 * 86400 / max(history, 1)

    def reminder_rows() -> Iterator[tuple[Any, ...]]:
        for r in range(rows):
            occ = min(r // RUNGS, occurrences - 1) + 1
            unit = f"U{((occ - 1) // TASKS) % UNITS:03d}"
            if r < history:
                due_at = base + timedelta(seconds=step * r)
                if rng.random() < 0.7:
                    state, note = "queued", None
                    queued.append((r + 1, ((occ - 1) // TASKS) % UNITS, due_at))
                else:
                    state, note = "skipped", rng.choice(["status:done", "snoozed", "before_sync"])
            elif r < history + DUE_NOW:
                due_at, state, note = naive(NOW - timedelta(minutes=1)), "pending", None
            else:
                due_at = naive(NOW + timedelta(hours=1 + (r - history) * 4))
                state, note = "pending", None
            yield (r + 1, f"rem/{r:08d}", occ, "before", f"r{r % RUNGS}", unit, v.at(due_at), state, note)
    counts["reminders"] = bulk_load(engine, "reminders", ["id", "key", "occurrence_id", "kind", "rung", "target",
                                                          "due_at", "state", "note"], reminder_rows())
    # The handful due now must belong to open occurrences to be sent.
    with Session(engine) as s, s.begin():
        s.execute(text("UPDATE occurrences SET status = 'open' WHERE id IN "
                       "(SELECT occurrence_id FROM reminders WHERE state = 'pending')"))

    def delivery_rows() -> Iterator[tuple[Any, ...]]:
        for i, (rid, unit, due_at) in enumerate(queued):
            roll = rng.random()
            state = "sent" if roll < 0.99 else "failed" if roll < 0.995 else "uncertain" if roll < 0.998 else "skipped"
            yield (i + 1, rid, 10_000 + unit, "", unit + 1, state, v.at(due_at), 0, "w-old", v.at(due_at),
                   v.at(due_at + timedelta(seconds=2)) if state == "sent" else None, rng.randint(1, 10**6),
                   v.flag(state == "uncertain"), v.flag(False), None if state == "sent" else "history")
    counts["deliveries"] = bulk_load(engine, "deliveries",
                                     ["id", "reminder_id", "chat_id", "address", "member_id", "state", "next_at",
                                      "attempts", "claimed_by", "claimed_at", "sent_at", "message_id", "uncertain",
                                      "late", "error"],
                                     delivery_rows())
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            for table in ("members", "occurrences", "reminders", "deliveries"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                  f"(SELECT max(id) FROM {table}))"))
    with engine.connect() as conn:  # autovacuum would do it on a live server; after a bulk load we do
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
            "VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE")
    return counts


# --- the tick --------------------------------------------------------------------------------

def tick(engine: Engine) -> tuple[float, float, float, int]:
    """recover + materialize + claim, as Dispatcher.sweep runs them; returns each one's ms and claimed."""
    t0 = time.perf_counter()
    outbox.recover(engine, NOW, NOW)  # the sweep passes the real clock: leases run out before it
    t1 = time.perf_counter()
    outbox.materialize(engine, NOW, LATE, ())
    t2 = time.perf_counter()
    claimed = outbox.claim(engine, NOW, "bench", 500)
    t3 = time.perf_counter()
    return (t1 - t0) * 1000, (t2 - t1) * 1000, (t3 - t2) * 1000, len(claimed)


def put_back(engine: Engine, due_ids: list[int]) -> None:
    """Undo a busy tick (untimed): the handful due are pending again, their deliveries gone."""
    with Session(engine) as s, s.begin():
        s.execute(delete(DeliveryRow).where(DeliveryRow.reminder_id.in_(due_ids)))
        s.execute(update(ReminderRow).where(ReminderRow.id.in_(due_ids)).values(state="pending"))


def measure(runs: int, fn: Callable[[], tuple[float, float, float, int]],
            after: Callable[[], None] | None = None) -> tuple[list[tuple[float, float, float, int]], list[float]]:
    results, totals = [], []
    for _ in range(runs):
        r = fn()
        results.append(r)
        totals.append(r[0] + r[1] + r[2])
        if after:
            after()
    return results, totals


def capture(engine: Engine, fn: Callable[[], object]) -> list[tuple[str, Any]]:
    """The statements fn sends to the database (transaction control left out)."""
    seen: list[tuple[str, Any]] = []

    def listener(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
            seen.append((statement, parameters[0] if executemany and parameters else parameters))
    event.listen(engine, "before_cursor_execute", listener)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return seen


def explain(engine: Engine, statement: str, parameters: Any) -> list[str]:
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(prefix + statement, parameters).all()
        conn.rollback()
    if engine.dialect.name == "sqlite":
        return [str(r[-1]) for r in rows]
    return [str(r[0]) for r in rows]


def one_line(statement: str) -> str:
    return " ".join(statement.split())[:150]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="reminder rows (default 1,000,000)")
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file in a temporary folder)")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--schema", default="bench_sweep", help="PostgreSQL schema to (re)create")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL schema afterwards")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-sweep-") as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'sweep.db'}"
        backend = make_url(url).get_backend_name()
        engine = open_engine(url, args.schema)
        try:
            t0 = time.perf_counter()
            migrate(engine)
            counts = seed(engine, args.rows)
            seeding = time.perf_counter() - t0
            with Session(engine) as s:
                due_ids = list(s.scalars(select(ReminderRow.id).where(ReminderRow.state == "pending",
                                                                      ReminderRow.due_at <= NOW)))
            # Warm-up (first connection, statement caches), then the measured runs.
            busy_first = tick(engine)
            put_back(engine, due_ids)
            busy, busy_totals = measure(args.runs, lambda: tick(engine), lambda: put_back(engine, due_ids))
            statements = capture(engine, lambda: tick(engine))
            put_back(engine, due_ids)
            with Session(engine) as s, s.begin():  # nothing due: the handful are pushed to tomorrow
                s.execute(update(ReminderRow).where(ReminderRow.id.in_(due_ids))
                          .values(due_at=NOW + timedelta(days=1)))
            tick(engine)
            idle, idle_totals = measure(args.runs, lambda: tick(engine))
            nd_times = []
            for _ in range(args.runs):
                t = time.perf_counter()
                outbox.next_due(engine)
                nd_times.append((time.perf_counter() - t) * 1000)
            next_due_statements = capture(engine, lambda: outbox.next_due(engine))
            plans = [(st, explain(engine, st, params)) for st, params in statements + next_due_statements]
            sizes = {}
            with engine.connect() as conn:
                for table in ("reminders", "deliveries", "occurrences"):
                    sizes[table] = conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()
        finally:
            engine.dispose()
            if backend == "postgresql" and not args.keep:
                drop_schema(url, args.schema)

    def med(values: list[float]) -> str:
        return f"{statistics.median(values):.2f} ms"

    ok = statistics.median(idle_totals) < TARGET_MS and statistics.median(busy_totals) < TARGET_MS
    print(f"\n### bench_sweep: one tick over {sizes['reminders']:,} reminders, {backend}\n")
    print(f"Seeded in {seeding:.1f} s: {sizes['reminders']:,} reminders ({FUTURE_PENDING} pending in the future, "
          f"{DUE_NOW} due now), {sizes['deliveries']:,} deliveries, {sizes['occurrences']:,} occurrences, "
          f"{counts['members'] + 1} members.\n")
    print(f"| tick ({args.runs} runs, median) | recover | materialize | claim | total | target |")
    print("|---|---|---|---|---|---|")
    print(f"| idle (nothing due) | {med([r[0] for r in idle])} | {med([r[1] for r in idle])} | "
          f"{med([r[2] for r in idle])} | **{med(idle_totals)}** (max {max(idle_totals):.2f}) | < {TARGET_MS:.0f} ms |")
    print(f"| busy ({DUE_NOW} due: materialised + claimed) | {med([r[0] for r in busy])} | "
          f"{med([r[1] for r in busy])} | "
          f"{med([r[2] for r in busy])} | **{med(busy_totals)}** (max {max(busy_totals):.2f}) | < {TARGET_MS:.0f} ms |")
    print(f"| outbox.next_due (two MINs) | | | | {med(nd_times)} | |")
    print(f"\nFirst busy tick (cold): {sum(busy_first[:3]):.2f} ms, claimed {busy_first[3]}. "
          f"Verdict: {'PASS' if ok else 'MISS'}.\n")
    print("Query plans of every statement of a busy tick, then next_due:\n")
    for statement, plan in plans:
        print(f"- `{one_line(statement)}`")
        for line in plan:
            print(f"    {line}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
