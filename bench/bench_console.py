"""Benchmark: the office console under 20 concurrent users on the 500-unit bench plan with 2,000 documents.

The plan of bench_expand.py (500 units, 40 tasks, 2019 only here: its occurrences inserted in bulk, without
reminders, which the console never reads), 2,000 evidence documents with their details, 400 completions
waiting for review, a criteria tree (8 areas × 4 criteria × 3 sub-criteria, each leaf linked to a task and
half of them self-scored), and 20 signed-in office sessions. The console runs in a child process
(`--serve`), as `nhacviec run` serves it; the parent's 20 clients each load the dossier overview and the
review queue in turn for `--seconds`. Reports p50/p95/max per page and the requests per second.

Then the same load runs, in the same run, against a bare aiohttp handler answering the same number of bytes
(`--no-bare` skips it): the ratio shows what the console's own work costs.

Run: `.venv/bin/python bench/bench_console.py [--seconds 20] [--users 20] [--db URL]`. Target: p95 under
150 ms for both pages (issue 23: with 50 concurrent clients, `--users 50`).
Without --db a fresh SQLite file in a temporary folder is used.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from sqlalchemy import insert, select  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bot.db.engine import make_engine, migrate  # noqa: E402
from bot.db.models import (  # noqa: E402
    EvidenceRow,
    MemberRow,
    OccurrenceRow,
    ReviewRow,
    SelfScoreRow,
    TaskRow,
    UnitRow,
)

UTC = timezone.utc
NOW = datetime(2019, 11, 13, 2, 0, tzinfo=UTC)
TARGET_MS = 150
WARM_UP = 2.0


def seed(engine: Engine, rng: random.Random, documents: int, pending: int) -> None:
    """The 500-unit plan's 2019 occurrences, documents, reviews, criteria and scores."""
    from bench_expand import build_plan_data

    from bot.domain.deadlines import expand_plan
    from bot.domain.plan import Plan
    from bot.domain.workdays import WorkCalendar
    from bot.dossier import tree
    from bot.dossier.criteria_file import parse_criteria_file

    data = build_plan_data()
    plan = Plan.model_validate(data)
    occurrences = expand_plan(plan, WorkCalendar(), date(2019, 1, 1), date(2019, 12, 31))
    with Session(engine) as s, s.begin():
        s.execute(insert(UnitRow), [dict(id=u["id"], name=u["name"], retired=False) for u in data["units"]])
        s.execute(insert(TaskRow), [dict(id=t["id"], area=t["area"], area_name=f"Lĩnh vực {t['area']}",
                                         title=t["title"], evidence_required=True, plan_id="bench",
                                         plan_title="Kế hoạch CCHC") for t in data["tasks"]])
        s.execute(insert(MemberRow), [dict(chat_id=1, user_id=1, role="admin", unit="PHONG000", name="Văn phòng",
                                           reachable=True, active=True, created_at=NOW)]
                  + [dict(chat_id=10_000 + i, user_id=10_000 + i, role="head", unit=u["id"], name=f"Trưởng {u['id']}",
                          reachable=True, active=True, created_at=NOW) for i, u in enumerate(data["units"])])
        s.execute(insert(OccurrenceRow), [dict(key=o.key, task_id=o.task_id, deadline_id=o.deadline_id, unit=o.unit,
                                               period=o.period, label=o.label, source=o.source,
                                               lead_units=",".join(o.lead_units), due=o.due,
                                               status=rng.choice(["open", "open", "done", "returned"]))
                                          for o in occurrences])
        members = {u: m for m, u in s.execute(select(MemberRow.id, MemberRow.unit))}
        occs = list(s.execute(select(OccurrenceRow.id, OccurrenceRow.unit)))
        chosen = rng.sample(occs, documents)
        s.execute(insert(EvidenceRow), [dict(occurrence_id=occ, member_id=members[unit], kind="document",
                                             file_name=f"Báo cáo {n}.pdf", size=100_000, created_at=NOW,
                                             doc_number=f"{n}/BC-{unit}", doc_date=date(2019, 1 + n % 11, 10),
                                             doc_summary="Báo cáo kết quả thực hiện nhiệm vụ CCHC",
                                             doc_issuer="Sở Giáo dục và Đào tạo")
                                        for n, (occ, unit) in enumerate(chosen)])
        waiting = chosen[:pending]
        s.execute(insert(ReviewRow), [dict(occurrence_id=occ, submitted_by=members[unit],
                                           submitted_at=NOW - timedelta(minutes=n))
                                      for n, (occ, unit) in enumerate(waiting)])
        for occ, _unit in waiting:
            s.get(OccurrenceRow, occ).status = "awaiting_review"  # type: ignore[union-attr]
    lines = ["format: 2", "set:", "  year: 2019", "  name: \"Chỉ số CCHC 2019 (đo hiệu năng)\"", "  total_points: 96",
             "  last_year: {points: \"70,69\", rank: 15, of: 21}", "criteria:"]
    task_ids = [t["id"] for t in data["tasks"]]
    n = 0
    for a in range(1, 9):
        lines.append(f"  - {{code: \"{a}\", level: linh_vuc, parent: null, name: \"Lĩnh vực {a}\", max_points: 12}}")
        for c in range(1, 5):
            lines.append(f"  - {{code: \"{a}.{c}\", level: tieu_chi, parent: \"{a}\", name: \"Tiêu chí {a}.{c}\", "
                         "max_points: 3}")
            for p in range(1, 4):
                task = task_ids[n % len(task_ids)]
                lines.append(f"  - {{code: \"{a}.{c}.{p}\", level: tieu_chi_thanh_phan, parent: \"{a}.{c}\", "
                             f"name: \"Tiêu chí thành phần {a}.{c}.{p}\", max_points: 1, tasks: [\"{task}\"]}}")
                n += 1
    with Session(engine) as s, s.begin():
        tree.load_file(s, parse_criteria_file("\n".join(lines) + "\n"), NOW, source="bench")
        _facts, nodes = tree.tree(s, None)
        leaves = [node for node in nodes if node.level == "tieu_chi_thanh_phan"]
        s.execute(insert(SelfScoreRow), [dict(criterion_id=node.id, score=1.0, explanation="", recorded_by=1,
                                              recorded_at=NOW) for node in leaves[::2]])
    if engine.dialect.name == "postgresql":  # planner statistics after a bulk load, as autovacuum would
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")


