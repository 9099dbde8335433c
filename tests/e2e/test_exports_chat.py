"""Exports over HTTP: /xuat sends the workbook and the evidence package, /lich and 📅 buttons send .ics files."""

from __future__ import annotations

import io
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path

import openpyxl
import pytest
from icalendar import Calendar
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.conversation import exports as exports_chat
from bot.db.models import AuditRow
from bot.sandbox.fake_api import SentMessage
from tests.conftest import MINI_PLAN
from tests.e2e.harness import ADMIN, Harness, at, start_harness, stop_harness

HEAD, STRANGER = 2002, 4242
FOLDER = "1 - Công tác chỉ đạo điều hành/1.1 - Ban hành kế hoạch CCHC/TCCB - Phòng Tổ chức cán bộ"


@pytest.fixture
async def h(tmp_path: Path) -> AsyncIterator[Harness]:
    harness = await start_harness(tmp_path, MINI_PLAN, at("25/10/2019"))
    yield harness
    await stop_harness(harness)


async def _join(h: Harness, unit: str, user: int, name: str) -> None:
    (link,) = await h.say(ADMIN, f"/moi {unit}")
    code = str(link.text).split("?start=")[1].split()[0]
    await h.say(user, f"/start {code}", name=name)


def _content(h: Harness, message: SentMessage) -> bytes:
    assert message.document is not None
    return h.api.state.files[message.document["file_id"]].content


def _audited(h: Harness, action: str) -> list[AuditRow]:
    with Session(h.engine) as s:
        return list(s.scalars(select(AuditRow).where(AuditRow.action == action)))


async def test_admin_export_sends_the_workbook_and_the_evidence_package(h: Harness) -> None:
    await _join(h, "TCCB", HEAD, "Nguyễn Văn An")
    await h.sweep_at(at("25/10/2019", 9))
    (reminder,) = [m for m in await h.sweep_at(at("30/10/2019")) if m.chat_id == HEAD]
    occ = reminder.reply_markup["inline_keyboard"][0][0]["callback_data"].split(":")[1]  # type: ignore[index]
    await h.press(HEAD, reminder, f"ev:{occ}")
    await h.send_file(HEAD, "Báo cáo CCHC.pdf", b"%PDF-1.4 bao cao ket qua")

    started, *documents, summary = await h.say(ADMIN, "/xuat", expect=4)
    assert "Đang tạo" in str(started.text)
    names = [d.document["file_name"] for d in documents]  # type: ignore[index]
    assert names == ["tong-hop-cchc.xlsx", "goi-minh-chung.zip"]
    assert "đến ngày 30/10/2019" in (documents[0].caption or "")
    workbook = openpyxl.load_workbook(io.BytesIO(_content(h, documents[0])))
    assert workbook.sheetnames == ["Lượt việc", "Tài liệu kiểm chứng", "Tổng hợp lĩnh vực", "Chỉ tiêu"]
    with zipfile.ZipFile(io.BytesIO(_content(h, documents[1]))) as zf:
        assert zf.read(f"{FOLDER}/Báo cáo CCHC.pdf") == b"%PDF-1.4 bao cao ket qua"
        assert "chi-muc.xlsx" in zf.namelist()
    assert "1 tệp tài liệu kiểm chứng" in str(summary.text) and "1 gói" in str(summary.text)
    (entry,) = _audited(h, "export_created")
    assert entry.details["files"] == 1 and entry.details["parts"] == ["goi-minh-chung.zip"]
    assert list((h.evidence_dir.parent / "exports").rglob("*.zip")) == []  # sent, so not kept twice


