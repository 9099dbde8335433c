"""`nhacviec import` on another Sở's 2026 plan in three layouts the importer was not built on
(tests/data/import/make_other.py): Word heading styles and a table over two pages, the same plan flattened
from PDF, and its appendix workbook. Each draft is compared with what the document holds."""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import pytest

from bot.domain.deadlines import expand_plan
from bot.domain.plan import Plan
from bot.domain.workdays import WorkCalendar
from bot.importer.cli import run_import
from bot.importer.dates import read_phrase
from bot.importer.draft import Draft, title_of
from bot.importer.structure import citations
from bot.plans.loader import parse_plan

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / ".." / "shared" / "seed" / "000_205301eb221e9f11.txt"
sys.path.insert(0, str(ROOT / "tests" / "data" / "import"))
from make_other import AREAS, EXPECTED, GROUPS, ISSUED, KHTC, UNITS, make_other

KINDS = ["docx", "txt", "xlsx"]


@pytest.fixture(scope="module")
def drafts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Draft, Plan, float]]:
    out = {}
    for kind, path in zip(KINDS, make_other(tmp_path_factory.mktemp("other")), strict=True):
        started = time.perf_counter()
        draft = run_import(path, None, None)
        out[kind] = (draft, parse_plan(draft.text, path.name), time.perf_counter() - started)
    return out


def loose(text: str) -> str:
    return re.sub(r"\W+", "", text.lower())


@pytest.mark.parametrize("kind", KINDS)
def test_every_area_and_task_in_document_order(drafts: dict[str, tuple[Draft, Plan, float]], kind: str) -> None:
    draft, plan, seconds = drafts[kind]
    assert [a.name.lower() for a in plan.areas] == [name.lower() for name, _ in AREAS]
    assert [t.detail.strip(" .") if t.detail else "" for t in plan.tasks] == [t[0] for _, ts in AREAS for t in ts]
    for area, (_, tasks) in zip(plan.areas, AREAS, strict=True):
        assert [t.area for t in plan.tasks].count(area.id) == len(tasks)
    assert (len(plan.areas), len(plan.tasks)) == (EXPECTED[kind]["areas"], EXPECTED[kind]["tasks"])
    assert seconds < 3, seconds


@pytest.mark.parametrize("kind", KINDS)
def test_year_date_and_issuer_wherever_the_document_states_them(drafts: dict[str, tuple[Draft, Plan, float]],
                                                                kind: str) -> None:
    draft, plan, _ = drafts[kind]
    assert plan.plan.years == [2026]
    assert plan.plan.issued_on == "-".join(reversed(ISSUED.split("/")))
    assert plan.plan.issued_by == "Giám đốc Sở Khoa học và Công nghệ"


@pytest.mark.parametrize("kind", KINDS)
def test_units_once_each_with_their_names_as_written(drafts: dict[str, tuple[Draft, Plan, float]],
                                                     kind: str) -> None:
    draft, plan, _ = drafts[kind]
    real = [u for u in plan.units if "(cần điền)" not in u.name]
    assert sorted(loose(u.name) for u in real) == sorted(loose(n) for n in UNITS.values())
    assert [u.id for u in real if u.id.startswith("KHTC")] == ["KHTC"]  # no KHTC2 for "Kế hoạch-Tài chính"
    assert plan.unit("KHTC").name == KHTC  # the document's spelling (an en dash)
    assert len(plan.groups) == EXPECTED[kind]["groups"] == len(GROUPS)
    task = plan.task("5.2")  # "Phòng KH-TC" is the same unit
    assert plan.responsibility(task).lead == ["KHTC"]
    assert plan.responsibility(plan.task("6.3")).lead == ["KHTC"]  # "Phòng Kế hoạch-Tài chính"


