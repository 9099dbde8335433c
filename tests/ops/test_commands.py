"""`nhacviec --version`, `db check`, `status`, and a database that does not answer: words, not tracebacks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from sqlalchemy import text

from bot.cli import main
from bot.db.engine import make_engine, migrate
from bot.ops.schema import head, revisions
from tests.conftest import MINI_PLAN


def config(tmp: Path, url: str) -> str:
    path = tmp / "config.yaml"
    path.write_text(yaml.safe_dump({"plan": str(MINI_PLAN), "database": {"url": url},
                                    "storage": {"evidence_dir": str(tmp / "ev")}}), encoding="utf-8")
    return str(path)


def test_version_names_the_package_and_the_schema(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("nhacviec ") and f"lược đồ cơ sở dữ liệu {head()}" in out


def test_db_check_empty_pending_current_and_newer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'n.db'}"
    cfg = config(tmp_path, url)
    assert main(["db", "check", "--config", cfg]) == 0
    assert f"{len(revisions())} bước nâng cấp" in capsys.readouterr().out
    engine = make_engine(url)
    migrate(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": revisions()[0]})
    assert main(["db", "check", "--config", cfg]) == 0
    assert ", ".join(revisions()[1:]) in capsys.readouterr().out
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    assert main(["db", "check", "--config", cfg]) == 2
    err = capsys.readouterr().err
    assert "9999" in err and "phiên bản nhacviec mới hơn" in err


def test_sync_and_status_with_a_wrong_port_say_database_url_without_driver_text(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], free_port: Callable[[], int]) -> None:
    cfg = config(tmp_path, f"postgresql+psycopg://nhacviec:s3cret-pw@127.0.0.1:{free_port()}/nhacviec")
    for command in (["sync"], ["status"], ["db", "check"], ["backup", "--out", str(tmp_path / "b.tgz")]):
        assert main([*command, "--config", cfg]) == 2, command
        err = capsys.readouterr().err
        assert "Không kết nối được cơ sở dữ liệu" in err and "database.url" in err, err
        assert "OperationalError" not in err and "s3cret-pw" not in err and "Traceback" not in err


def test_status_reports_plan_members_outbox_and_channels(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         free_port: Callable[[], int]) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.setenv("ZALO_BOT_TOKEN", "zalo-token-for-status")
    cfg = config(tmp_path, f"sqlite:///{tmp_path / 'n.db'}")
    port = free_port()
    Path(cfg).write_text(Path(cfg).read_text(encoding="utf-8") + f"web: {{port: {port}}}\n", encoding="utf-8")
    assert main(["sync", "--config", cfg]) == 0
    capsys.readouterr()
    assert main(["status", "--config", cfg]) == 0
    out = capsys.readouterr().out
    assert f"lược đồ: {head()} (mới nhất)" in out and "Kế hoạch: mini" in out
    assert "Telegram: tắt" in out and "Zalo: bật" in out and "zalo-token-for-status" not in out
    assert "Hàng đợi gửi: 0 tin đến lượt gửi" in out
    assert f"Bot trên máy này: không có trả lời tại http://127.0.0.1:{port}/readyz" in out  # no bot running


def test_missing_token_names_telegram_and_zalo(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TELEGRAM_BOT_TOKEN", "ZALO_BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    path = Path(config(tmp_path, f"sqlite:///{tmp_path / 'n.db'}"))
    path.write_text(path.read_text(encoding="utf-8") + "sandbox: {enabled: false}\n", encoding="utf-8")
    assert main(["run", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert "TELEGRAM_BOT_TOKEN" in err and "ZALO_BOT_TOKEN" in err and "zalo.token" in err


def test_run_with_the_database_down_exits_2_naming_database_url(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                                monkeypatch: pytest.MonkeyPatch,
                                                                free_port: Callable[[], int]) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:RUN-DB-DOWN-SECRET")
    cfg = config(tmp_path, f"postgresql+psycopg://nhacviec@127.0.0.1:{free_port()}/nhacviec")
    assert main(["run", "--config", cfg]) == 2
    err = capsys.readouterr().err
    assert "Không kết nối được cơ sở dữ liệu" in err and "database.url" in err and "Connection refused" in err
    assert "Traceback" not in err and "OperationalError" not in err and "RUN-DB-DOWN-SECRET" not in err


def test_wait_for_database_retries_with_back_off_then_gives_up(tmp_path: Path,
                                                               caplog: pytest.LogCaptureFixture,
                                                               free_port: Callable[[], int]) -> None:
    from bot.ops.faults import DatabaseUnreachable, wait_for_database

    url = f"postgresql+psycopg://nhacviec@127.0.0.1:{free_port()}/nhacviec"
    engine = make_engine(url)
    now, pauses = [0.0], []

    def sleep(seconds: float) -> None:
        pauses.append(seconds)
        now[0] += seconds

    with pytest.raises(DatabaseUnreachable, match="database.url"):
        wait_for_database(engine, url, 60, sleep=sleep, monotonic=lambda: now[0])
    engine.dispose()
    assert pauses == [1, 2, 4, 8, 16]  # the next (30 s) would pass the 60 s given
    assert len([r for r in caplog.records if "cơ sở dữ liệu" in r.getMessage()]) == 1  # one line, not five


def test_sync_refuses_a_database_newer_than_the_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'n.db'}"
    cfg = config(tmp_path, url)
    engine = make_engine(url)
    migrate(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    assert main(["sync", "--config", cfg]) == 2
    err = capsys.readouterr().err
    assert "9999" in err and "khôi phục bản sao lưu" in err and "Traceback" not in err
