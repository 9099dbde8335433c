"""Two `nhacviec run` processes in webhook mode sharing one PostgreSQL database and one (fake) Bot API.

Both start together (each syncs the plan: the sync must be safe when run concurrently), both register
their webhook with setWebhook, and both dispatchers drain the same outbox with SELECT ... FOR UPDATE
SKIP LOCKED. `COUNT` due notices (one per unit head) go out exactly once each, and both processes do
part of the work.

`dispatch.rate_per_second` is the whole bot's budget, shared by both processes through PostgreSQL
(`send_budget`, bot/engine/ratelimit.py). The first test's fake server has no limit and the budget is set
to 300/s: it is about claiming, not pacing. NHACVIEC_SCALE_COUNT changes its count (default 10,000). The
second test keeps Telegram's default 30/s with no share set by hand, against the fake server's flood
limits, and measures the combined rate.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

import yaml
from sqlalchemy import func, select

from bot.db.engine import make_engine, migrate
from bot.db.models import DeliveryRow
from bot.sandbox.fake_api import FakeBotApi
from tests.conftest import MINI_PLAN, ROOT
from tests.integration.test_crash_and_concurrency import _seed_notices
from tests.ports import held_port

COUNT = int(os.environ.get("NHACVIEC_SCALE_COUNT", "10000"))
TOKEN = "555000:WEBHOOK-SCALE"
FIRST_CHAT = 1000  # _seed_notices: head of unit U{i} has chat 1000 + i



def _config(tmp: Path, api: FakeBotApi, pg_url: str, tag: str, port: int, **dispatch: object) -> Path:
    config = {
        "plan": str(MINI_PLAN.resolve()),
        "database": {"url": pg_url},
        "telegram": {"token": api.token, "base_url": api.base_url, "base_file_url": api.base_file_url,
                     "webhook": {"url": f"https://example.invalid/hook/{tag}", "listen": "127.0.0.1",
                                 "port": port, "secret_token": f"secret-{tag}"}},
        "clock": {"start": "2019-11-20T08:00:00+07:00", "speed": 1},  # the notices' due time (DUE)
        # A batch of 300 takes ~2 s at 150 msg/s, well inside the 120 s lease; one huge batch would let the
        # first process claim everything.
        "dispatch": {"interval_seconds": 1, "batch_size": 300, "concurrency": 8, **dispatch},
        "digest": {"enabled": False},
        "storage": {"evidence_dir": str(tmp / f"evidence-{tag}")},
        "log_level": "INFO",
    }
    path = tmp / f"config-{tag}.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


async def test_two_webhook_processes_share_the_outbox_and_send_each_notice_once(pg_url: str, tmp_path: Path) -> None:
    await _two_processes(pg_url, tmp_path, COUNT, enforce_limits=False, rate_per_second=300)


async def test_two_processes_share_telegrams_30_per_second_with_no_share_set_by_hand(
        pg_url: str, tmp_path: Path) -> None:
    count = 450  # 15 s at 30/s
    api = await _two_processes(pg_url, tmp_path, count, enforce_limits=True, batch_size=60)
    stamps = sorted(m.at for m in api.sent if m.chat_id >= FIRST_CHAT)
    peak = max(sum(1 for t in stamps[i:i + 40] if t < s + 1.0) for i, s in enumerate(stamps))
    rate = (len(stamps) - 1) / (stamps[-1] - stamps[0])
    print(f"shared budget: {len(stamps)} notices, {rate:.1f} msg/s combined, peak {peak} in any 1 s window, "
          f"{api.count_429} × 429")
    # Without the shared budget (each process pacing itself at 30/s) this run got 24 × 429; with it 0-5,
    # from the two processes' requests reaching the server with independent delays on a loaded machine.
    assert peak <= 30 and api.count_429 <= len(stamps) // 45
    assert rate >= 10  # and the budget is used, not wasted (20-21 msg/s measured on a loaded 2-core machine)


async def _two_processes(pg_url: str, tmp_path: Path, count: int, enforce_limits: bool,
                         **dispatch: object) -> FakeBotApi:
    COUNT = count  # the body below was the test's
    engine = make_engine(pg_url)
    migrate(engine)
    _seed_notices(engine, COUNT)
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    env["PYTHONPATH"] = str(ROOT)
    ports = ExitStack()  # the webhook ports, held (tests/ports.py) until both processes are gone
    async with FakeBotApi(token=TOKEN, enforce_limits=enforce_limits) as api:
        procs, errs = [], []
        for tag in ("a", "b"):
            err = tmp_path / f"{tag}.err"
            errs.append(err)
            with err.open("wb") as stderr:
                procs.append(await asyncio.create_subprocess_exec(
                    sys.executable, "-m", "bot", "run", "--config",
                    str(_config(tmp_path, api, pg_url, tag, ports.enter_context(held_port()), **dispatch)),
                    cwd=ROOT, env=env, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
                    stderr=stderr))
        started = time.monotonic()
        try:
            def notices() -> list[int]:
                return [m.chat_id for m in api.sent if FIRST_CHAT <= m.chat_id < FIRST_CHAT + COUNT]

            deadline = started + max(120.0, COUNT / 20)
            while len(notices()) < COUNT and time.monotonic() < deadline:
                for proc, err in zip(procs, errs, strict=True):
                    assert proc.returncode is None, err.read_text(errors="replace")[-3000:]
                await asyncio.sleep(0.5)
            elapsed = time.monotonic() - started
            sent = notices()
            print(f"\n{len(sent)} notices by two webhook processes in {elapsed:.1f} s "
                  f"({len(sent) / elapsed:.0f} msg/s)")
            assert len(sent) >= COUNT, f"{len(sent)}/{COUNT} after {elapsed:.0f} s"
            await asyncio.sleep(2)  # anything still in flight would show up as a duplicate
            twice = [chat for chat, n in Counter(notices()).items() if n > 1]
            assert twice == [] and len(notices()) == COUNT
            hooks = [c["url"] for c in api.calls_of("setWebhook")]
            assert sorted(hooks) == ["https://example.invalid/hook/a", "https://example.invalid/hook/b"]
            with engine.connect() as conn:
                workers = conn.execute(select(DeliveryRow.claimed_by, func.count())
                                       .where(DeliveryRow.chat_id >= FIRST_CHAT).group_by(DeliveryRow.claimed_by)).all()
                states = dict(conn.execute(select(DeliveryRow.state, func.count()).group_by(DeliveryRow.state)).all())
            print("claims per process:", dict(workers), "states:", states)
            assert len(workers) == 2 and all(n > 0 for _, n in workers)
            assert states.get("sent") == COUNT
        finally:
            for proc in procs:
                if proc.returncode is None:
                    proc.send_signal(signal.SIGTERM)
            codes = [await asyncio.wait_for(proc.wait(), 30) for proc in procs]
            ports.close()
            engine.dispose()
        assert codes == [0, 0], [e.read_text(errors="replace")[-3000:] for e in errs]
        for err in errs:
            text = err.read_text(errors="replace")
            assert "Traceback" not in text and TOKEN not in text, text[-3000:]
    return api
