"""`nhacviec run` without a token: the sandbox starts, prints where it is, and stops cleanly; run options."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot.cli import main
from bot.config import ClockConfig, Config
from bot.sandbox.clock import SandboxClock
from bot.sandbox.options import DEMO_SPEED, DEMO_START, parse_instant, sandbox_clock_settings, with_run_options
from tests.conftest import BUNDLED_PLAN, ROOT

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def write_config(tmp: Path, **extra: object) -> Path:
    config = {"plan": str(BUNDLED_PLAN),
              "sandbox": {"database": f"sqlite:///{tmp / 'sandbox.db'}", "evidence_dir": str(tmp / "evidence"),
                          **extra}}
    path = tmp / "config.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def test_rehearsal_start_reads_iso_with_offset_and_local_dd_mm_yyyy() -> None:
    assert parse_instant("2019-11-13T07:59:00+07:00", ZONE) == datetime(2019, 11, 13, 7, 59, tzinfo=ZONE)
    assert parse_instant("14/11/2019 07:58", ZONE) == datetime(2019, 11, 14, 7, 58, tzinfo=ZONE)
    assert parse_instant("2019-11-14T00:58:00Z", ZONE) == datetime(2019, 11, 14, 7, 58, tzinfo=ZONE)
    assert parse_instant("2019-11-14 07:58", ZONE).utcoffset() == timedelta(hours=7)  # no offset: local time
    with pytest.raises(ValueError, match="thời điểm không hợp lệ"):
        parse_instant("ngày mai", ZONE)


def test_run_flags_override_the_clock_and_port_of_the_file() -> None:
    config = Config(clock=ClockConfig(start=datetime(2020, 1, 2, 8, 0, tzinfo=ZONE), speed=5))
    changed = with_run_options(config, "14/11/2019 07:58", 120, 8099)
    assert changed.clock.start == datetime(2019, 11, 14, 7, 58, tzinfo=ZONE) and changed.clock.speed == 120
    assert changed.sandbox.port == 8099 and config.sandbox.port == 8080
    assert with_run_options(config, None, 30, None).clock.start == config.clock.start
    assert with_run_options(config, None, None, None) is config
    with pytest.raises(ValueError):
        with_run_options(config, None, 0, None)


def test_sandbox_without_a_clock_plays_the_bundled_20_11_demonstration_at_60x() -> None:
    assert sandbox_clock_settings(Config()) == (DEMO_START, DEMO_SPEED)
    assert sandbox_clock_settings(with_run_options(Config(), None, 10, None)) == (DEMO_START, 10)
    start = datetime(2019, 11, 20, 7, 0, tzinfo=ZONE)
    assert sandbox_clock_settings(Config(clock=ClockConfig(start=start, speed=2))) == (start, 2)


def test_sandbox_clock_runs_at_its_speed_and_jumps_only_forward() -> None:
    ticks = [100.0]
    clock = SandboxClock(datetime(2019, 11, 14, 7, 58, tzinfo=ZONE), 60, monotonic=lambda: ticks[0])
    ticks[0] += 2
    assert clock.now() == datetime(2019, 11, 14, 8, 0, tzinfo=ZONE)
    friday = datetime(2019, 11, 15, 16, 0, tzinfo=ZONE)
    assert clock.jump(friday) == friday and clock.now() == friday
    ticks[0] += 1
    assert clock.now() == friday + timedelta(minutes=1)
    clock.jump(datetime(2019, 11, 1, tzinfo=timezone.utc))  # never back: the outbox relies on it
    assert clock.now() == friday + timedelta(minutes=1)


def test_a_bad_rehearsal_start_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--config", str(write_config(tmp_path)), "--rehearsal", "hôm qua"]) == 2
    assert "thời điểm không hợp lệ" in capsys.readouterr().err
    assert not (tmp_path / "sandbox.db").exists()


def test_sandbox_disabled_keeps_the_missing_token_error(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert main(["run", "--config", str(write_config(tmp_path, enabled=False))]) == 2
    assert "Chưa có token của bot" in capsys.readouterr().err


def test_the_evidence_folder_emptied_at_each_start_cannot_be_the_working_folder(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("bot.sandbox.run.setup_logging", lambda *args: None)  # keep pytest's handlers
    (tmp_path / "keep.txt").write_text("không được xóa", encoding="utf-8")
    assert main(["run", "--config", str(write_config(tmp_path, evidence_dir="."))]) == 2
    assert "sandbox.evidence_dir" in capsys.readouterr().err and (tmp_path / "keep.txt").exists()


def test_a_busy_port_is_reported_in_vietnamese(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.setattr("bot.sandbox.run.setup_logging", lambda *args: None)  # keep pytest's handlers
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["run", "--config", str(write_config(tmp_path)), "--port", str(port)]) == 1
    err = capsys.readouterr().err
    assert f"Cổng {port}" in err and "đang bận" in err and "--port" in err


def test_run_without_a_token_starts_the_sandbox_prints_its_address_and_stops_on_sigterm(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    env["PYTHONPATH"] = str(ROOT)
    log = tmp_path / "run.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "bot", "run", "--config", str(write_config(tmp_path)),
                                 "--port", "0"], cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not (found := re.search(r"Mở (http://127\.0\.0\.1:\d+)", log.read_text(encoding="utf-8"))):
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text(encoding="utf-8")
            time.sleep(0.1)  # waiting for the child to start
        banner = log.read_text(encoding="utf-8")
        assert "Chế độ thử (sandbox)" in banner and "bắt đầu 07:58 14/11/2019, nhanh gấp 60 lần" in banner
        with urllib.request.urlopen(found[1] + "/api/personas", timeout=10) as response:
            personas = json.load(response)["personas"]
        assert len(personas) == 15
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0, log.read_text(encoding="utf-8")
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "Đang dừng chế độ thử" in log.read_text(encoding="utf-8")
    assert (tmp_path / "sandbox.db").exists()  # the sandbox's own database, never database.url
