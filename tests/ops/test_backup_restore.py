"""`nhacviec backup` from a running bot with evidence in it, `nhacviec restore` into an empty folder and an
empty database: the same rows and the same file hashes (SQLite and PostgreSQL); damaged or non-empty: refused."""

from __future__ import annotations

import asyncio
import hashlib
import io
import signal
import sys
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.db.engine import make_engine, migrate
from bot.ops.backup import BackupRefused, read_rows, restore_backup, take_backup
from bot.sandbox.fake_api import FakeBotApi
from tests.conftest import MINI_PLAN, ROOT
from tests.e2e.test_run_command import ADMIN, Run, child_env, until
from tests.ops.pg import fresh_pg_database

HEAD = 2002
TOKEN = "987654:OPS-BACKUP-SECRET"


def config_file(tmp: Path, name: str, url: str, evidence: Path, api: FakeBotApi | None = None) -> Path:
    config: dict[str, Any] = {
        "plan": str(MINI_PLAN.resolve()), "database": {"url": url}, "admins": [ADMIN],
        "storage": {"evidence_dir": str(evidence)},
        "clock": {"start": "2019-10-30T07:59:30+07:00", "speed": 10}, "dispatch": {"interval_seconds": 1},
    }
    if api is not None:
        config["telegram"] = {"token": api.token, "base_url": api.base_url, "base_file_url": api.base_file_url}
    path = tmp / name
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


async def cli(*args: str) -> tuple[int, str]:
    """`python -m bot ARGS` as a child process (the fake API in this loop keeps answering meanwhile)."""
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", *args, cwd=ROOT, env=child_env(),
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode is not None
    return proc.returncode, out.decode()


def hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in folder.rglob("*") if p.is_file()}


