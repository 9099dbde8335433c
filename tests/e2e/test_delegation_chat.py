"""Handing work on over the real chat stack: xin gia hạn, the office's ✔️, a staff member, an acting head."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import OccurrenceRow
from tests.conftest import MINI_PLAN
from tests.e2e.harness import ADMIN, Harness, at, start_harness, stop_harness
from tests.e2e.test_chat_commands import buttons, join

HEAD, STAFF = 2002, 5005


@pytest.fixture
async def h(tmp_path: Path) -> AsyncIterator[Harness]:
    harness = await start_harness(tmp_path, MINI_PLAN, at("25/10/2019"))
    yield harness
    await stop_harness(harness)


async def test_a_head_asks_for_more_time_and_the_office_grants_it(h: Harness) -> None:
    await join(h, "TCCB", HEAD, "Nguyễn Văn An")
    (bad,) = await h.say(HEAD, "/giahan 1.1 hôm nay")
    assert "/giahan <" in bad.text or "Cách dùng" in bad.text or "Use" in bad.text
    (sent,) = await h.say(HEAD, "/giahan 1.1 ket-qua 06/12/2019 Chờ số liệu của Sở Nội vụ")
    assert "06/12/2019" in sent.text and "Văn phòng Sở" in sent.text
    notices = [m for m in await h.sweep_at(at("25/10/2019", 8, 1)) if m.chat_id == ADMIN]
    (request,) = [m for m in notices if "gia hạn" in m.text]
    assert "Chờ số liệu của Sở Nội vụ" in request.text and "Nguyễn Văn An" in request.text
    grant = next(b for b in buttons(request) if b.startswith("gh:ok:"))
    (answer,) = await h.press(ADMIN, request, grant)
    assert "06/12/2019" in answer.text
    with Session(h.engine) as s:
        occ = s.scalar(select(OccurrenceRow).where(OccurrenceRow.key == "1.1/ket-qua/TCCB/2019"))
        assert occ is not None and occ.due.isoformat() == "2019-12-06" and occ.due_set == occ.due
    told = [m for m in await h.sweep_at(at("25/10/2019", 8, 2)) if m.chat_id == HEAD]
    assert any("đồng ý gia hạn" in m.text and "06/12/2019" in m.text for m in told)


async def test_a_head_invites_a_staff_member_and_hands_them_an_item(h: Harness) -> None:
    await join(h, "TCCB", HEAD, "Nguyễn Văn An")
    (link,) = await h.say(HEAD, "/chuyenvien")
    code = link.text.split("?start=")[1].split()[0]
    (welcome,) = await h.say(STAFF, f"/start {code}", name="Trần Thị Lan")
    assert "Phòng Tổ chức cán bộ" in welcome.text or "TCCB" in welcome.text
    with Session(h.engine) as s:
        from bot.db.models import MemberRow

        staff = s.scalar(select(MemberRow).where(MemberRow.chat_id == STAFF))
        assert staff is not None and staff.role == "staff"
        member = staff.id
    (handed,) = await h.say(HEAD, f"/giao 1.1 ket-qua #{member}")
    assert f"#{member}" in handed.text
    told = [m for m in await h.sweep_at(at("25/10/2019", 8, 1)) if m.chat_id == STAFF]
    assert any("đã giao anh/chị nhiệm vụ 1.1" in m.text for m in told)


async def test_a_head_ends_a_stand_in_early_and_it_is_audited(h: Harness) -> None:
    from datetime import date

    from bot.db.models import ActingHeadRow, AuditRow, MemberRow
    from bot.services.access import load_actor

    await join(h, "TCCB", HEAD, "Nguyễn Văn An")
    (link,) = await h.say(HEAD, "/chuyenvien")
    code = link.text.split("?start=")[1].split()[0]
    await h.say(STAFF, f"/start {code}", name="Trần Thị Lan")
    with Session(h.engine) as s:
        member = s.scalar(select(MemberRow.id).where(MemberRow.chat_id == STAFF))
    await h.say(HEAD, f"/quyen #{member} 25/10/2019 08/11/2019")
    (listed,) = await h.say(HEAD, "/quyen")
    with Session(h.engine) as s:
        row = s.scalar(select(ActingHeadRow))
        assert row is not None and load_actor(s, STAFF, STAFF, date(2019, 10, 28)).units == {"TCCB"}
    assert f"#{member}" in listed.text and "08/11/2019" in listed.text and f"{row.id}." in listed.text
    (ended,) = await h.say(HEAD, f"/quyen huy {row.id}")
    assert f"#{member}" in ended.text
    (again,) = await h.say(HEAD, f"/quyen huy {row.id}")
    assert "/quyen" in again.text  # already ended: said so, with the way to the list
    with Session(h.engine) as s:
        assert not load_actor(s, STAFF, STAFF, date(2019, 10, 28)).units
        assert s.scalar(select(AuditRow).where(AuditRow.action == "acting_head_cancelled")) is not None