@pytest.mark.parametrize("kind", KINDS)
def test_every_deadline_and_the_plan_wide_rules(drafts: dict[str, tuple[Draft, Plan, float]], kind: str) -> None:
    draft, plan, _ = drafts[kind]
    assert draft.deadlines == EXPECTED[kind]["deadlines"]
    common = plan.plan.common_deadlines
    assert len(common) == EXPECTED[kind]["rules"]
    monthly = [c for c in common if c.rrule == "FREQ=MONTHLY;BYMONTHDAY=25"]
    assert len(monthly) == 1 and monthly[0].exclusive and monthly[0].source == "seed"
    assert "trước ngày 25" in (monthly[0].note or "")  # the document's sentence is the note
    evaluation = plan.task("4.1").deadlines  # "Hằng tháng, trước ngày 25" in the time column
    assert [(d.rrule, d.exclusive) for d in evaluation] == [("FREQ=MONTHLY;BYMONTHDAY=25", True)]
    assert plan.task("2.2").deadlines == []  # "Thường xuyên"
    june = plan.task("2.1").deadlines[0].window
    assert june is not None and (june.start, june.end) == ("01/06", "30/06")
    training = plan.task("4.2").deadlines[0]  # Q2 of the year before the plan year it prepares
    due = {o.nominal.isoformat() for o in expand_plan(plan, WorkCalendar()) if o.task_id == "4.2"
           and o.deadline_id == training.id}
    assert due == {"2026-06-30"}
    if kind == "xlsx":
        return
    quarterly = [c for c in common if c.rrule and "BYMONTH=3,6,9,12" in c.rrule]
    assert [(c.rrule, c.exclusive, c.source) for c in quarterly] == [
        ("FREQ=YEARLY;BYMONTH=3,6,9,12;BYMONTHDAY=15", True, "seed")]
    fixed = {c.date: c.label for c in common if c.date}
    assert fixed == {"2026-06-10": "Báo cáo 6 tháng gửi về Văn phòng Sở trước ngày 10/6/2026",
                     "2026-11-10": "Báo cáo năm gửi trước ngày 10/11/2026"}
    dues = sorted(o.nominal.isoformat() for o in expand_plan(plan, WorkCalendar())
                  if o.deadline_id == quarterly[0].id and o.unit == plan.plan.office and o.task_id == "1.1")
    assert dues == ["2026-03-14", "2026-06-14", "2026-09-14", "2026-12-14"]


def test_the_annual_deadline_keeps_its_own_label(drafts: dict[str, tuple[Draft, Plan, float]]) -> None:
    _, plan, _ = drafts["docx"]
    labels = {d.yearly: d.label for d in plan.task("5.1").deadlines}
    assert labels["20/06"].endswith("(báo cáo 6 tháng)") and labels["20/12"].endswith("(báo cáo năm)")


def test_titles_are_not_cut_at_the_first_clause(drafts: dict[str, tuple[Draft, Plan, float]]) -> None:
    _, plan, _ = drafts["txt"]
    assert plan.task("1.1").title == "Ban hành kịp thời các kế hoạch: theo dõi thi hành pháp luật"
    seed = parse_plan(run_import(SEED, None, None).text, "seed.yaml")
    assert seed.task("2.1").title == "Ban hành kịp thời các kế hoạch: Theo dõi thi hành pháp luật"
    assert title_of("Công bố TTHC theo quy định và công khai TTHC kịp thời.") == \
        "Công bố TTHC theo quy định và công khai TTHC kịp thời"


def test_citations_are_rejoined_across_line_breaks(drafts: dict[str, tuple[Draft, Plan, float]]) -> None:
    _, plan, _ = drafts["txt"]
    assert "Quyết định số 877/QĐ-TTg ngày 18/7/2018 của Thủ tướng Chính phủ" in plan.plan.references
    seed = parse_plan(run_import(SEED, None, None).text, "seed.yaml")
    assert any("(Quyết định số 877/QĐ-TTg ngày 18/7/2018)" in (t.detail or "") for t in seed.tasks)
    assert not any("số877" in (t.detail or "") for t in seed.tasks)


