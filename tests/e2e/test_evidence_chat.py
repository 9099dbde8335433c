"""Evidence intake on the conversation core (bot/conversation/evidence.py): the personal page's rules in chat."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import EvidenceRow, OccurrenceRow
from tests.conftest import MINI_PLAN
from tests.e2e.harness import ADMIN, Harness, at, start_harness, stop_harness

HEAD = 2002


@pytest.fixture
async def h(tmp_path: Path) -> AsyncIterator[Harness]:
    harness = await start_harness(tmp_path, MINI_PLAN, at("25/10/2019"))
    (link,) = await harness.say(ADMIN, "/moi TCCB")
    code = link.text.split("?start=")[1].split()[0]
    await harness.say(HEAD, f"/start {code}", name="Nguyễn Văn An")
    await harness.sweep_at(at("25/10/2019", 9))
    yield harness
    await stop_harness(harness)


async def test_a_file_for_a_task_the_office_closed_is_refused_before_it_is_downloaded(h: Harness) -> None:
    reminders = await h.sweep_at(at("30/10/2019"))
    (reminder,) = [m for m in reminders if m.chat_id == HEAD]
    occ = next(b["callback_data"] for row in reminder.reply_markup["inline_keyboard"] for b in row).split(":")[1]
    await h.press(HEAD, reminder, f"ev:{occ}")
    with Session(h.engine) as s, s.begin():  # the office closes the task while the head is sending documents
        row = s.get(OccurrenceRow, int(occ))
        assert row is not None
        row.status, row.closed_reason = "closed", "gộp vào nhiệm vụ 1.2"
    (refused,) = await h.send_file(HEAD, "bao-cao.pdf", b"%PDF-1.4 bao cao")
    assert "Văn phòng Sở đã đóng" in refused.text and "gộp vào nhiệm vụ 1.2" in refused.text
    assert not h.api.calls_of("getFile") and not list(h.evidence_dir.rglob("*.pdf"))
    with Session(h.engine) as s:
        assert s.scalars(select(EvidenceRow)).all() == []
