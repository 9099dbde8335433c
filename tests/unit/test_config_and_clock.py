"""Configuration file, the rehearsal clock, and the single polling instance lock."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.config import ConfigError, load_config
from bot.db.engine import make_engine
from bot.db.lock import AlreadyRunning, InstanceLock
from bot.domain.clock import FixedClock, RehearsalClock, SystemClock

ROOT = Path(__file__).resolve().parents[2]


def test_example_config_is_valid_and_documents_every_public_key() -> None:
    text = (ROOT / "config.example.yaml").read_text(encoding="utf-8")
    config = load_config(ROOT / "config.example.yaml")
    assert config.database.url == "sqlite:///data/nhacviec.db"
    for key in ("plan:", "timezone:", "database:", "url:", "token:", "base_url:", "base_file_url:", "admins:",
                "leadership_chats:", "clock:", "start:", "speed:", "storage:", "evidence_dir:"):
        assert key in text


def test_config_errors_are_listed_in_vietnamese(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("databse: {url: x}\nclock: {start: '2019-11-13T07:59:00', speed: -1}\nadmins: [abc]\n",
                    encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    text = err.value.render()
    assert "databse" in text and "không được hỗ trợ" in text
    assert "clock.speed" in text and "clock.start" in text and "múi giờ" in text
    assert "admins.0" in text and "số nguyên" in text


def test_token_from_environment_wins_and_is_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("telegram: {token: '111:from-file'}\n", encoding="utf-8")
    config = load_config(path)
    assert config.token() == "111:from-file" and "from-file" not in repr(config)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "222:from-env")
    assert config.token() == "222:from-env"


def test_rehearsal_clock_starts_at_the_given_instant_and_runs_faster() -> None:
    start = datetime(2019, 11, 13, 7, 59, tzinfo=timezone(timedelta(hours=7)))
    clock = RehearsalClock(start, speed=3600)
    first = clock.now()
    assert first.tzinfo is not None and timedelta(0) <= first - start < timedelta(minutes=5)
    time.sleep(0.01)  # real time passing is the point of this clock; not waiting on a scheduler
    assert clock.now() - first >= timedelta(seconds=30)


def test_config_clock_start_makes_a_rehearsal_clock(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("clock: {start: '2019-11-13T07:59:00+07:00', speed: 60}\n", encoding="utf-8")
    clock = load_config(path).make_clock()
    assert isinstance(clock, RehearsalClock) and clock.now().year == 2019
    assert isinstance(load_config(None).make_clock(), SystemClock)


def test_fixed_clock_refuses_naive_time() -> None:
    with pytest.raises(ValueError):
        FixedClock(datetime(2019, 1, 1))


def test_second_polling_instance_on_the_same_sqlite_file_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    engine = make_engine(url)
    first, second = InstanceLock(engine, url), InstanceLock(engine, url)
    first.acquire()
    with pytest.raises(AlreadyRunning, match="khác đang chạy"):
        second.acquire()
    first.close()
    second.acquire()
    second.close()


def test_second_polling_instance_on_postgresql_is_refused(pg_url: str) -> None:
    db_url = pg_url
    engine = make_engine(db_url)
    first, second = InstanceLock(engine, db_url), InstanceLock(engine, db_url)
    first.acquire()
    with pytest.raises(AlreadyRunning, match="webhook"):
        second.acquire()
    first.close()
    second.acquire()
    second.close()
    engine.dispose()


def test_bad_timezone_and_database_url_exit_2_naming_the_keys_without_a_traceback(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main

    path = tmp_path / "config.yaml"
    for body, key in (("timezone: Asia/Ha_Noi\n", "timezone"),
                      ("database: {url: 'mysql+nosuch://x/y'}\n", "database.url"),
                      ("database: {url: 'not a url'}\n", "database.url"),
                      ("sandbox: {database: 'sqlite/x.db'}\n", "sandbox.database")):
        path.write_text(body, encoding="utf-8")
        for command in (["sync", "--config", str(path)], ["run", "--config", str(path)],
                        ["export", "--out", str(tmp_path / "out"), "--config", str(path)]):
            assert main(command) == 2, (body, command)
            err = capsys.readouterr().err
            assert f"{key}:" in err and "Cấu hình" in err and "Traceback" not in err, err
            assert "hợp lệ" in err or "không nhận ra" in err, err


def test_a_config_built_in_code_with_a_bad_url_or_zone_is_a_config_error_from_run_bot(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.config import Config
    from bot.runner import run_bot

    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "1:x")
    plan = str(ROOT / "tests" / "data" / "mini.yaml")
    bad_url = Config(plan=plan).model_copy(update={"database": Config().database.model_copy(
        update={"url": "nosuch://x"})})
    with pytest.raises(ConfigError) as err:
        run_bot(bad_url)
    assert "database.url" in err.value.render()
    bad_zone = Config(plan=plan, database={"url": f"sqlite:///{tmp_path / 'z.db'}"}).model_copy(
        update={"timezone": "Nowhere/City"})
    with pytest.raises(ConfigError) as err:
        run_bot(bad_zone)
    assert "timezone" in err.value.render()


def test_webhook_secret_is_required_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    for hook, ok in (("{url: 'https://x/h'}", False), ("{url: 'https://x/h', secret_token: ''}", False),
                     ("{url: 'https://x/h', secret_token: 'a b'}", False),
                     ("{url: 'https://x/h', secret_token: 'abc-DEF_123'}", True)):
        path.write_text(f"telegram: {{webhook: {hook}}}\n", encoding="utf-8")
        if ok:
            assert load_config(path).telegram.webhook is not None
            continue
        with pytest.raises(ConfigError) as err:
            load_config(path)
        assert "telegram.webhook.secret_token" in err.value.render()