def test_citations_are_kept_whole_and_apart_in_the_references() -> None:
    # WORDING L21: a citation ran on past 160 characters and was cut mid-word ("…thị xã, thành"), and the one
    # in a parenthesis ran on into the next ("…18/7/2018) và UBND tỉnh (Quyết định số 3746/…").
    refs = parse_plan(run_import(SEED, None, None).text, "seed.yaml").plan.references
    assert ("Quyết định số 588/QĐ-UBND ngày 15/03/2019 của UBND tỉnh về việc công bố Chỉ số theo dõi, đánh giá, "
            "xếp hạng thực hiện cải cách hành chính năm 2018 của các Sở, ban, ngành, UBND các huyện, thị xã, "
            "thành phố và UBND các xã, phường, thị trấn") in refs
    assert "Quyết định số 877/QĐ-TTg ngày 18/7/2018" in refs and "Quyết định số 3746/QĐ-UBND ngày 29/12/2016" in refs
    assert any("giai đoạn 2016-2020 trên địa bàn tỉnh" in r for r in refs)
    assert not any(re.search(r"\)|số\d|\(", r) for r in refs), refs
    assert citations("Căn cứ Quyết định số 1/QĐ-UBND ngày 02/01/2026 và Kế hoạch số\u00a012/KH-SGDĐT ngày "
                     "08/01/2026 của Sở (kèm theo Phụ lục); Các phòng") == [
        "Quyết định số 1/QĐ-UBND ngày 02/01/2026",
        "Kế hoạch số\u00a012/KH-SGDĐT ngày 08/01/2026 của Sở (kèm theo Phụ lục)"]


def test_six_month_and_annual_days_get_their_own_labels() -> None:
    # WORDING L21: both days of "6 tháng, năm … 15/6 và 15/11" were labelled with the whole phrase.
    read = read_phrase("Báo cáo 6 tháng, năm trước ngày 15/6 và 15/11", [2026])
    assert [(d.spec, d.clause) for d in read.deadlines] == [
        ({"yearly": "15/06", "exclusive": True}, "báo cáo 6 tháng trước ngày 15/06"),
        ({"yearly": "15/11"}, "báo cáo năm, hạn 15/11")]
    undated = read_phrase("6 tháng, năm", [2026])
    assert [d.clause for d in undated.deadlines] == ["báo cáo 6 tháng", "báo cáo năm"]


def test_a_flattened_docx_reads_like_the_docx(drafts: dict[str, tuple[Draft, Plan, float]]) -> None:
    word, flat = drafts["docx"][1], drafts["txt"][1]
    assert [(t.id, t.title, t.deadlines) for t in flat.tasks] == [(t.id, t.title, t.deadlines) for t in word.tasks]
    assert flat.plan.common_deadlines == word.plan.common_deadlines


@pytest.mark.parametrize(("phrase", "specs"), [
    ("Hằng tháng, trước ngày 25", [{"rrule": "FREQ=MONTHLY;BYMONTHDAY=25", "exclusive": True}]),
    ("trước ngày 25 hằng tháng", [{"rrule": "FREQ=MONTHLY;BYMONTHDAY=25", "exclusive": True}]),
    ("gửi báo cáo trước ngày 15 hằng tháng cuối quý",
     [{"rrule": "FREQ=YEARLY;BYMONTH=3,6,9,12;BYMONTHDAY=15", "exclusive": True}]),
    ("báo cáo quý chậm nhất ngày 5 của tháng cuối quý", [{"rrule": "FREQ=YEARLY;BYMONTH=3,6,9,12;BYMONTHDAY=5"}]),
    ("báo cáo 6 tháng trước ngày 10/6/2026; báo cáo năm trước ngày 10/11/2026",
     [{"date": "10/06/2026", "exclusive": True}, {"date": "10/11/2026", "exclusive": True}]),
    ("Quý III/2026", [{"window": {"quarter": 3}}]),
    ("Tháng 6/2026", [{"window": {"from": "01/06", "to": "30/06"}}]),
    ("định kỳ 6 tháng", [{"yearly": "20/06"}]),
    ("các phòng gửi báo cáo về Văn phòng Sở chậm nhất ngày 05/12 hằng năm", [{"yearly": "05/12"}]),
    ("báo cáo tháng trước ngày 20 hằng tháng; báo cáo quý trước ngày 10 của tháng cuối quý",
     [{"rrule": "FREQ=MONTHLY;BYMONTHDAY=20", "exclusive": True},
      {"rrule": "FREQ=YEARLY;BYMONTH=3,6,9,12;BYMONTHDAY=10", "exclusive": True}]),
])
def test_plan_wide_phrasings(phrase: str, specs: list[dict[str, object]]) -> None:
    assert [d.spec for d in read_phrase(phrase, [2026]).deadlines] == specs