def own_schema(url: str, drop_only: bool = False) -> str:
    """PostgreSQL: a fresh schema `bench_console` (the test suite's `public` is left alone); the URL using it."""
    from sqlalchemy import create_engine, make_url

    admin = create_engine(url)
    with admin.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA IF EXISTS bench_console CASCADE")
        if not drop_only:
            conn.exec_driver_sql("CREATE SCHEMA bench_console")
    admin.dispose()
    return make_url(url).update_query_dict({"options": "-csearch_path=bench_console"}).render_as_string(
        hide_password=False)


def cookies(engine: Engine, users: int) -> list[str]:
    """One office session per simulated user (a sign-in link made and used)."""
    from bot.console import sessions

    out = []
    with Session(engine) as s, s.begin():
        admin = s.scalars(select(MemberRow).where(MemberRow.role == "admin")).one()
        for _ in range(users):
            token = sessions.make_link_token(s, admin, NOW, "bench")
            out.append(sessions.redeem(s, token, NOW)[0])
    return out


def serve_bare(port: int, size: int) -> None:
    """The child of the baseline: a bare aiohttp handler answering both pages with `size` fixed bytes."""
    from aiohttp import web

    body = b"<p>" + b"x" * max(0, size - 7) + b"</p>\n"

    async def page(request: web.Request) -> web.Response:
        return web.Response(body=body, content_type="text/html")

    app = web.Application()
    app.router.add_get("/console/dossier", page)
    app.router.add_get("/console/review", page)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def serve(db: str, port: int) -> None:
    """The child: the console alone on 127.0.0.1:port until killed."""
    from aiohttp import web

    from bot.console.app import Console, ConsoleServices
    from bot.domain.clock import FixedClock

    engine = make_engine(db)
    app = web.Application()
    app.add_subapp("/console/", Console(ConsoleServices(engine, FixedClock(NOW), ZoneInfo("Asia/Ho_Chi_Minh"),
                                                        Path(tempfile.gettempdir()), f"http://127.0.0.1:{port}",
                                                        fresh_seconds=float(os.environ.get("BENCH_FRESH", "5")))).app())
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


async def load(base: str, cookie_values: list[str], seconds: float, think: float,
               sizes: dict[str, int] | None = None) -> dict[str, list[float]]:
    """Each user alternates the overview and the review queue until the time is up, `think` seconds apart
    (0: back to back, a stress far beyond 20 people reading)."""
    import aiohttp

    times: dict[str, list[float]] = {"/console/dossier": [], "/console/review": []}
    warm = time.perf_counter() + WARM_UP  # the first requests fill the caches (templates, overview): not counted
    deadline = warm + seconds

    async def user(cookie: str, first: int) -> None:
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(base_url=base, cookie_jar=jar, cookies={"nhv_console": cookie}) as client:
            paths = list(times)
            n = first
            await asyncio.sleep(think * random.random())  # people do not all click at the same instant
            while time.perf_counter() < deadline:
                path = paths[n % 2]
                start = time.perf_counter()
                async with client.get(path) as response:
                    body = await response.read()
                    assert response.status == 200, (path, response.status)
                if sizes is not None:
                    sizes[path] = len(body)
                if start >= warm:
                    times[path].append((time.perf_counter() - start) * 1000)
                n += 1
                if think:
                    await asyncio.sleep(think * (0.5 + random.random()))  # a person reading the page

    await asyncio.gather(*(user(c, i) for i, c in enumerate(cookie_values)))
    return times


