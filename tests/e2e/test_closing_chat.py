"""`/dong dd/mm/yyyy lý do` over the real PTB HTTP stack against the fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.models import AuditRow, OccurrenceRow
from tests.conftest import MINI_PLAN
from tests.e2e.harness import ADMIN, Harness, at, start_harness, stop_harness
from tests.e2e.test_chat_commands import HEAD, join


@pytest.fixture
async def h(tmp_path: Path) -> AsyncIterator[Harness]:
    harness = await start_harness(tmp_path, MINI_PLAN, at("25/10/2019"))
    yield harness
    await stop_harness(harness)


def _open_before(h: Harness, day: date) -> int:
    with Session(h.engine) as s:
        return s.scalar(select(func.count()).select_from(OccurrenceRow).where(
            OccurrenceRow.due < day, OccurrenceRow.status.in_(("open", "returned")))) or 0


async def test_the_office_closes_what_predates_the_bot_and_it_is_no_longer_overdue(h: Harness) -> None:
    expected = _open_before(h, date(2019, 10, 1))
    assert expected > 0
    (overdue_before,) = await h.say(ADMIN, "/quahan")
    assert "20/09/2019" in overdue_before.text
    (reply,) = await h.say(ADMIN, "/dong 01/10/2019 Trước khi triển khai bot")
    assert f"Đã đóng {expected} hạn trước ngày 01/10/2019. Lý do: Trước khi triển khai bot" in reply.text
    assert "Theo đơn vị:" in reply.text and "đóng" in reply.text
    assert _open_before(h, date(2019, 10, 1)) == 0
    (overdue_after,) = await h.say(ADMIN, "/quahan")
    assert "20/09/2019" not in overdue_after.text
    (card,) = await h.say(ADMIN, "/nhiemvu 1.1")
    assert "đóng" in card.text
    with Session(h.engine) as s:
        entry = s.scalar(select(AuditRow).where(AuditRow.action == "occurrences_closed"))
        assert entry is not None and entry.details["count"] == expected
    (again,) = await h.say(ADMIN, "/dong 01/10/2019 lần nữa")
    assert "không có gì để đóng" in again.text


async def test_dong_refuses_heads_bad_dates_future_dates_and_a_missing_reason(h: Harness) -> None:
    await join(h, "TCCB", HEAD, "Nguyễn Văn An")
    (head,) = await h.say(HEAD, "/dong 01/10/2019 lý do")
    assert "chỉ dành cho quản trị" in head.text
    (usage,) = await h.say(ADMIN, "/dong 01/10/2019")
    assert usage.text.startswith("Cách dùng: /dong dd/mm/yyyy lý do")
    (bad,) = await h.say(ADMIN, "/dong 31/02/2019 lý do")
    assert "\"31/02/2019\" không phải ngày dd/mm/yyyy" in bad.text
    (future,) = await h.say(ADMIN, "/dong 01/12/2019 lý do")
    assert "sau hôm nay" in future.text
    assert _open_before(h, date(2019, 10, 1)) > 0
