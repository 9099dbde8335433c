"""Pruning with the clock, the SQLite file watched per transaction, the shared send budget in PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from bot.db.engine import DatabaseVanished, make_engine, migrate, on_vanished
from bot.db.models import AuditRow, ProcessedUpdateRow
from bot.engine.prune import Retention, prune
from bot.engine.ratelimit import RateLimiter, SharedBudget

NOW = datetime(2019, 11, 20, 1, 0, tzinfo=UTC)
REAL = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)


# --- pruning ---------------------------------------------------------------------------------

def _export(root: Path, name: str, age: timedelta) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "goi-minh-chung-1.zip").write_bytes(b"x" * 10)
    stamp = (REAL - age).timestamp()
    os.utime(folder, (stamp, stamp))
    return folder


def test_prune_forgets_old_update_ids_and_deletes_old_export_folders_only(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'bot.db'}")
    migrate(engine)
    with Session(engine) as s, s.begin():
        s.execute(insert(ProcessedUpdateRow), [{"update_id": i, "at": NOW - timedelta(days=i)} for i in range(1, 11)])
    exports = tmp_path / "exports"
    old = _export(exports, "20191001-080000-17", timedelta(days=45))
    recent = _export(exports, "20191115-080000-99", timedelta(days=3))
    other = _export(exports, "giu-lai", timedelta(days=400))  # not made by /xuat: never touched
    report = prune(engine, NOW, REAL, exports, Retention(updates=timedelta(days=7), exports=timedelta(days=30)))
    with Session(engine) as s:
        kept = sorted(s.scalars(select(ProcessedUpdateRow.update_id)))
        audited = s.scalars(select(AuditRow.action).where(AuditRow.action == "pruned")).all()
    assert kept == [1, 2, 3, 4, 5, 6, 7]  # 7 days old or less (update 7 is exactly 7 days: kept)
    assert report.updates == 3 and report.folders == (old.name,)
    assert not old.exists() and recent.exists() and other.exists()
    assert audited == ["pruned"]
    # a week later on both clocks the rest goes too; a second run with nothing to do does nothing
    report = prune(engine, NOW + timedelta(days=40), REAL + timedelta(days=40), exports)
    assert report.updates == 7 and report.folders == (recent.name,)
    assert prune(engine, NOW + timedelta(days=40), REAL + timedelta(days=40), exports).updates == 0
    assert prune(engine, NOW, REAL, tmp_path / "missing").folders == ()
    engine.dispose()


# --- the SQLite file watched ------------------------------------------------------------------

def _write(engine: object) -> None:
    with Session(engine) as s, s.begin():  # type: ignore[arg-type]
        s.execute(insert(ProcessedUpdateRow).values(update_id=int(time.time_ns() % 10**9), at=NOW))


@pytest.mark.parametrize("how", ["deleted", "replaced"])
def test_a_vanished_or_replaced_sqlite_file_refuses_every_transaction_with_a_clear_message(
        tmp_path: Path, how: str) -> None:
    path = tmp_path / "bot.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    _write(engine)
    seen: list[DatabaseVanished] = []
    on_vanished(engine, seen.append)
    if how == "deleted":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:  # a copy put in its place (another inode): writes would go to a file nobody reads
        engine.dispose()
        shutil.copy(path, tmp_path / "copy.db")
        os.replace(tmp_path / "copy.db", path)
    for _ in range(2):
        with pytest.raises(DatabaseVanished) as caught:
            _write(engine)
    message = str(caught.value)
    assert "Tệp cơ sở dữ liệu" in message and str(path) in message and "bị xóa hoặc bị thay thế" in message
    assert len(seen) == 2
    engine.dispose()


def test_an_untouched_sqlite_file_passes_the_check(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'bot.db'}")
    migrate(engine)
    for _ in range(3):
        _write(engine)
    engine.dispose()


# --- the shared send budget -------------------------------------------------------------------

async def test_two_limiters_on_one_postgresql_budget_share_30_per_second(pg_url: str) -> None:
    engines = [make_engine(pg_url) for _ in range(2)]
    migrate(engines[0])
    limiters = [RateLimiter(budget=SharedBudget(e, per_second=30)) for e in engines]
    stamps: list[float] = []

    async def send(limiter: RateLimiter, chat: int) -> None:
        async with limiter.sending(chat):
            stamps.append(time.monotonic())

    # each limiter alone would send its 45 within ~1.5 s; together they must take ~3 s
    await asyncio.gather(*(send(limiters[i % 2], 5000 + i) for i in range(90)))
    stamps.sort()
    peak = max(sum(1 for t in stamps if s <= t < s + 1.0) for s in stamps)
    assert peak <= 30, peak
    assert stamps[-1] - stamps[0] >= 2.8
    # a RetryAfter seen by one pauses the other
    limiters[0].pause(1.0)
    began = time.monotonic()
    await send(limiters[1], 6000)
    assert time.monotonic() - began >= 0.9
    with engines[0].connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM send_budget")).scalar() == 1
    for e in engines:
        e.dispose()


# --- migration 0004 carries the outbox forward ------------------------------------------------

def test_migration_0004_keeps_existing_deliveries_and_adds_the_hold(db_url: str) -> None:
    from alembic import command
    from alembic.config import Config

    from bot.db.engine import MIGRATIONS

    engine = make_engine(db_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO reminders (id, key, kind, rung, target, due_at, state) "
                          "VALUES (1, 'notice:x', 'notice', 'x', 'office', :at, 'queued')"), {"at": NOW})
        conn.execute(text("INSERT INTO deliveries (id, reminder_id, chat_id, address, state, next_at, attempts, "
                          "uncertain, late, claimed_by, claimed_at) VALUES (1, 1, 10, '', 'claimed', :at, 2, "
                          ":f, :f, 'old-worker', :at)"), {"at": NOW, "f": False})
    migrate(engine)
    with engine.connect() as conn:
        row = conn.execute(text("SELECT state, attempts, claimed_by, hold_until FROM deliveries")).one()
        assert tuple(row) == ("claimed", 2, "old-worker", None)
    from bot.engine import outbox

    assert outbox.recover(engine, NOW, REAL) == 1  # a claim from before the upgrade has no lease: returned
    engine.dispose()