async def test_a_part_too_big_for_telegram_stays_on_disk_and_the_admin_gets_its_path(
        h: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    await _join(h, "TCCB", HEAD, "Nguyễn Văn An")
    await h.sweep_at(at("25/10/2019", 9))
    (reminder,) = [m for m in await h.sweep_at(at("30/10/2019")) if m.chat_id == HEAD]
    occ = reminder.reply_markup["inline_keyboard"][0][0]["callback_data"].split(":")[1]  # type: ignore[index]
    await h.press(HEAD, reminder, f"ev:{occ}")
    await h.send_file(HEAD, "Ảnh chụp hồ sơ.pdf", bytes(range(256)) * 160)  # 40 KB
    monkeypatch.setattr(exports_chat, "MAX_PART", 30_000)  # stands in for 45 MB

    started, workbook, part, summary = await h.say(ADMIN, "/xuat", expect=4)
    assert workbook.document["file_name"] == "tong-hop-cchc.xlsx"  # type: ignore[index]
    assert part.document["file_name"] == "goi-minh-chung-phan-1.zip"  # type: ignore[index]
    assert "phần 1/2" in str(part.caption)
    kept = h.evidence_dir.parent.resolve() / "exports"
    (big,) = kept.rglob("goi-minh-chung-phan-2.zip")
    assert "vượt giới hạn 50 MB" in str(summary.text) and str(big) in str(summary.text)
    assert "cùng một thư mục" in str(summary.text)
    with zipfile.ZipFile(big) as zf:
        assert zf.namelist() == [f"{FOLDER}/Ảnh chụp hồ sơ.pdf"]
    (entry,) = _audited(h, "export_created")
    assert entry.details["kept"] == [str(big)]


async def test_head_gets_own_unit_calendar_and_cannot_forge_another_units(h: Harness) -> None:
    await _join(h, "TCCB", HEAD, "Trần Thị Bình")
    (doc,) = await h.say(HEAD, "/lich")
    assert doc.document is not None and doc.document["file_name"] == "TCCB.ics"
    events = Calendar.from_ical(_content(h, doc)).walk("VEVENT")
    assert len(events) == 6 and all(str(e["UID"]).endswith("@nhacviec") for e in events)

    await h.press(HEAD, doc, "ics:KHTC", expect=0, forged=True)
    assert "đơn vị mình (TCCB)" in h.api.answered_callbacks[-1]["text"]
    (refused,) = await h.say(HEAD, "/lich KHTC")
    assert "không phải của đơn vị KHTC" in str(refused.text)
    (again,) = await h.press(HEAD, doc, "ics:TCCB", forged=True)
    assert again.document is not None and again.document["file_name"] == "TCCB.ics"
    await h.press(HEAD, doc, "ics:../../etc", expect=0, forged=True)
    assert "không hợp lệ" in h.api.answered_callbacks[-1]["text"]
    assert [a.subject for a in _audited(h, "calendar_sent")] == ["TCCB", "TCCB"]


async def test_admin_picks_any_units_calendar(h: Harness) -> None:
    (picker,) = await h.say(ADMIN, "/lich")
    datas = [b["callback_data"] for row in picker.reply_markup["inline_keyboard"] for b in row]  # type: ignore[index]
    assert datas == ["ics:KHTC", "ics:TCCB", "ics:VP"]
    (doc,) = await h.press(ADMIN, picker, "ics:KHTC")
    assert doc.document is not None and doc.document["file_name"] == "KHTC.ics"
    (doc,) = await h.say(ADMIN, "/lich tccb")
    assert doc.document is not None and doc.document["file_name"] == "TCCB.ics"
    (unknown,) = await h.say(ADMIN, "/lich SOGD")
    assert "Không có đơn vị \"SOGD\"" in str(unknown.text) and "KHTC, TCCB, VP" in str(unknown.text)


async def test_strangers_get_the_registration_hint_and_heads_cannot_export(h: Harness) -> None:
    for command in ("/xuat", "/export", "/lich", "/lich TCCB"):
        (hint,) = await h.say(STRANGER, command)
        assert "chưa được đăng ký" in str(hint.text)
    await h.press(STRANGER, hint, "ics:TCCB", expect=0, forged=True)
    assert "chưa được đăng ký" in h.api.answered_callbacks[-1]["text"]
    await _join(h, "KHTC", HEAD, "Lê Văn Cường")
    (refused,) = await h.say(HEAD, "/xuat")
    assert "chỉ dành cho quản trị" in str(refused.text)
    assert _audited(h, "export_created") == [] and _audited(h, "calendar_sent") == []
