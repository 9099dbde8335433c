"""`nhacviec close --before dd/mm/yyyy --reason ...` on the configured database."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from bot.cli import EXIT_OK, EXIT_USAGE, main
from bot.db.models import AuditRow, OccurrenceRow
from tests.conftest import MINI_PLAN


def _config(tmp_path: Path) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(f"plan: {MINI_PLAN}\ndatabase:\n  url: sqlite:///{tmp_path / 'bot.db'}\n"
                    "clock:\n  start: 2019-10-25T08:00:00+07:00\n", encoding="utf-8")
    return path


def test_close_from_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = _config(tmp_path)
    assert main(["sync", "--config", str(config)]) == EXIT_OK
    engine = create_engine(f"sqlite:///{tmp_path / 'bot.db'}")
    with Session(engine) as s:
        expected = s.scalar(select(func.count()).select_from(OccurrenceRow).where(
            OccurrenceRow.due < date(2019, 10, 1))) or 0
    capsys.readouterr()
    assert main(["close", "--before", "01/10/2019", "--reason", "Trước khi triển khai", "--config", str(config)]) \
        == EXIT_OK
    out = capsys.readouterr().out
    assert f"Đã đóng {expected} hạn trước ngày 01/10/2019. Lý do: Trước khi triển khai" in out
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(OccurrenceRow).where(
            OccurrenceRow.status == "closed")) == expected > 0
        entry = s.scalar(select(AuditRow).where(AuditRow.action == "occurrences_closed"))
        assert entry is not None and entry.actor == "cli"
    engine.dispose()
    assert main(["close", "--before", "31/02/2019", "--reason", "x", "--config", str(config)]) == EXIT_USAGE
    assert main(["close", "--before", "01/10/2019", "--reason", "  ", "--config", str(config)]) == EXIT_USAGE
    assert "--reason không được để trống" in capsys.readouterr().err
