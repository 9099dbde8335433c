"""Hostile chat over HTTP (the real PTB stack against the fake Bot API): replays, forged buttons,
odd or huge arguments, RTL / zero-width / emoji text, path-like file names, duplicate uploads.

Each input is refused (an alert or a Vietnamese reply, and an AuditRow with action "refused") or stored
safely (bounded, inside storage.evidence_dir, once); the members table is intact at the end.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.models import AuditRow, BlockerRow, EvidenceRow, MemberRow
from tests.e2e.harness import ADMIN, Harness, at
from tests.e2e.test_chat_commands import (  # noqa: F401  (start, h: fixtures)
    HEAD,
    LEADER,
    buttons,
    evidence_rows,
    h,
    head_reminder,
    join,
    refused,
    start,
    to,
)

VIETNAMESE = set("ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ")


def vietnamese(text: str) -> bool:
    return any(c in VIETNAMESE for c in text.lower())


def audit_actions(h: Harness, action: str) -> list[AuditRow]:
    with Session(h.engine) as session:
        return list(session.scalars(select(AuditRow).where(AuditRow.action == action).order_by(AuditRow.id)))


def members(h: Harness) -> list[tuple[int, str, str | None]]:
    with Session(h.engine) as session:
        return [(m.id, m.role, m.unit) for m in session.scalars(select(MemberRow).order_by(MemberRow.id))]


async def ready(h: Harness) -> tuple[object, int]:
    await join(h, "TCCB", HEAD, "Nguyễn Văn An")
    await h.sweep_at(at("25/10/2019", 9))
    return await head_reminder(h, at("30/10/2019"))


async def test_the_same_done_button_pressed_twice_makes_one_review(h: Harness) -> None:
    reminder, occ = await ready(h)
    (submitted,) = await h.press(HEAD, reminder, f"done:{occ}")
    assert "gửi Văn phòng Sở xác nhận" in submitted.text
    refusals = len(audit_actions(h, "refused"))
    again = await refused(h, HEAD, reminder, f"done:{occ}")
    assert "đã gửi" in again or "chờ xác nhận" in again, again
    assert len(audit_actions(h, "refused")) == refusals + 1
    reviews = [m for m in to(await h.sweep_at(at("30/10/2019", 8, 5)), ADMIN) if "Đề nghị xác nhận" in m.text]
    assert len(reviews) == 1
    assert len(audit_actions(h, "completion_submitted")) == 1
    # The office accepts; a replayed accept is refused and does not accept twice.
    (accepted,) = await h.press(ADMIN, reviews[0], buttons(reviews[0])[0])
    assert "Đã tiếp nhận" in accepted.text
    assert vietnamese(await refused(h, ADMIN, reviews[0], buttons(reviews[0])[0]))
    assert len(audit_actions(h, "review_accepted")) == 1
    assert len(audit_actions(h, "refused")) == refusals + 2


async def test_forged_buttons_for_another_units_task_or_anothers_review_are_refused(h: Harness) -> None:
    reminder, occ = await ready(h)
    with Session(h.engine) as session:
        from bot.db.models import OccurrenceRow

        foreign = session.scalar(select(OccurrenceRow.id).where(OccurrenceRow.unit == "KHTC").limit(1))
    assert foreign is not None
    before = len(audit_actions(h, "refused"))
    for data in (f"done:{foreign}", f"ev:{foreign}", f"blk:{foreign}", f"snz3:{foreign}", f"evend:{foreign}"):
        assert "không phải đơn vị của anh/chị" in await refused(h, HEAD, reminder, data), data
    await h.press(HEAD, reminder, f"done:{occ}")  # a real submission: its review belongs to the office
    for data in (f"rvok:{occ}", f"rvret:{occ}", "rm:1", "fwd:1"):
        assert "chỉ dành cho quản trị" in await refused(h, HEAD, reminder, data), data
    for data in ("done:99999999999", "done:-1", "done:1 OR 1=1", "x" * 64, "rvok:" + "9" * 40):
        assert vietnamese(await refused(h, HEAD, reminder, data)), data
    assert len(audit_actions(h, "refused")) == before + 5 + 4 + 5
    assert audit_actions(h, "review_accepted") == [] and audit_actions(h, "review_returned") == []


async def test_huge_and_odd_command_arguments_get_a_vietnamese_answer(h: Harness) -> None:
    await join(h, "TCCB", HEAD, "Nguyễn Văn An")
    start_members = members(h)
    before = len(audit_actions(h, "refused"))
    (huge,) = await h.say(HEAD, "/nhiemvu " + "1" * 5000)
    assert vietnamese(huge.text) and len(huge.text) <= 4096
    for odd in ("/moi TCCB\u200d😀", "/moi \u202eBCCT\u202c", "/moi \u200b", "/moi " + "😀" * 3000):
        (answer,) = await h.say(ADMIN, odd)
        assert vietnamese(answer.text) and "?start=" not in answer.text, (odd[:20], answer.text)
    (sql,) = await h.say(ADMIN, "/tiendo '; DROP TABLE members;--")
    assert vietnamese(sql.text)
    (sql2,) = await h.say(HEAD, "/nhiemvu 1.1'); DELETE FROM members;--")
    assert vietnamese(sql2.text)
    assert len(audit_actions(h, "refused")) >= before + 7
    assert all(len(str(r.details)) < 2000 for r in audit_actions(h, "refused"))  # arguments are cut in the log
    assert members(h) == start_members
    (still,) = await h.say(ADMIN, "/tiendo")
    assert "Tiến độ" in still.text


async def test_a_4096_character_blocker_is_stored_bounded_and_the_office_is_told(h: Harness) -> None:
    reminder, occ = await ready(h)
    await h.press(HEAD, reminder, f"blk:{occ}")
    text = ("Thiếu kinh phí \u200f\u200d😀 " * 400)[:4096]
    (ack,) = await h.say(HEAD, text)
    assert "Đã gửi vướng mắc tới Văn phòng Sở" in ack.text
    with Session(h.engine) as session:
        (row,) = session.scalars(select(BlockerRow))
    assert 0 < len(row.text) <= 4096 and text.startswith(row.text)
    notices = to(await h.sweep_at(at("30/10/2019", 8, 5)), ADMIN)
    (notice,) = [m for m in notices if "Vướng mắc" in m.text]
    assert "Thiếu kinh phí" in notice.text and len(notice.text.encode("utf-16-le")) // 2 <= 4096
    assert len(audit_actions(h, "blocker_reported")) == 1


async def test_unicode_evidence_text_and_path_like_file_names_are_stored_safely_once(h: Harness) -> None:
    reminder, occ = await ready(h)
    await h.press(HEAD, reminder, f"ev:{occ}")
    odd = "\u200fتقرير\u200f báo cáo 👨\u200d👩\u200d👧 zero\u200dwidth \u202eevil\u202c"
    (saved,) = await h.say(HEAD, odd)
    assert "Đã lưu tài liệu kiểm chứng (1)" in saved.text
    assert evidence_rows(h)[0].text == odd  # the text is kept as sent

    for name in ("../../etc/passwd", "/abs/path.pdf", "..\\..\\windows\\win.ini", "\u202egpj.exe", "..", ""):
        (answer,) = await h.send_file(HEAD, name, f"noi dung {name!r}".encode())
        assert "Đã lưu tài liệu kiểm chứng" in answer.text, (name, answer.text)
    content = b"%PDF-1.4 cung mot tep"
    (first,) = await h.send_file(HEAD, "bao-cao.pdf", content)
    assert "Đã lưu tài liệu kiểm chứng" in first.text
    (dup,) = await h.send_file(HEAD, "bao-cao.pdf", content)
    assert "không lưu lần nữa" in dup.text

    rows = evidence_rows(h)
    files = [r for r in rows if r.stored_path]
    assert len(files) == 7 and len(rows) == 8
    root = h.evidence_dir.resolve()
    for row in files:
        stored = Path(row.stored_path).resolve()
        assert root in stored.parents and stored.is_file(), row.stored_path
        assert "/" not in (row.file_name or "") and "\\" not in (row.file_name or "")
        assert ".." != row.file_name and "\u202e" not in (row.file_name or "")
    on_disk = [p for p in h.evidence_dir.rglob("*") if p.is_file()]
    assert len(on_disk) == 7 and not Path("/abs/path.pdf").exists()
    assert len(audit_actions(h, "evidence_added")) == 8
    with Session(h.engine) as session:
        assert session.scalar(select(func.count()).select_from(MemberRow)) == 2


async def test_strangers_and_leaders_cannot_press_unit_buttons(h: Harness) -> None:
    reminder, occ = await ready(h)
    await join(h, "lanhdao", LEADER, "Phó Giám đốc Bình")
    before = len(audit_actions(h, "refused"))
    assert vietnamese(await refused(h, LEADER, reminder, f"done:{occ}"))
    assert vietnamese(await refused(h, 9999, reminder, f"done:{occ}"))
    assert len(audit_actions(h, "refused")) == before + 2
    assert audit_actions(h, "completion_submitted") == []