def wait_for(port: int, proc: subprocess.Popen[bytes]) -> None:
    import socket

    for _ in range(300):  # waiting for the child to listen, not for a scheduler
        if proc.poll() is not None:
            raise SystemExit("the console process stopped")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit("the console did not start")


def table(times: dict[str, tuple[str, list[float]]], bare: dict[str, list[float]], seconds: float) -> bool:
    """Print the Markdown table (each page: label, its times; beside the bare handler's); True if p95 missed."""
    failed = False
    print("| page | server | requests | p50 ms | p95 ms | max ms | requests/s | nhacviec/bare |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for key, (label, ms) in times.items():
        if not ms:  # a run too short for this page to be asked (the smoke run)
            continue
        ms.sort()
        p95 = ms[max(0, int(len(ms) * 0.95) - 1)]
        failed |= p95 >= TARGET_MS
        print(f"| {label} | nhacviec | {len(ms)} | {statistics.median(ms):.1f} | {p95:.1f} | {ms[-1]:.1f} "
              f"| {len(ms) / seconds:.1f} | |")
        base = sorted(bare.get(key, []))
        if base:
            bare_p95 = base[max(0, int(len(base) * 0.95) - 1)]
            print(f"| | bare aiohttp | {len(base)} | {statistics.median(base):.1f} | {bare_p95:.1f} | {base[-1]:.1f} "
                  f"| {len(base) / seconds:.1f} | requests {len(ms) / len(base):.2f}, p95 {p95 / bare_p95:.1f}× |")
    return failed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=None)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--think", type=float, default=0.0, help="seconds between a user's requests (0: none)")
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--pending", type=int, default=400)
    parser.add_argument("--no-bare", action="store_true", help="skip the bare aiohttp baseline")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--serve-bare", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.db, args.port)
        return
    if args.serve_bare:
        serve_bare(args.port, args.serve_bare)
        return
    bare: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="nhacviec-bench-console-") as tmp:
        pg = bool(args.db and args.db.startswith("postgresql"))
        db = own_schema(args.db) if pg else args.db or f"sqlite:///{Path(tmp) / 'bench.db'}"
        engine = make_engine(db)
        migrate(engine)
        started = time.perf_counter()
        seed(engine, random.Random(7), args.documents, args.pending)
        with Session(engine) as s:
            counts = (s.query(OccurrenceRow).count(), s.query(EvidenceRow).count(), s.query(ReviewRow).count())
        print(f"seeded in {time.perf_counter() - started:.1f} s: {counts[0]:,} occurrences, {counts[1]:,} documents, "
              f"{counts[2]:,} reviews waiting, 500 units")
        values = cookies(engine, args.users)
        engine.dispose()
        from tests.ports import held_port

        sizes: dict[str, int] = {}
        with held_port() as port:  # held until the child listens on it (SO_REUSEADDR)
            proc = subprocess.Popen([sys.executable, __file__, "--serve", "--db", db, "--port", str(port)],
                                    env={**os.environ, "PYTHONPATH": str(ROOT)})
            try:
                wait_for(port, proc)
                times = asyncio.run(load(f"http://127.0.0.1:{port}", values, args.seconds, args.think, sizes))
            finally:
                proc.terminate()
                proc.wait(30)
                if pg:
                    own_schema(args.db, drop_only=True)
        if not args.no_bare:  # the same load, in the same run, on a bare aiohttp handler of the same page size
            size = max(sizes.values(), default=1000)
            with held_port() as port:
                proc = subprocess.Popen([sys.executable, __file__, "--serve-bare", str(size), "--port", str(port)],
                                        env={**os.environ, "PYTHONPATH": str(ROOT)})
                try:
                    wait_for(port, proc)
                    bare = asyncio.run(load(f"http://127.0.0.1:{port}", values, args.seconds, args.think))
                finally:
                    proc.terminate()
                    proc.wait(30)
    failed = table({path: (path, ms) for path, ms in times.items()}, bare, args.seconds)
    print(f"{args.users} concurrent users, think time {args.think:g} s, for {args.seconds:.0f} s; target p95 < "
          f"{TARGET_MS} ms: "
          f"{'NOT MET' if failed else 'met'} (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
