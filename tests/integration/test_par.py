"""PAR evidence on SQLite and PostgreSQL: document metadata, the office's requirement, ratios as counts,
criteria and self-scores, and what the workbook and the ZIP index carry."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.db.members import ensure_member
from bot.db.models import AuditRow, ChatStateRow, EvidenceRow, MetricRow, MetricValueRow, OccurrenceRow
from bot.domain.workdays import WorkCalendar
from bot.engine.sync import sync_plan
from bot.exports.package import write_export
from bot.exports.records import load_snapshot
from bot.plans.loader import parse_plan
from bot.services import criteria, metrics, par, tasks
from bot.services.access import Refused, load_actor
from bot.services.tasks import Event
from tests.conftest import MINI_PLAN

NOW = datetime(2019, 11, 12, 2, 0, tzinfo=timezone.utc)
TODAY = date(2019, 11, 12)
ADMIN, HEAD, OTHER = 1, 20, 30
METRICS = """    metrics:
      - {id: rut-ngan, name: Tỷ lệ TTHC cắt giảm thời gian, kind: percent, target: 30, comparison: ">="}
"""
CRITERIA = """
- {code: "TC1.1", name: Ban hành kế hoạch CCHC, max_points: 2, tasks: ["1.1"]}
- {code: "TC9", name: Tiêu chí không có nhiệm vụ, max_points: 1.5, tasks: ["9.9"]}
"""


def call(db: Engine, user: int, fn, *args):  # type: ignore[no-untyped-def]
    with Session(db, expire_on_commit=False) as s, s.begin():
        return fn(s, load_actor(s, user, user), *args, Event(NOW))


@pytest.fixture
def docs(db: Engine, tmp_path: Path) -> dict[str, int]:
    """Mini plan with a ratio metric; a TCCB head with a PDF, a photo and a link; a KHTC head; the office."""
    text = MINI_PLAN.read_text(encoding="utf-8")
    anchor = "    title: Ban hành kế hoạch CCHC\n"
    sync_plan(db, parse_plan(text.replace(anchor, anchor + METRICS), "mini.yaml"), WorkCalendar(), NOW)
    ensure_member(db, NOW, chat_id=HEAD, user_id=HEAD, role="head", unit="TCCB", name="Trần Thị Bình")
    ensure_member(db, NOW, chat_id=OTHER, user_id=OTHER, role="head", unit="KHTC", name="Lê Văn Cường")
    ensure_member(db, NOW, chat_id=ADMIN, user_id=ADMIN, role="admin", unit="VP", name="Chánh Văn phòng")
    pdf = tmp_path / "kh.pdf"
    pdf.write_bytes(b"%PDF-1.4 ke hoach")
    with Session(db, expire_on_commit=False) as s, s.begin():
        occ = s.scalar(select(OccurrenceRow.id).where(OccurrenceRow.key == "1.1/ket-qua/TCCB/2019"))
        head = load_actor(s, HEAD, HEAD)
        ev = Event(NOW)
        ids = {"occ": occ}
        ids["pdf"] = tasks.add_evidence(s, head, occ, ev, kind="document", file_name="Kế hoạch CCHC.pdf", size=17,
                                        stored_path=str(pdf), sha256=None).id
        ids["photo"] = tasks.add_evidence(s, head, occ, ev, kind="photo", file_name=None, size=3).id
        ids["link"] = tasks.add_evidence(s, head, occ, ev, kind="link", text="https://vb.example/1").id
        ids["metric"] = s.scalar(select(MetricRow.id))
    return ids


def test_metadata_is_stored_validated_audited_and_kept_when_fields_are_left_out(db: Engine,
                                                                                docs: dict[str, int]) -> None:
    meta = par.parse_meta_line("123/KH-SGDĐT; 05/03/2019; Kế hoạch CCHC năm 2019; Sở GDĐT", TODAY)
    done = call(db, HEAD, par.set_document_meta, docs["pdf"], meta)
    assert (done.task_id, done.unit, done.warnings) == ("1.1", "TCCB", ())
    call(db, HEAD, par.set_document_meta, docs["pdf"], par.DocumentMeta(issuer="Sở Giáo dục và Đào tạo"))
    with Session(db) as s:
        row = s.get(EvidenceRow, docs["pdf"])
        assert (row.doc_number, row.doc_date, row.doc_summary, row.doc_issuer) == (
            "123/KH-SGDĐT", date(2019, 3, 5), "Kế hoạch CCHC năm 2019", "Sở Giáo dục và Đào tạo")
        audits = s.scalars(select(AuditRow).where(AuditRow.action == "evidence_described")).all()
        assert [a.details["issued_on"] for a in audits] == ["2019-03-05", "2019-03-05"]


def test_an_odd_number_is_stored_with_a_warning(db: Engine, docs: dict[str, int]) -> None:
    done = call(db, HEAD, par.set_document_meta, docs["pdf"], par.DocumentMeta(number="Kế hoạch số 5"))
    assert len(done.warnings) == 1
    with Session(db) as s:
        assert s.get(EvidenceRow, docs["pdf"]).doc_number == "Kế hoạch số 5"


def test_only_the_unit_and_the_office_describe_a_document_and_links_have_no_number(db: Engine,
                                                                                  docs: dict[str, int]) -> None:
    with pytest.raises(Refused) as err:
        call(db, OTHER, par.set_document_meta, docs["pdf"], par.DocumentMeta(number="1/KH-X"))
    assert err.value.key == "not_your_unit"
    with pytest.raises(Refused) as err:
        call(db, HEAD, par.start_meta, docs["link"])
    assert err.value.key == "no_such_document"
    assert call(db, ADMIN, par.set_document_meta, docs["photo"], par.DocumentMeta(number="2/BC-VP")).unit == "TCCB"


def test_the_office_requires_metadata_per_task_skip_and_confirm_are_refused_until_given(
        db: Engine, docs: dict[str, int]) -> None:
    with pytest.raises(Refused):
        call(db, HEAD, par.set_meta_required, "1.1", True)  # heads cannot
    call(db, ADMIN, par.set_meta_required, "1.1", True)
    target = call(db, HEAD, par.start_meta, docs["pdf"])
    assert target.required
    with pytest.raises(Refused) as err:
        call(db, HEAD, par.skip_meta, docs["pdf"])
    assert err.value.key == "doc_meta_required"
    with pytest.raises(Refused) as err:
        call(db, HEAD, par.set_document_meta, docs["pdf"], par.DocumentMeta(number="123/KH-SGDĐT"))
    assert err.value.key == "doc_meta_required" and "ngày ban hành" in err.value.params["missing"]
    with Session(db) as s, pytest.raises(Refused) as err:
        par.require_described(s, docs["occ"])
    assert err.value.key == "doc_meta_missing" and err.value.params["count"] == 2
    for ref, line in ((docs["pdf"], "123/KH-SGDĐT; 05/03/2019"), (docs["photo"], "7/BC-TCCB; 06/03/2019")):
        call(db, HEAD, par.set_document_meta, ref, par.parse_meta_line(line, TODAY))
    with Session(db) as s:
        par.require_described(s, docs["occ"])  # no longer refused
    call(db, ADMIN, par.set_meta_required, "1.1", False)
    assert not call(db, HEAD, par.start_meta, docs["pdf"]).required


def test_skip_returns_the_chat_to_taking_evidence(db: Engine, docs: dict[str, int]) -> None:
    call(db, HEAD, par.start_meta, docs["pdf"])
    with Session(db) as s:
        assert (s.get(ChatStateRow, HEAD).kind, s.get(ChatStateRow, HEAD).ref) == ("docmeta", docs["pdf"])
    call(db, HEAD, par.skip_meta, docs["pdf"])
    with Session(db) as s:
        assert (s.get(ChatStateRow, HEAD).kind, s.get(ChatStateRow, HEAD).ref) == ("evidence", docs["occ"])


def test_a_ratio_entered_as_counts_stores_numerator_and_denominator(db: Engine, docs: dict[str, int]) -> None:
    row = call(db, HEAD, metrics.record_value, docs["metric"], "12/40")
    plain = call(db, OTHER, metrics.record_value, docs["metric"], "95,5%")
    with Session(db) as s:
        stored = {v.unit: (v.value, v.numerator, v.denominator) for v in s.scalars(select(MetricValueRow))}
        metric = s.get(MetricRow, docs["metric"])
        lines = metrics.describe_metrics(metrics.metric_status(s))
    assert stored == {"TCCB": (30.0, 12, 40), "KHTC": (95.5, None, None)}
    assert metrics.fmt_row(metric, row) == "30,0% (12/40)" and metrics.fmt_row(metric, plain) == "95,5%"
    assert "TCCB 30,0% (12/40) (đạt)" in lines[0] and "KHTC 95,5% (đạt)" in lines[0]


def _criteria(db: Engine) -> criteria.LoadResult:
    with Session(db) as s, s.begin():
        return criteria.load_criteria(s, criteria.parse_criteria(CRITERIA), NOW)


def test_criteria_load_reload_and_self_scores_keep_history(db: Engine, docs: dict[str, int]) -> None:
    assert _criteria(db) == criteria.LoadResult(2, 0, ("9.9",))
    with pytest.raises(Refused) as err:
        call(db, ADMIN, criteria.record_self_score, "TC1.1", "2,5", "")
    assert err.value.key == "score_bad"
    with pytest.raises(Refused) as err:
        call(db, ADMIN, criteria.record_self_score, "TC1.1", "1,5", " ")
    assert err.value.key == "score_needs_explanation"
    with pytest.raises(Refused) as err:
        call(db, HEAD, criteria.record_self_score, "TC1.1", "2", "")
    assert err.value.key == "admin_only"
    with pytest.raises(Refused) as err:
        call(db, ADMIN, criteria.record_self_score, "TC7", "1", "")
    assert err.value.key == "no_such_criterion" and err.value.params["known"] == "TC1.1, TC9"
    call(db, ADMIN, criteria.record_self_score, "TC1.1", "2", "")
    call(db, ADMIN, criteria.record_self_score, "TC1.1", "1,5", "Báo cáo quý III gửi chậm")
    with Session(db) as s, s.begin():
        first, second = criteria.scoring_table(s)
        assert (first.code, first.score, first.explanation, first.task_ids) == (
            "TC1.1", 1.5, "Báo cáo quý III gửi chậm", ("1.1",))
        assert (second.code, second.score) == ("TC9", None)
        assert [a.details["score"] for a in s.scalars(select(AuditRow).where(AuditRow.action == "self_scored"))] == [
            2.0, 1.5]
        result = criteria.load_criteria(s, criteria.parse_criteria(CRITERIA.split("\n- {code: \"TC9\"")[0]), NOW)
        assert result.retired == 1 and [c.code for c in criteria.scoring_table(s)] == ["TC1.1"]


def _sheet(data: bytes, name: str) -> list[list[object]]:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return [list(r) for r in wb[name].iter_rows(values_only=True)]


def test_workbook_and_zip_index_carry_metadata_next_to_the_file_and_the_scoring_table(
        db: Engine, docs: dict[str, int], tmp_path: Path) -> None:
    call(db, HEAD, par.set_document_meta, docs["pdf"],
         par.parse_meta_line("123/KH-SGDĐT; 05/03/2019; Kế hoạch CCHC năm 2019; Sở GDĐT", TODAY))
    _criteria(db)
    call(db, ADMIN, criteria.record_self_score, "TC1.1", "1,75", "Thiếu báo cáo quý")
    call(db, HEAD, metrics.record_value, docs["metric"], "12/40")
    with Session(db) as s:
        snap = load_snapshot(s, TODAY)
    done = write_export(snap, tmp_path / "out")
    workbook = done.workbook.read_bytes()
    with zipfile.ZipFile(done.package.paths[0]) as zf:
        index = zf.read("chi-muc.xlsx")
    for data in (workbook, index):
        wb = openpyxl.load_workbook(io.BytesIO(data))
        assert wb.sheetnames == ["Lượt việc", "Tài liệu kiểm chứng", "Tổng hợp lĩnh vực", "Chỉ tiêu",
                                 "Bảng tự chấm điểm"]
        evidence = _sheet(data, "Tài liệu kiểm chứng")
        assert evidence[0][5:10] == ["Tên tệp", "Số/ký hiệu", "Ngày ban hành", "Trích yếu", "Cơ quan ban hành"]
        (pdf,) = [r for r in evidence[1:] if r[5] == "Kế hoạch CCHC.pdf"]
        assert pdf[6:10] == ["123/KH-SGDĐT", datetime(2019, 3, 5), "Kế hoạch CCHC năm 2019", "Sở GDĐT"]
        assert [r[6] for r in evidence[1:] if r[4] == "Đường link"] == [None]
        scoring = _sheet(data, "Bảng tự chấm điểm")
        assert scoring[0][:6] == ["Mã tiêu chí", "Tiêu chí", "Điểm tối đa", "Điểm tự chấm", "Giải trình", "Nhiệm vụ"]
        assert scoring[0][6:13] == ["Đơn vị", "Tên đơn vị", "Tên tệp", "Số/ký hiệu", "Ngày ban hành", "Trích yếu",
                                    "Cơ quan ban hành"]
        assert scoring[1][:6] == ["TC1.1", "Ban hành kế hoạch CCHC", 2, 1.75, "Thiếu báo cáo quý", "1.1"]
        rows = [r for r in scoring[1:] if r[0] == "TC1.1"][1:]
        assert [(r[5], r[6], r[9]) for r in rows] == [("1.1", "TCCB", "123/KH-SGDĐT"), ("1.1", "TCCB", None),
                                                      ("1.1", "TCCB", None)]
        assert {r[7] for r in rows} == {"Phòng Tổ chức cán bộ"}  # the name beside the code (M5)
        assert rows[0][8] == "Kế hoạch CCHC.pdf" and rows[0][10] == datetime(2019, 3, 5)
        assert [r[0] for r in scoring[1:]][-2:] == ["TC9", "TC9"] and scoring[-1][8] == "(chưa có tài liệu kiểm chứng)"
        metric = [r for r in _sheet(data, "Chỉ tiêu")[1:] if r[3] == "TCCB"]
        assert [(r[5], r[6], r[7], r[8]) for r in metric] == [(30, 12, 40, "Đạt")]


def test_a_plan_without_criteria_has_no_scoring_sheet(db: Engine, docs: dict[str, int], tmp_path: Path) -> None:
    with Session(db) as s:
        snap = load_snapshot(s, TODAY)
    assert snap.criteria == []
    wb = openpyxl.load_workbook(write_export(snap, tmp_path / "o").workbook)
    assert "Bảng tự chấm điểm" not in wb.sheetnames and len(wb.sheetnames) == 4


def test_closed_occurrences_read_dong(db: Engine, docs: dict[str, int], tmp_path: Path) -> None:
    with Session(db) as s, s.begin():
        s.get(OccurrenceRow, docs["occ"]).status = "closed"  # what i12a's bulk close writes
    with Session(db) as s:
        snap = load_snapshot(s, TODAY + timedelta(days=30))
    wb = openpyxl.load_workbook(write_export(snap, tmp_path / "o").workbook)
    rows = [list(r) for r in wb["Lượt việc"].iter_rows(min_row=2, values_only=True)]
    (closed,) = [r for r in rows if r[5] == "TCCB" and r[4].startswith("Gửi kết quả") and r[7].year == 2019]
    assert closed[9] == "Đóng"
    summary = [list(r) for r in wb["Tổng hợp lĩnh vực"].iter_rows(min_row=2, values_only=True)]
    assert summary[-1][0] == "Tổng cộng" and summary[-1][8] == 1


def test_cli_loads_the_example_criteria_file_and_lists_every_problem_of_a_bad_one(
        db: Engine, db_url: str, docs: dict[str, int], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import yaml

    from bot.cli import main
    from tests.conftest import ROOT

    cfg = tmp_path / "config.yaml"
    cfg.write_text(yaml.safe_dump({"plan": str(MINI_PLAN), "database": {"url": db_url},
                                   "clock": {"start": "2019-11-12T09:00:00+07:00"}}), encoding="utf-8")
    example = ROOT / "schedules" / "criteria-2019.example.yaml"
    assert "VÍ DỤ" in example.read_text(encoding="utf-8").splitlines()[0]  # marked as an example
    assert main(["criteria", "load", str(example), "--config", str(cfg)]) == 0
    printed = capsys.readouterr()
    assert "Đã nạp 12 tiêu chí" in printed.out and "không có trong kế hoạch" in printed.err  # mini plan: 1.1 only
    bad = tmp_path / "bad.yaml"
    bad.write_text('- {code: "A", name: "", max_points: 200}\n', encoding="utf-8")
    assert main(["criteria", "load", str(bad), "--config", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert "có 2 lỗi" in err and "thiếu tên" in err and "điểm tối đa" in err
    with Session(db) as s:
        assert [c.code for c in criteria.scoring_table(s)][:3] == ["1.1", "1.2", "1.3"]  # the bad file stored nothing
