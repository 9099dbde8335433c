"""PAR document metadata over HTTP: upload → one question → one line stored; the skip button; /vanban;
the office's requirement blocks ✅ until the numbers are given; /tucham."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import EvidenceRow
from bot.services import criteria
from tests.conftest import MINI_PLAN
from tests.e2e.harness import ADMIN, Harness, at, start_harness, stop_harness

HEAD = 2002
PROMPT = "Số/ký hiệu, ngày ban hành, trích yếu (cơ quan ban hành)?"


@pytest.fixture
async def h(tmp_path: Path) -> AsyncIterator[Harness]:
    harness = await start_harness(tmp_path, MINI_PLAN, at("25/10/2019"))
    (link,) = await harness.say(ADMIN, "/moi TCCB")
    code = link.text.split("?start=")[1].split()[0]
    await harness.say(HEAD, f"/start {code}", name="Nguyễn Văn An")
    await harness.sweep_at(at("25/10/2019", 9))
    yield harness
    await stop_harness(harness)


def _datas(message) -> list[str]:  # type: ignore[no-untyped-def]
    return [b["callback_data"] for row in (message.reply_markup or {}).get("inline_keyboard", []) for b in row]


def _labels(message) -> list[str]:  # type: ignore[no-untyped-def]
    return [b["text"] for row in (message.reply_markup or {}).get("inline_keyboard", []) for b in row]


def _documents(h: Harness) -> list[tuple[str | None, str | None, date | None, str | None, str | None]]:
    with Session(h.engine) as s:
        return [(e.file_name, e.doc_number, e.doc_date, e.doc_summary, e.doc_issuer)
                for e in s.scalars(select(EvidenceRow).order_by(EvidenceRow.id))]


async def _start_evidence(h: Harness) -> tuple[object, str]:
    reminders = await h.sweep_at(at("30/10/2019"))
    (reminder,) = [m for m in reminders if m.chat_id == HEAD]
    occ = _datas(reminder)[0].split(":")[1]
    await h.press(HEAD, reminder, f"ev:{occ}")
    return reminder, occ


async def test_upload_asks_once_and_one_line_stores_number_date_subject_issuer(h: Harness) -> None:
    _, occ = await _start_evidence(h)
    (asked,) = await h.send_file(HEAD, "ke-hoach.pdf", b"%PDF-1.4 ke hoach")
    assert "Đã lưu tài liệu kiểm chứng (1): ke-hoach.pdf" in asked.text and PROMPT in asked.text
    assert "123/KH-SGDĐT; 05/03/2019; Kế hoạch CCHC năm 2019; Sở GDĐT" in asked.text  # the example
    (ref,) = [d.split(":")[1] for d in _datas(asked) if d.startswith("emx:")]
    assert _labels(asked) == ["⏭ Bỏ qua", "✔️ Đã gửi đủ tài liệu"] and _datas(asked)[1] == f"evend:{occ}"

    (refused,) = await h.say(HEAD, "123/KH-SGDĐT; 31/02/2019; Kế hoạch CCHC năm 2019")
    assert "\"31/02/2019\" không phải là ngày" in refused.text and "dd/mm/yyyy" in refused.text
    (saved,) = await h.say(HEAD, "123/KH-SGDĐT; 05/03/2019; Kế hoạch CCHC năm 2019; Sở GDĐT")
    assert saved.text.startswith(f"✅ Đã ghi cho ke-hoach.pdf (#{ref}, nhiệm vụ 1.1, đơn vị TCCB)")
    assert "số 123/KH-SGDĐT · ngày 05/03/2019 · Kế hoạch CCHC năm 2019 · Sở GDĐT" in saved.text
    assert _documents(h) == [("ke-hoach.pdf", "123/KH-SGDĐT", date(2019, 3, 5), "Kế hoạch CCHC năm 2019", "Sở GDĐT")]

    (second,) = await h.send_file(HEAD, "bao-cao.pdf", b"%PDF-1.4 bao cao")  # the chat takes evidence again
    assert "Đã lưu tài liệu kiểm chứng (2): bao-cao.pdf" in second.text and PROMPT in second.text


async def test_the_skip_button_stores_nothing_and_a_next_file_is_still_evidence(h: Harness) -> None:
    await _start_evidence(h)
    (asked,) = await h.send_file(HEAD, "ke-hoach.pdf", b"%PDF-1.4 ke hoach")
    (skip,) = [d for d in _datas(asked) if d.startswith("emx:")]
    (skipped,) = await h.press(HEAD, asked, skip)
    assert "Đã bỏ qua" in skipped.text and f"/vanban {skip.split(':')[1]}" in skipped.text
    assert _documents(h) == [("ke-hoach.pdf", None, None, None, None)]
    (link,) = await h.say(HEAD, "https://drive.example/to-trinh")
    assert "Đã lưu tài liệu kiểm chứng (2)" in link.text

    (listing,) = await h.say(HEAD, "/vanban")
    assert "ke-hoach.pdf: chưa có số/ký hiệu, ngày ban hành" in listing.text
    (edit,) = _datas(listing)
    assert edit == skip.replace("emx:", "em:")
    (asked_again,) = await h.press(HEAD, listing, edit)
    assert PROMPT in asked_again.text
    (odd,) = await h.say(HEAD, "Kế hoạch năm; 05/03/2019")
    assert "⚠️ Số/ký hiệu \"Kế hoạch năm\" không giống dạng số/ký hiệu" in odd.text  # stored, with a warning
    assert _documents(h)[0][1:3] == ("Kế hoạch năm", date(2019, 3, 5))


async def test_office_requirement_removes_skip_and_blocks_confirm_until_numbers_are_given(h: Harness) -> None:
    (refused,) = await h.say(HEAD, "/yeucauvanban 1.1")
    assert "chỉ dành cho quản trị" in refused.text
    (told,) = await h.say(ADMIN, "/yeucauvanban 1.1")
    assert "nhiệm vụ 1.1 phải có số/ký hiệu và ngày ban hành" in told.text
    _, occ = await _start_evidence(h)
    (asked,) = await h.send_file(HEAD, "ke-hoach.pdf", b"%PDF-1.4 ke hoach")
    assert _labels(asked) == ["✔️ Đã gửi đủ tài liệu"] and "bắt buộc có số/ký hiệu" in asked.text
    (finished,) = await h.press(HEAD, asked, f"evend:{occ}")
    await h.press(HEAD, finished, f"done:{occ}", expect=0)
    assert "yêu cầu số/ký hiệu và ngày ban hành" in h.api.answered_callbacks[-1]["text"]
    with Session(h.engine) as s:
        evidence_id = s.scalar(select(EvidenceRow.id))
    (saved,) = await h.say(HEAD, f"/vanban {evidence_id} 123/KH-SGDĐT; 05/03/2019")
    assert "✅ Đã ghi" in saved.text
    (submitted,) = await h.press(HEAD, finished, f"done:{occ}")
    assert "gửi Văn phòng Sở xác nhận" in submitted.text


async def test_tucham_records_a_self_score_with_its_explanation(h: Harness) -> None:
    (empty,) = await h.say(ADMIN, "/tucham")
    assert "Chưa nạp bộ tiêu chí" in empty.text
    with Session(h.engine) as s, s.begin():
        criteria.load_criteria(s, criteria.parse_criteria(
            '- {code: "TC1", name: Kế hoạch CCHC, max_points: 2, tasks: ["1.1"]}'), h.clock.now())
    (bad,) = await h.say(ADMIN, "/tucham TC1 3")
    assert "Điểm \"3\" không hợp lệ" in bad.text and "từ 0 đến 2" in bad.text
    (needs,) = await h.say(ADMIN, "/tucham TC1 1,5")
    assert "cần có giải trình" in needs.text
    (done,) = await h.say(ADMIN, "/tucham TC1 1,5 Báo cáo quý gửi chậm")
    assert "✅ Đã ghi điểm tự chấm." in done.text and "TC1 Kế hoạch CCHC: 1,5/2 — Báo cáo quý gửi chậm" in done.text
    (head,) = await h.say(HEAD, "/tucham TC1 2")
    assert "chỉ dành cho quản trị" in head.text
