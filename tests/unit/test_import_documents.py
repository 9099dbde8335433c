"""`nhacviec import` on the seed and on plans of other shapes: every draft loads with the real plan loader."""

from __future__ import annotations

import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from bot.domain.deadlines import expand_plan
from bot.domain.plan import Plan
from bot.domain.workdays import WorkCalendar
from bot.importer.cli import run_import
from bot.importer.draft import Draft
from bot.plans.loader import load_plan, parse_plan

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / ".." / "shared" / "seed" / "000_205301eb221e9f11.txt"
DATA = ROOT / "tests" / "data" / "import"
PROSE = DATA / "ke-hoach-2026-trong-tam.txt"
BUNDLED = ROOT / "schedules" / "cchc-2019-2020.yaml"
sys.path.insert(0, str(DATA))
from make_docs import EXPECTED, ROWS, make_docs


def seed_path() -> Path:
    assert SEED.exists(), f"the seed plan is missing: {SEED}"  # fails, never skips
    return SEED


def loaded(draft: Draft) -> Plan:
    return parse_plan(draft.text, "draft.yaml")


def words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def seed() -> tuple[Draft, Plan]:
    draft = run_import(seed_path(), None, None)
    return draft, loaded(draft)


@pytest.fixture(scope="module")
def tables(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_docs(tmp_path_factory.mktemp("import"))


# ---------------------------------------------------------------- the seed


def test_seed_title_years_and_no_date_of_issue(seed: tuple[Draft, Plan]) -> None:
    draft, plan = seed
    assert plan.plan.title == "Kế hoạch Nâng cao Chỉ số cải cách hành chính Sở Giáo dục và Đào tạo năm 2019, 2020"
    assert plan.plan.years == [2019, 2020]
    assert plan.plan.office == "VP"
    assert "Ngày ban hành: không tìm thấy; cần bổ sung." in draft.text


def test_seed_areas_and_tasks_match_the_bundled_transcription(seed: tuple[Draft, Plan]) -> None:
    _, plan = seed
    bundled = load_plan(BUNDLED)
    assert [a.name for a in plan.areas] == [a.name for a in bundled.areas]
    assert Counter(t.area for t in plan.tasks) == Counter(t.area for t in bundled.tasks)
    assert len(plan.tasks) == 42


def test_seed_lead_and_cooperating_units_are_the_seeds(seed: tuple[Draft, Plan]) -> None:
    _, plan = seed
    bundled = load_plan(BUNDLED)
    for mine, theirs in zip(plan.areas, bundled.areas, strict=True):
        assert mine.responsibility == theirs.responsibility, mine.name
    assert plan.area("8").responsibility.lead == ["VP", "TCCB"]
    assert plan.area("4").responsibility.others == ["TTr", "DVTT"]


def test_seed_every_content_item_of_section_ii_is_a_task(seed: tuple[Draft, Plan]) -> None:
    _, plan = seed
    # The import keeps the document's own words; the bundled transcription corrects "18-NQ-TW" to "18-NQ/TW".
    details = [words(t.detail or "").replace("-NQ-TW", "-NQ/TW") for t in plan.tasks]
    bundled = load_plan(BUNDLED)
    for task in bundled.tasks:  # the bundled transcription adds editorial notes at the end of a few details
        start = words(task.detail or "")[:60]
        assert any(d.startswith(start) or d.lower().startswith(start.lower()) for d in details), task.id
    split = [t for t in plan.tasks if t.area == "5"][:12]
    assert split[3].detail == ("Đảm bảo quản lý, sử dụng biên chế, công chức-viên chức và lao động đúng quy định: "
                               "ký kết hợp đồng làm việc đối với đối tượng Hợp đồng 68 theo quy định")
    assert split[3].title == "Ký kết hợp đồng làm việc đối với đối tượng Hợp đồng 68 theo quy định"
    assert "Tách từ một gạch đầu dòng dài" in seed[0].text
    assert words(plan.task("6.2").detail or "").startswith("Xây dựng phương án và báo cáo kết quả chi thu nhập")


def test_seed_both_deadlines_the_seed_names(seed: tuple[Draft, Plan]) -> None:
    _, plan = seed
    (common,) = plan.plan.common_deadlines
    assert (common.yearly, common.exclusive, common.source, common.due_from) == ("20/11", True, "seed", "all")
    training = [t for t in plan.tasks if t.deadlines]
    assert [t.id for t in training] == ["5.13"]
    (spec,) = training[0].deadlines
    assert spec.window is not None and (spec.window.quarter, spec.window.year_offset) == (2, -1)
    assert "đào tạo, bồi dưỡng" in training[0].title
    due = sorted(o.nominal.isoformat() for o in expand_plan(plan, WorkCalendar()) if o.task_id == "5.13"
                 and o.deadline_id == spec.id)
    # every training-plan day inside the plan's period: for 2020 (Q2 2019) and for 2021 (Q2 2020)
    assert sorted(set(due)) == ["2019-06-30", "2020-06-30"]
    assert spec.years == [2020, 2021]
    results = {o.nominal.isoformat() for o in expand_plan(plan, WorkCalendar()) if o.deadline_id == "ket-qua"}
    assert results == {"2019-11-19", "2020-11-19"}


def test_seed_groups_get_placeholder_members_flagged(seed: tuple[Draft, Plan]) -> None:
    draft, plan = seed
    assert {g.id: g.members for g in plan.groups} == {"PHONG": ["TCCB", "TTr", "KHTC"], "DVTT": ["DVTT-1"]}
    assert "Nhóm DVTT" in draft.text and "Thay bằng các đơn vị thật" in draft.text


def test_units_file_gives_the_groups_their_real_members() -> None:
    draft = run_import(seed_path(), BUNDLED, None)
    plan = loaded(draft)
    assert {g.id: len(g.members) for g in plan.groups} == {"PHONG": 8, "DVTT": 3}
    assert draft.new_units == [] and "DVTT-1" not in draft.text


def test_unikey_decomposed_input_reads_the_same(tmp_path: Path, seed: tuple[Draft, Plan]) -> None:
    nfd = tmp_path / "seed-nfd.txt"
    nfd.write_text(unicodedata.normalize("NFD", seed_path().read_text(encoding="utf-8")), encoding="utf-8")
    assert nfd.read_bytes() != seed_path().read_bytes()
    plan = loaded(run_import(nfd, None, None))
    assert [(t.id, t.detail) for t in plan.tasks] == [(t.id, t.detail) for t in seed[1].tasks]
    assert plan.areas == seed[1].areas


# ---------------------------------------------------------------- the table plan, .docx and .xlsx


@pytest.mark.parametrize("kind", [0, 1], ids=["docx", "xlsx"])
def test_table_plan_reads_every_row(tables: tuple[Path, Path], kind: int) -> None:
    draft = run_import(tables[kind], None, None)
    plan = loaded(draft)
    assert plan.plan.years == [2026] and plan.plan.office == "VP"
    assert [a.name for a in plan.areas] == ["Cải cách thể chế", "Cải cách thủ tục hành chính",
                                            "Cải cách tổ chức bộ máy", "Cải cách tài chính công",
                                            "Hiện đại hóa hành chính"]
    assert (len(plan.areas), len(plan.tasks), draft.deadlines) == (EXPECTED["areas"], EXPECTED["tasks"],
                                                                    EXPECTED["deadlines"])
    assert [t.detail for t in plan.tasks] == [r[1] for r in ROWS if len(r) > 2]
    assert plan.plan.issued_on == "2026-01-08"
    assert [plan.unit(u).name for u in draft.new_units] == EXPECTED["new_units"]
    assert [t.id for t in plan.tasks if not t.deadlines] == EXPECTED["ongoing"]


@pytest.mark.parametrize("kind", [0, 1], ids=["docx", "xlsx"])
def test_table_plan_columns_become_responsibility_deadlines_and_evidence(tables: tuple[Path, Path],
                                                                         kind: int) -> None:
    plan = loaded(run_import(tables[kind], None, None))
    first = plan.task("1.1")
    assert plan.responsibility(first).lead == ["VP"] and plan.responsibility(first).others == ["PHONG"]
    assert first.evidence == ["Báo cáo kết quả rà soát"] and first.evidence_required
    assert first.deadlines[0].window is not None and first.deadlines[0].window.quarter == 2
    assert plan.task("2.1").evidence == ["Quyết định công bố", "Ảnh chụp trang công khai"]
    quarterly = plan.task("2.2").deadlines[0]
    assert (quarterly.rrule, quarterly.source) == ("FREQ=YEARLY;BYMONTH=3,6,9,12;BYMONTHDAY=20", "assumed")
    assert plan.responsibility(plan.task("2.2")).others == ["PHONG"]  # "Các phòng CM, NV"
    feb = plan.task("3.1").deadlines[0]
    assert feb.window is not None and (feb.window.start, feb.window.end) == ("01/02", "29/02")
    assert {d.yearly for d in plan.task("4.1").deadlines} == {"20/06", "20/12"}
    assert plan.responsibility(plan.task("4.2")).lead == ["KHTC"]
    before = plan.task("5.1").deadlines[0]
    assert (before.date, before.exclusive) == ("2026-06-30", True)
    (common,) = plan.plan.common_deadlines
    assert (common.date, common.exclusive, common.due_from) == ("2026-11-15", True, "all")
    dues = {(o.task_id, o.nominal.isoformat()) for o in expand_plan(plan, WorkCalendar())}
    assert ("5.2", "2026-12-31") in dues and ("3.1", "2026-02-28") in dues and ("4.1", "2026-06-20") in dues


def test_a_pdf_export_of_the_table_reads_like_the_word_table(tmp_path: Path, tables: tuple[Path, Path]) -> None:
    lines = ["KẾ HOẠCH", "Thực hiện công tác cải cách hành chính năm 2026", "PHỤ LỤC",
             "STT\tNội dung nhiệm vụ\tĐơn vị chủ trì\tĐơn vị phối hợp\tThời gian hoàn thành\tSản phẩm"]
    lines += [" | ".join(r) if len(r) > 2 else f"{r[0]} | {r[1]} | | | |" for r in ROWS]
    flat = tmp_path / "phu-luc.txt"
    flat.write_text("\n".join(lines), encoding="utf-8")
    mine, word = loaded(run_import(flat, None, None)), loaded(run_import(tables[0], None, None))
    assert [(t.id, t.detail, t.deadlines) for t in mine.tasks] == [(t.id, t.detail, t.deadlines) for t in word.tasks]


# ---------------------------------------------------------------- the 2026 prose plan


def test_prose_plan_numbered_items_with_their_own_lines() -> None:
    draft = run_import(PROSE, None, None)
    plan = loaded(draft)
    assert plan.plan.title == "Kế hoạch Cải cách hành chính năm 2026 của Sở Giáo dục và Đào tạo"
    assert plan.plan.issued_by == "Giám đốc Sở Giáo dục và Đào tạo"
    assert plan.plan.issued_on == "2026-01-20"
    assert [(a.id, len([t for t in plan.tasks if t.area == a.id])) for a in plan.areas] == [("1", 2), ("2", 3),
                                                                                            ("3", 3)]
    first = plan.task("1.1")
    assert "toàn trình" in (first.detail or "") and "một phần" in (first.detail or "")
    assert first.evidence == ["Danh mục thủ tục hành chính cung cấp toàn trình, một phần được công bố",
                              "Báo cáo kết quả"]
    digitise = plan.task("1.2")
    assert (digitise.detail or "").count("\n- ") == 2  # its sub-bullets stay in its detail
    resp = plan.responsibility(digitise)
    assert (resp.lead, resp.others_as) == ([], "thực hiện") and resp.others[0] == "VP"
    assert plan.unit(resp.others[1]).name == "Trung tâm Công nghệ thông tin và Truyền thông"
    assert plan.responsibility(plan.task("2.3")).others == ["PHONG", "DVTT"]
    assert plan.task("3.1").deadlines == [] and "nhiệm vụ thường xuyên" in draft.text
    assert {d.id for d in plan.task("3.2").deadlines} == {"bc-6thang", "bc-nam"}
    assert draft.deadlines == 9 and draft.assumed == 3
    (common,) = plan.plan.common_deadlines
    assert (common.date, common.exclusive) == ("2026-11-20", True)


def test_units_file_names_the_new_unit(tmp_path: Path) -> None:
    units = tmp_path / "units.yaml"
    units.write_text('units:\n  - {id: VP, name: "Văn phòng Sở"}\n'
                     '  - {id: CNTT, name: "Trung tâm CNTT", aliases: ["Trung tâm Công nghệ thông tin và '
                     'Truyền thông"]}\n', encoding="utf-8")
    draft = run_import(PROSE, units, None)
    plan = loaded(draft)
    assert plan.responsibility(plan.task("1.2")).others == ["VP", "CNTT"]
    assert draft.new_units == []


def test_seed_as_a_word_document_with_list_numbering_reads_the_same(tmp_path: Path,
                                                                    seed: tuple[Draft, Plan]) -> None:
    import docx

    from bot.importer.reading import read_document

    document = docx.Document()
    for block in read_document(seed_path()):  # areas and bullets become Word lists: no number typed in the text
        area = re.match(r"^(\d+)\.\s+(.+)$", block.text)
        if area and not re.match(r"^\d+\.\d", block.text):
            document.add_paragraph(area.group(2), style="List Number")
        elif block.text.startswith("-"):
            document.add_paragraph(block.text.lstrip("- "), style="List Bullet")
        else:
            document.add_paragraph(block.text)
    path = tmp_path / "seed.docx"
    document.save(str(path))
    assert "1. Công tác chỉ đạo điều hành" not in "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    plan = loaded(run_import(path, None, None))
    assert [(t.id, t.detail) for t in plan.tasks] == [(t.id, t.detail) for t in seed[1].tasks]
    assert [a.responsibility for a in plan.areas] == [a.responsibility for a in seed[1].areas]


# ---------------------------------------------------------------- other shapes, briefly


def test_areas_as_roman_sections_and_plus_bullets(tmp_path: Path) -> None:
    source = tmp_path / "roman.txt"
    source.write_text("KẾ HOẠCH\nKiểm tra công tác cải cách hành chính năm 2026\n"
                      "I. MỤC ĐÍCH, YÊU CẦU\n- Đánh giá đúng thực chất.\n"
                      "II. KIỂM TRA TẠI CƠ QUAN SỞ\n+ Kiểm tra việc niêm yết thủ tục hành chính.\n"
                      "+ Kiểm tra hồ sơ một cửa.\nĐơn vị chủ trì: Văn phòng Sở\nThời gian: Quý III/2026\n"
                      "III. KIỂM TRA TẠI ĐƠN VỊ TRỰC THUỘC\n- Kiểm tra các trường THPT.\n"
                      "Đơn vị chủ trì: Thanh tra Sở\nĐơn vị phối hợp: Các phòng CMNV\n"
                      "IV. TỔ CHỨC THỰC HIỆN\nCác đơn vị gửi báo cáo về Văn phòng Sở trước ngày 10/12/2026.\n",
                      encoding="utf-8")
    plan = loaded(run_import(source, None, None))
    assert [(a.name, len([t for t in plan.tasks if t.area == a.id])) for a in plan.areas] == [
        ("KIỂM TRA TẠI CƠ QUAN SỞ", 2), ("KIỂM TRA TẠI ĐƠN VỊ TRỰC THUỘC", 1)]
    assert plan.task("1.1").detail == "Kiểm tra việc niêm yết thủ tục hành chính."
    # a time line after bullets is the time of those bullets; a responsibility line is the area's
    assert [d.window for d in plan.task("1.1").deadlines] == [d.window for d in plan.task("1.2").deadlines]
    window = plan.task("1.1").deadlines[0].window
    assert window is not None and window.quarter == 3
    assert plan.area("2").responsibility.lead == ["TTr"] and plan.area("2").responsibility.others == ["PHONG"]
    assert plan.plan.common_deadlines[0].date == "2026-12-10"


def test_bullets_straight_under_the_task_section_form_one_area(tmp_path: Path) -> None:
    source = tmp_path / "flat.txt"
    source.write_text("KẾ HOẠCH\nTuyên truyền cải cách hành chính năm 2026\nII. NHIỆM VỤ TRỌNG TÂM\n"
                      "- Đăng tin về CCHC trên trang thông tin điện tử của Sở.\n- Tổ chức hội nghị tuyên truyền.\n",
                      encoding="utf-8")
    draft = run_import(source, None, None)
    plan = loaded(draft)
    assert [a.name for a in plan.areas] == ["Nhiệm vụ trọng tâm"] and len(plan.tasks) == 2
    assert "Không tìm thấy hạn chung" in draft.text


def test_excel_area_row_merged_across_the_table_and_a_repeated_header(tmp_path: Path) -> None:
    from datetime import datetime

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    header = ["STT", "Nội dung", "Chủ trì", "Phối hợp", "Thời hạn", "Sản phẩm"]
    sheet.append(["KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2026"])
    for name, task in (("I. CẢI CÁCH THỂ CHẾ", "Rà soát văn bản"), ("II. HIỆN ĐẠI HÓA", "Số hóa hồ sơ")):
        sheet.append(header)
        sheet.append([name])
        sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=6)
        due = "Tháng 3/2026" if task.startswith("Rà") else datetime(2026, 9, 30)  # a real Excel date cell
        sheet.append(["1", task, "VP", "", due, "Báo cáo"])
    path = tmp_path / "appendix.xlsx"
    book.save(str(path))
    plan = loaded(run_import(path, None, None))
    assert [a.name for a in plan.areas] == ["CẢI CÁCH THỂ CHẾ", "HIỆN ĐẠI HÓA"]
    assert [t.detail for t in plan.tasks] == ["Rà soát văn bản", "Số hóa hồ sơ"]
    assert plan.task("2.1").deadlines[0].date == "2026-09-30"
    assert plan.plan.title == "Kế hoạch Cải cách hành chính năm 2026" and plan.plan.years == [2026]