def rows(url: str, evidence: Path) -> dict[str, list[dict[str, Any]]]:
    """Every table's rows; evidence paths relative to their folder (the folder itself moves on restore)."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            found = read_rows(connection)
    finally:
        engine.dispose()
    for row in found["evidence"]:
        if row["stored_path"]:
            row["stored_path"] = Path(row["stored_path"]).relative_to(evidence).as_posix()
    return found


@contextmanager
def two_databases(kind: str, tmp: Path) -> Iterator[tuple[str, str]]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp / 'live.db'}", f"sqlite:///{tmp / 'restored' / 'nhacviec.db'}"
        return
    with fresh_pg_database("live") as live, fresh_pg_database("restored") as restored:
        yield live, restored


async def put_evidence_in(api: FakeBotApi, run: Run) -> None:
    """The head joins, gets the 08:00 reminder, sends two files and submits the task (a review row)."""
    await until(lambda: bool(api.calls_of("setMyCommands")), 30, "start-up", run)
    api.user_sends(ADMIN, "/moi TCCB")
    await until(lambda: any("?start=" in (m.text or "") for m in api.messages_to(ADMIN)), 10, "invite", run)
    link = next(m for m in api.messages_to(ADMIN) if "?start=" in (m.text or ""))
    api.user_sends(HEAD, "/start " + link.text.split("?start=")[1].split()[0], first_name="An")
    has_card = lambda: any(m.reply_markup and "ev:" in str(m.reply_markup) for m in api.messages_to(HEAD))  # noqa: E731
    await until(has_card, 30, "the head's 08:00 reminder", run)
    card = next(m for m in api.messages_to(HEAD) if m.reply_markup and "ev:" in str(m.reply_markup))
    occ = next(b["callback_data"] for row in card.reply_markup["inline_keyboard"] for b in row
               if b["callback_data"].startswith("ev:")).split(":")[1]
    for data, then in ((f"ev:{occ}", None), (None, ("bao-cao.pdf", b"%PDF-1.4 bao cao")),
                       (None, ("anh ho so.pdf", bytes(range(256)) * 40)), (f"evend:{occ}", None),
                       (f"done:{occ}", None)):
        before = len(api.messages_to(HEAD))
        if data is not None:
            api.user_presses(HEAD, api.messages_to(HEAD)[-1], data, strict=False)
        else:
            assert then is not None
            api.user_sends_document(HEAD, then[0], then[1])
        await until(lambda b=before: len(api.messages_to(HEAD)) > b, 15, f"answer to {data or then}", run)
    assert "Đã gửi Văn phòng Sở xác nhận" in (api.messages_to(HEAD)[-1].text or "")


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
async def test_backup_of_a_running_bot_restores_the_same_rows_and_files(kind: str, tmp_path: Path) -> None:
    with two_databases(kind, tmp_path) as (live_url, restored_url):
        async with FakeBotApi(token=TOKEN) as api:
            live_evidence = tmp_path / "live-evidence"
            live = config_file(tmp_path, "live.yaml", live_url, live_evidence, api)
            run = await Run.start(live, tmp_path, "live")
            try:
                await put_evidence_in(api, run)
                await asyncio.sleep(2)  # let the running bot settle: the comparison below reads it again
                code, out = await cli("backup", "--config", str(live), "--out", str(tmp_path / "b.tar.gz"))
                assert code == 0, out
                assert "2 " in out and run.proc.returncode is None  # two evidence files; the bot still runs
                expected_rows, expected_files = rows(live_url, live_evidence), hashes(live_evidence)
            finally:
                run.proc.send_signal(signal.SIGTERM)
                await run.wait(20)
                run.kill()
        assert len(expected_files) == 2 and len(expected_rows["evidence"]) == 2 and expected_rows["reviews"]

        restored_evidence = tmp_path / "restored" / "evidence"
        target = config_file(tmp_path, "restored.yaml", restored_url, restored_evidence)
        code, out = await cli("restore", str(tmp_path / "b.tar.gz"), "--config", str(target))
        assert code == 0, out
        assert rows(restored_url, restored_evidence) == expected_rows
        assert hashes(restored_evidence) == expected_files
        for row in expected_rows["evidence"]:
            assert expected_files[row["stored_path"]] == row["sha256"]

        again, out = await cli("restore", str(tmp_path / "b.tar.gz"), "--config", str(target))
        assert again == 2 and "không trống" in out and "Traceback" not in out  # never over existing data
        code, out = await cli("db", "check", "--config", str(target))
        assert code == 0 and "mới nhất" in out, out


def test_a_damaged_backup_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    (tmp_path / "ev" / "x").mkdir(parents=True)
    (tmp_path / "ev" / "x" / "f.pdf").write_bytes(b"original")
    good = take_backup(url, tmp_path / "ev", None, tmp_path / "good.tar.gz", datetime.now(timezone.utc)).path
    bad = tmp_path / "bad.tar.gz"
    with tarfile.open(good, "r:gz") as src, tarfile.open(bad, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()  # type: ignore[union-attr]
            if member.name == "evidence/x/f.pdf":
                data = b"tampered"
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    target_db, target_ev = tmp_path / "new" / "n.db", tmp_path / "new" / "ev"
    with pytest.raises(BackupRefused, match="SHA-256"):
        restore_backup(bad, f"sqlite:///{target_db}", target_ev)
    assert not target_ev.exists() or not any(target_ev.iterdir())
    assert not target_db.exists() or target_db.stat().st_size == 0
    restore_backup(good, f"sqlite:///{target_db}", target_ev)
    assert (target_ev / "x" / "f.pdf").read_bytes() == b"original"
    with pytest.raises(BackupRefused):
        take_backup(url, tmp_path / "ev", None, good, datetime.now(timezone.utc))  # never overwrites


def test_a_sqlite_backup_moves_into_postgresql_with_every_row(tmp_path: Path) -> None:
    """An office that outgrows SQLite: back up, restore into an empty PostgreSQL database, same rows."""
    from tests.ops.test_upgrades import comparable, fill

    url = f"sqlite:///{tmp_path / 'small.db'}"
    engine = make_engine(url)
    migrate(engine)
    with engine.begin() as connection:
        fill(connection)  # a row or two in every table, every column set
    with engine.connect() as connection:
        expected = read_rows(connection)
    engine.dispose()
    backup = take_backup(url, tmp_path / "ev", None, tmp_path / "small.tar.gz", datetime.now(timezone.utc)).path
    with fresh_pg_database("move") as target:
        restore_backup(backup, target, tmp_path / "new-ev")
        moved = make_engine(target)
        with moved.connect() as connection:
            got = read_rows(connection)
        moved.dispose()
    assert set(got) == set(expected) and all(len(v) == 2 for v in expected.values())
    for table, rows in expected.items():
        assert [comparable(r) for r in got[table]] == [comparable(r) for r in rows], table
