"""`nhacviec invite`: the first admin of an office on Zalo alone joins with a code made on the server."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from bot.cli import EXIT_OK, EXIT_USAGE, main
from bot.db import addresses
from bot.db.models import MemberRow, ReminderRow
from bot.services.access import load_actor
from bot.services.invites import accept_invite
from bot.services.tasks import Event
from tests.integration.test_close_cli import _config

NOW = datetime(2019, 10, 25, 1, 0, tzinfo=UTC)


def _code(out: str) -> str:
    found = re.search(r"Mã mời \(dùng một lần, hết hạn [\d:/ ]+\): (\S+)", out)
    assert found, out
    assert "Trên Zalo: gửi mã này cho bot nhacviec" in out
    return found.group(1)


def test_a_zalo_office_gets_its_first_admin_from_the_command_line(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    config = _config(tmp_path)
    assert main(["invite", "quantri", "--config", str(config)]) == EXIT_OK
    code = _code(capsys.readouterr().out)
    engine = create_engine(f"sqlite:///{tmp_path / 'bot.db'}")
    with Session(engine) as s, s.begin():
        key = addresses.zalo_key(s, "a1b2c3d4", "Chánh Văn phòng", NOW)
        joined = accept_invite(s, code, key, key, "Chánh Văn phòng", Event(NOW))
        assert joined.role == "admin"  # type: ignore[union-attr]
        assert load_actor(s, key, key).is_admin
        placeholder = s.scalars(select(MemberRow).where(MemberRow.chat_id == 0)).one()
        assert not placeholder.active  # retired once a real admin joined
        assert not s.scalars(select(ReminderRow).where(ReminderRow.target == "chat:0")).all()  # never messaged

    assert main(["invite", "TCCB", "--config", str(config)]) == EXIT_OK  # now made by the real admin
    code = _code(capsys.readouterr().out)
    with Session(engine) as s:
        creators = s.scalars(select(MemberRow.chat_id).where(MemberRow.active, MemberRow.role == "admin")).all()
    assert creators == [key]
    with Session(engine) as s, s.begin():
        head = addresses.zalo_key(s, "e5f6a7b8", "Trưởng TCCB", NOW)
        assert accept_invite(s, code, head, head, "Trưởng TCCB", Event(NOW)).role == "head"  # type: ignore[union-attr]
        told = s.scalars(select(ReminderRow.target).where(ReminderRow.kind == "notice")).all()
    assert f"chat:{key}" in told  # the admin who made it hears who joined
    engine.dispose()


def test_an_unknown_unit_is_refused_in_vietnamese(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["invite", "XYZ", "--config", str(_config(tmp_path))]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "XYZ" in err and "TCCB" in err
