"""The product as people meet it, over HTTP: invite, reminder, evidence, confirm, review, status."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.conftest import MINI_PLAN
from tests.e2e.harness import ADMIN, Harness, at, start_harness, stop_harness

HEAD = 2002


@pytest.fixture
async def h(tmp_path: Path) -> AsyncIterator[Harness]:
    harness = await start_harness(tmp_path, MINI_PLAN, at("25/10/2019"))
    yield harness
    await stop_harness(harness)


async def _join(h: Harness, unit: str, user: int, name: str) -> None:
    (link,) = await h.say(ADMIN, f"/moi {unit}")
    assert "https://t.me/nhacviec_test_bot?start=" in link.text
    code = link.text.split("?start=")[1].split()[0]
    (welcome,) = await h.say(user, f"/start {code}", name=name)
    assert "nhận nhắc việc với tư cách Trưởng phòng" in welcome.text  # the title of the unit's head


async def test_invite_reminder_evidence_confirm_review_and_progress(h: Harness) -> None:
    await _join(h, "TCCB", HEAD, "Nguyễn Văn An")
    told = await h.sweep_at(at("25/10/2019", 9))
    assert any(m.chat_id == ADMIN and "Nguyễn Văn An" in m.text for m in told)

    reminders = await h.sweep_at(at("30/10/2019"))
    (reminder,) = [m for m in reminders if m.chat_id == HEAD]
    assert "19/11/2019" in reminder.text and "còn 14 ngày làm việc" in reminder.text
    buttons = [b["callback_data"] for row in reminder.reply_markup["inline_keyboard"] for b in row]
    occ = buttons[0].split(":")[1]
    assert buttons == [f"done:{occ}", f"ev:{occ}", f"snz:{occ}", f"blk:{occ}"]

    (prompt,) = await h.press(HEAD, reminder, f"ev:{occ}")
    assert "Gửi tài liệu kiểm chứng cho 1.1" in prompt.text and "hạn 19/11/2019" in prompt.text
    (saved,) = await h.send_file(HEAD, "../../bao-cao CCHC.pdf", b"%PDF-1.4 noi dung")
    assert "Đã lưu tài liệu kiểm chứng (1)" in saved.text
    stored = list(h.evidence_dir.rglob("*.pdf"))
    assert len(stored) == 1 and stored[0].name.endswith("bao-cao CCHC.pdf")
    assert h.evidence_dir in stored[0].parents  # "../" cannot escape the evidence store
    (finished,) = await h.press(HEAD, saved, f"evend:{occ}")
    assert "Đã nhận 1 tài liệu kiểm chứng cho 1.1" in finished.text

    (submitted,) = await h.press(HEAD, finished, f"done:{occ}")
    assert "Đã gửi Văn phòng Sở xác nhận: 1.1" in submitted.text and "Phòng Tổ chức cán bộ" in submitted.text
    assert "hạn 19/11/2019" in submitted.text
    to_office = await h.sweep_at(at("30/10/2019", 8, 5))
    (review,) = [m for m in to_office if m.chat_id == ADMIN]
    assert "Đề nghị xác nhận" in review.text and "Nguyễn Văn An" in review.text
    review_data = [b["callback_data"] for row in review.reply_markup["inline_keyboard"] for b in row]
    (accepted,) = await h.press(ADMIN, review, review_data[0])
    assert "Đã tiếp nhận: 1.1" in accepted.text and "hạn 19/11/2019" in accepted.text

    (progress,) = await h.say(ADMIN, "/tiendo TCCB")
    assert "✅ 1 xong" in progress.text
    later = [m.text for m in await h.sweep_at(at("08/11/2019")) if m.chat_id == HEAD]
    assert len(later) == 1 and "đã xác nhận hoàn thành" in later[0]  # the unit hears; no reminder for a done task


async def test_head_cannot_act_on_another_units_task_or_review(h: Harness) -> None:
    await _join(h, "TCCB", HEAD, "Trần Thị Bình")
    await h.sweep_at(at("25/10/2019", 9))
    reminders = await h.sweep_at(at("30/10/2019"))
    (to_admin,) = [m for m in reminders if m.chat_id == ADMIN]  # VP and KHTC have no head: office hears
    foreign = [b["callback_data"] for row in to_admin.reply_markup["inline_keyboard"] for b in row
               if b["callback_data"].startswith("done:")][0]  # the card's most urgent action: VP's or KHTC's
    (mine,) = [m for m in reminders if m.chat_id == HEAD]
    await h.press(HEAD, mine, foreign, expect=0, forged=True)
    assert "không phải đơn vị của anh/chị" in h.api.answered_callbacks[-1]["text"]
    await h.press(HEAD, mine, "rvok:1", expect=0, forged=True)
    assert "chỉ dành cho quản trị" in h.api.answered_callbacks[-1]["text"]
    await h.press(HEAD, mine, "drop table members;--", expect=0, forged=True)
    assert "không hợp lệ" in h.api.answered_callbacks[-1]["text"]


async def test_stranger_gets_registration_hint_and_admin_commands_are_refused(h: Harness) -> None:
    (hint,) = await h.say(4242, "xin chào")
    assert "chưa được đăng ký" in hint.text
    (still_hint,) = await h.say(4242, "/moi TCCB")
    assert "chưa được đăng ký" in still_hint.text  # a stranger only ever gets the hint
    await _join(h, "KHTC", HEAD, "Lê Văn Cường")
    for command in ("/moi TCCB", "/thanhvien"):
        (refused,) = await h.say(HEAD, command)
        assert "chỉ dành cho quản trị" in refused.text
    (unknown,) = await h.say(ADMIN, "/khonglenhnay")
    assert "/help" in unknown.text