def test_a_closing_paragraph_rule_without_section_iii(tmp_path: Path) -> None:
    source = tmp_path / "plan.txt"
    source.write_text("KẾ HOẠCH\nTuyên truyền cải cách hành chính năm 2026\nII. NHIỆM VỤ\n1. Tuyên truyền\n"
                      "- Đăng tin về CCHC trên trang thông tin điện tử.\nĐơn vị chủ trì: Văn phòng Sở\n"
                      "Trên đây là Kế hoạch; các phòng gửi báo cáo năm về Văn phòng Sở chậm nhất ngày "
                      "05/12/2026.\n", encoding="utf-8")
    plan = parse_plan(run_import(source, None, None).text, "plan.yaml")
    assert [(c.date, c.exclusive) for c in plan.plan.common_deadlines] == [("2026-12-05", False)]


def test_bold_lines_as_areas_and_numbered_items_in_a_word_document(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    for line in ("KẾ HOẠCH", "Tuyên truyền cải cách hành chính năm 2026", "II. NHIỆM VỤ"):
        document.add_paragraph(line)
    for area, items in (("Tuyên truyền trên trang thông tin điện tử", ("Đăng tin hằng tháng", "Cập nhật chuyên mục")),
                        ("Hội nghị, tập huấn", ("Tổ chức hội nghị tuyên truyền",))):
        document.add_paragraph().add_run(area).bold = True  # an area: a short line all in bold, no number
        for item in items:
            document.add_paragraph(f"- {item}.")
        document.add_paragraph("Đơn vị chủ trì: Văn phòng Sở")
    document.add_paragraph("III. TỔ CHỨC THỰC HIỆN")
    document.add_paragraph("Các phòng gửi báo cáo về Văn phòng Sở trước ngày 05/12/2026.")
    path = tmp_path / "bold.docx"
    document.save(str(path))
    plan = parse_plan(run_import(path, None, None).text, "bold.yaml")
    assert [(a.name, [t.area for t in plan.tasks].count(a.id)) for a in plan.areas] == [
        ("Tuyên truyền trên trang thông tin điện tử", 2), ("Hội nghị, tập huấn", 1)]
    assert [c.date for c in plan.plan.common_deadlines] == ["2026-12-05"]


def test_only_the_highest_heading_level_of_the_section_makes_areas(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("KẾ HOẠCH")
    document.add_paragraph("Kiểm tra cải cách hành chính năm 2026")
    document.add_paragraph("II. NHIỆM VỤ", style="Heading 1")
    document.add_paragraph("Kiểm tra tại cơ quan Sở", style="Heading 2")
    document.add_paragraph("Nội dung kiểm tra", style="Heading 3")  # a sub-heading, not an area
    document.add_paragraph("- Kiểm tra việc niêm yết thủ tục hành chính.")
    document.add_paragraph("Kiểm tra tại đơn vị trực thuộc", style="Heading 2")
    document.add_paragraph("- Kiểm tra các trường.")
    path = tmp_path / "levels.docx"
    document.save(str(path))
    plan = parse_plan(run_import(path, None, None).text, "levels.yaml")
    assert [a.name for a in plan.areas] == ["Kiểm tra tại cơ quan Sở", "Kiểm tra tại đơn vị trực thuộc"]
    assert [(t.area, t.detail) for t in plan.tasks] == [("1", "Kiểm tra việc niêm yết thủ tục hành chính."),
                                                        ("2", "Kiểm tra các trường.")]
