"""Text typed with Unikey's "Unicode tổ hợp" (NFD) is stored in one form (NFC): chat input and config."""

from __future__ import annotations

import unicodedata
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.config import load_config
from bot.db.members import ensure_member
from bot.domain.workdays import WorkCalendar
from bot.engine.sync import sync_plan
from bot.plans.loader import parse_plan
from bot.services import tasks
from bot.services.access import load_actor
from bot.services.tasks import Event
from tests.conftest import MINI_PLAN

T0 = datetime(2019, 11, 12, 2, 0, tzinfo=timezone.utc)
HEAD = 20
TYPED = "Chưa nhận đủ số liệu của các trường"


def _nfd(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    assert decomposed != text  # the test means something only if the forms differ
    return decomposed


def test_a_blocker_and_an_evidence_text_typed_in_nfd_are_stored_in_nfc(db: Engine) -> None:
    sync_plan(db, parse_plan(MINI_PLAN.read_text(encoding="utf-8"), "mini.yaml"), WorkCalendar(), T0)
    ensure_member(db, T0, chat_id=HEAD, user_id=HEAD, role="head", unit="TCCB", name="Bình")
    with Session(db, expire_on_commit=False) as s, s.begin():
        actor = load_actor(s, HEAD, HEAD)
        occ = next(iter(tasks.own_occurrence(s, actor, o) for o in range(1, 100) if _mine(s, o)))
        blocker = tasks.report_blocker(s, actor, occ.id, _nfd(TYPED), Event(T0))
        evidence = tasks.add_evidence(s, actor, occ.id, Event(T0), kind="text", text=_nfd(TYPED))
    assert blocker.text == TYPED and evidence.text == TYPED


def _mine(session: Session, occurrence_id: int) -> bool:
    from bot.db.models import OccurrenceRow

    row = session.get(OccurrenceRow, occurrence_id)
    return row is not None and row.unit == "TCCB" and row.status == "open"


def test_a_config_saved_in_nfd_is_read_in_nfc(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(_nfd('email:\n  sender: "Văn phòng Sở <vp@example.vn>"\n'), encoding="utf-8")
    assert load_config(str(path)).email.sender == "Văn phòng Sở <vp@example.vn>"
