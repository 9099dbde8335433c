"""Benchmark: the personal page (`/p/{token}`) under 50 concurrent heads on the 500-unit bench plan.

The data of bench_console.py (the 500-unit plan's 2019 occurrences, 2,000 documents, 400 reviews waiting,
one head per unit); 50 heads each get their personal link (`LinkMaker`, as `/trang` hands it out). The page
runs in a child process (`--serve`), as `nhacviec run` serves it; each of the parent's clients alternates
its task list (`/p/{token}`) and one task page of its own unit (`/p/{token}/task/{occ}`) for `--seconds`,
`--think` seconds apart (0: back to back). Reports p50/p95/max per page and the requests per second.

Then the same load runs, in the same run, against a bare aiohttp handler answering the same bytes (the list
and the task page first fetched; `--no-bare` skips it): the ratio shows what the page's own work costs.

Run: `.venv/bin/python bench/bench_page.py [--seconds 20] [--users 50] [--think 1] [--db URL]`. Target (issue
23): p95 under 150 ms for both pages with 50 concurrent clients. Without --db a fresh SQLite file is used.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_console import NOW, own_schema, seed, table, wait_for  # noqa: E402
from sqlalchemy import select  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bot.db.engine import make_engine, migrate  # noqa: E402
from bot.db.models import MemberRow, OccurrenceRow  # noqa: E402

TARGET_MS = 150
WARM_UP = 2.0
SECRET = b"bench-page-secret-0123456789"
PAGES = ("list", "task")


def clients(engine: Engine, users: int, base: str) -> list[tuple[str, str]]:
    """(list path, task path) for `users` heads: their personal link and one open task of their unit."""
    from bot.domain.clock import FixedClock
    from bot.web.personal import LinkMaker

    maker = LinkMaker(engine, SECRET, base, FixedClock(NOW))
    out = []
    with Session(engine) as s:
        heads = s.scalars(select(MemberRow).where(MemberRow.role == "head").order_by(MemberRow.id).limit(users))
        for head in heads:
            occ = s.scalars(select(OccurrenceRow.id).where(OccurrenceRow.unit == head.unit)
                            .order_by(OccurrenceRow.due.desc())).first()
            path = maker.url_of(head).removeprefix(base)
            out.append((path, f"{path}/task/{occ}"))
    return out


def serve(db: str, port: int) -> None:
    """The child: the personal page alone on 127.0.0.1:port until killed."""
    from aiohttp import web

    from bot.domain.clock import FixedClock
    from bot.web.app import PersonalPage, WebServices

    services = WebServices(make_engine(db), FixedClock(NOW), ZoneInfo("Asia/Ho_Chi_Minh"),
                           Path(tempfile.gettempdir()) / "nhacviec-bench-page-ev", SECRET, f"http://127.0.0.1:{port}")
    web.run_app(PersonalPage(services).app(), host="127.0.0.1", port=port, print=None, access_log=None)


def serve_bare(port: int, folder: str) -> None:
    """The child of the baseline: a bare aiohttp handler answering each page with the bytes saved in `folder`."""
    from aiohttp import web

    bodies = {name: (Path(folder) / name).read_bytes() for name in PAGES}

    async def listing(request: web.Request) -> web.Response:
        return web.Response(body=bodies["list"], content_type="text/html")

    async def task(request: web.Request) -> web.Response:
        return web.Response(body=bodies["task"], content_type="text/html")

    app = web.Application()
    app.router.add_get("/p/{token}", listing)
    app.router.add_get("/p/{token}/task/{occ}", task)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


async def load(base: str, paths: list[tuple[str, str]], seconds: float, think: float,
               bodies: dict[str, bytes] | None = None) -> dict[str, list[float]]:
    """Each client alternates its list and its task page until the time is up, `think` seconds apart."""
    import aiohttp

    times: dict[str, list[float]] = {name: [] for name in PAGES}
    warm = time.perf_counter() + WARM_UP  # the first requests fill the caches: not counted
    deadline = warm + seconds

    async def client(pair: tuple[str, str], first: int) -> None:
        async with aiohttp.ClientSession(base_url=base) as session:
            n = first
            await asyncio.sleep(think * random.random())  # people do not all click at the same instant
            while time.perf_counter() < deadline:
                name, path = PAGES[n % 2], pair[n % 2]
                start = time.perf_counter()
                async with session.get(path) as response:
                    body = await response.read()
                    assert response.status == 200, (path, response.status, body[:300])
                if bodies is not None:
                    bodies.setdefault(name, body)
                if start >= warm:
                    times[name].append((time.perf_counter() - start) * 1000)
                n += 1
                if think:
                    await asyncio.sleep(think * (0.5 + random.random()))  # a person reading the page

    await asyncio.gather(*(client(pair, i) for i, pair in enumerate(paths)))
    return times


def _run(argv: list[str], port: int, paths: list[tuple[str, str]], seconds: float, think: float,
         bodies: dict[str, bytes] | None = None) -> dict[str, list[float]]:
    proc = subprocess.Popen(argv, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        wait_for(port, proc)
        return asyncio.run(load(f"http://127.0.0.1:{port}", paths, seconds, think, bodies))
    finally:
        proc.terminate()
        proc.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=None)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--think", type=float, default=1.0, help="seconds between a client's requests (0: none)")
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--pending", type=int, default=400)
    parser.add_argument("--no-bare", action="store_true", help="skip the bare aiohttp baseline")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--serve-bare", default="", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.db, args.port)
        return
    if args.serve_bare:
        serve_bare(args.port, args.serve_bare)
        return
    from tests.ports import held_port

    bare: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="nhacviec-bench-page-") as tmp:
        pg = bool(args.db and args.db.startswith("postgresql"))
        db = own_schema(args.db) if pg else args.db or f"sqlite:///{Path(tmp) / 'bench.db'}"
        engine = make_engine(db)
        migrate(engine)
        started = time.perf_counter()
        seed(engine, random.Random(7), args.documents, args.pending)
        with Session(engine) as s:
            occurrences = s.query(OccurrenceRow).count()
        print(f"seeded in {time.perf_counter() - started:.1f} s: {occurrences:,} occurrences, "
              f"{args.documents:,} documents, 500 units")
        bodies: dict[str, bytes] = {}
        try:
            with held_port() as port:  # held until the child listens on it (SO_REUSEADDR)
                paths = clients(engine, args.users, f"http://127.0.0.1:{port}")
                engine.dispose()
                times = _run([sys.executable, __file__, "--serve", "--db", db, "--port", str(port)], port, paths,
                             args.seconds, args.think, bodies)
        finally:
            if pg:
                own_schema(args.db, drop_only=True)
        if not args.no_bare:  # the same load, in the same run, on a bare aiohttp handler of the same bytes
            for name in PAGES:
                (Path(tmp) / name).write_bytes(bodies.get(name, b"<p></p>"))
            with held_port() as port:
                bare = _run([sys.executable, __file__, "--serve-bare", tmp, "--port", str(port)], port, paths,
                            args.seconds, args.think)
    labels = {"list": "/p/{token}", "task": "/p/{token}/task/{occ}"}
    failed = table({name: (f"{labels[name]} ({len(bodies.get(name, b'')) / 1024:.1f} KiB)", ms)
                    for name, ms in times.items()}, bare, args.seconds)
    print(f"{args.users} concurrent clients, think time {args.think:g} s, for {args.seconds:.0f} s; target p95 < "
          f"{TARGET_MS} ms: {'NOT MET' if failed else 'met'} "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")



if __name__ == "__main__":
    main()
