"""Another Sở's 2026 plan in three layouts none of which is the seed's, written from one model:

- `.docx`: Word heading styles (areas are "Heading 2" paragraphs without a typed number), items "a)" with
  "-" lines for responsibility and time, the last area as a table split over two pages (its header row
  repeated), section III "Tổ chức thực hiện" numbered 1., 2. with the plan-wide rules in prose;
- `.txt`: the same plan flattened from PDF: hard line breaks mid-sentence, headings in upper case,
  citations cut across lines ("Quyết định số" / "877/QĐ-TTg"), a page number and a form feed;
- `.xlsx`: the appendix alone: a title row "DANH MỤC NHIỆM VỤ …NĂM 2026", the plan's date in a subtitle,
  every task as a row, a note row holding the one plan-wide rule the appendix states.

`python tests/data/import/make_other.py OUT_DIR`; tests call `make_other(tmp_path)`. EXPECTED says what
each document holds (the tests and measure.py compare the drafts with it).
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

HEAD = ("UBND TỈNH BÌNH SƠN", "SỞ KHOA HỌC VÀ CÔNG NGHỆ", "Số: 18/KH-SKHCN", "Bình Sơn, ngày 12 tháng 01 năm 2026")
TITLE = ("KẾ HOẠCH", "Cải cách hành chính năm 2026 của Sở Khoa học và Công nghệ")
INTRO = ("Căn cứ Quyết định số 877/QĐ-TTg ngày 18/7/2018 của Thủ tướng Chính phủ; Quyết định số 45/QĐ-UBND "
         "ngày 06/01/2026 của UBND tỉnh ban hành Kế hoạch cải cách hành chính năm 2026, Sở Khoa học và Công "
         "nghệ ban hành Kế hoạch cải cách hành chính năm 2026 như sau:")
AIMS = ("Nâng cao Chỉ số cải cách hành chính của Sở năm 2026; phấn đấu xếp trong nhóm 10 sở, ngành dẫn đầu.",
        "Các phòng, đơn vị bám sát nhiệm vụ được giao, báo cáo đúng hạn.")
KHTC = "Phòng Kế hoạch – Tài chính"  # an en dash: the same unit as "Phòng Kế hoạch - Tài chính"
TTTT = "Trung tâm Thông tin và Thống kê khoa học và công nghệ"
PHONG = "Các phòng chuyên môn thuộc Sở"
# (area, [(task, lead, others, time, product)]); the last area is the table in the .docx.
AREAS: tuple[tuple[str, tuple[tuple[str, str, str, str, str], ...]], ...] = (
    ("Cải cách thể chế", (
        ("Ban hành kịp thời các kế hoạch: theo dõi thi hành pháp luật; rà soát văn bản quy phạm pháp luật; "
         "kiểm tra việc ban hành văn bản quy phạm pháp luật", "Văn phòng Sở", PHONG, "Quý I/2026",
         "Các kế hoạch được ban hành"),
        ("Rà soát, hệ thống hóa văn bản quy phạm pháp luật thuộc lĩnh vực khoa học và công nghệ",
         "Phòng Quản lý chuyên ngành", "Văn phòng Sở", "Quý III/2026", "Báo cáo kết quả rà soát"))),
    ("Cải cách thủ tục hành chính", (
        ("Rà soát, đơn giản hóa thủ tục hành chính và thành phần hồ sơ theo Nghị quyết 66/NQ-CP",
         "Văn phòng Sở", PHONG, "Tháng 6/2026", "Phương án đơn giản hóa"),
        ("Tiếp nhận, giải quyết hồ sơ thủ tục hành chính tại Trung tâm Phục vụ hành chính công tỉnh",
         "Văn phòng Sở", "Trung tâm Phục vụ hành chính công tỉnh", "Thường xuyên", ""),
        ("Chuyển các dịch vụ công trực tuyến mức độ 3, 4 sang cung cấp toàn trình, một phần",
         "Văn phòng Sở", TTTT, "trước ngày 30/9/2026", "Danh mục dịch vụ công trực tuyến toàn trình"))),
    ("Cải cách tổ chức bộ máy", (
        ("Rà soát chức năng, nhiệm vụ của các phòng, đơn vị sau sắp xếp", "Văn phòng Sở", PHONG,
         "Quý II/2026", "Báo cáo rà soát"),
        ("Xây dựng Đề án vị trí việc làm của các đơn vị sự nghiệp trực thuộc", "Văn phòng Sở",
         "Các đơn vị sự nghiệp trực thuộc Sở", "Trong năm 2026", "Đề án vị trí việc làm"))),
    ("Cải cách chế độ công vụ", (
        ("Đánh giá, xếp loại công chức, viên chức theo kết quả công việc hằng tháng", "Văn phòng Sở",
         PHONG, "Hằng tháng, trước ngày 25", "Phiếu đánh giá"),
        ("Xây dựng kế hoạch đào tạo, bồi dưỡng công chức, viên chức", "Văn phòng Sở", "",
         "trong quý II của năm trước liền kề năm kế hoạch", "Kế hoạch đào tạo, bồi dưỡng"))),
    ("Cải cách tài chính công", (
        ("Công khai dự toán, quyết toán ngân sách của cơ quan Sở", KHTC, "Văn phòng Sở", "6 tháng, năm",
         "Quyết định công khai"),
        ("Thực hiện cơ chế tự chủ tài chính tại các đơn vị sự nghiệp công lập", "Phòng KH-TC",
         "Các đơn vị sự nghiệp trực thuộc Sở", "Quý IV/2026", "Báo cáo tự chủ tài chính"))),
    ("Xây dựng và phát triển chính quyền điện tử, chính quyền số", (
        ("Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính đạt 100% đối với hồ sơ tiếp nhận mới",
         "Văn phòng Sở", TTTT, "Hằng quý", "Báo cáo số hóa"),
        ("Duy trì, cải tiến Hệ thống quản lý chất lượng theo TCVN ISO 9001:2015", "Văn phòng Sở", PHONG,
         "Tháng 12/2026", "Báo cáo đánh giá nội bộ"),
        ("Triển khai ký số trên hồ sơ công việc của cán bộ, công chức, viên chức", "Phòng Kế hoạch-Tài chính",
         TTTT, "Quý III/2026", "Báo cáo kết quả ký số"))),
)
RULES = (  # section III, in the .docx and the .txt: four plan-wide deadlines in prose
    "Định kỳ hằng quý, các phòng, đơn vị gửi báo cáo kết quả thực hiện về Văn phòng Sở trước ngày 15 tháng "
    "cuối quý để tổng hợp, báo cáo Sở Nội vụ.",
    "Báo cáo 6 tháng gửi về Văn phòng Sở trước ngày 10/6/2026; báo cáo năm gửi trước ngày 10/11/2026 để tự "
    "chấm điểm Chỉ số cải cách hành chính trên phần mềm.",
    "Các phòng, đơn vị cập nhật tiến độ thực hiện nhiệm vụ trên Hệ thống quản lý văn bản trước ngày 25 hằng "
    "tháng.",
)
CLOSING = ("Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, các phòng, đơn vị báo cáo Giám đốc Sở "
           "(qua Văn phòng Sở) để xem xét, chỉ đạo./.")
NOTE = "Ghi chú: Các phòng, đơn vị báo cáo tiến độ thực hiện các nhiệm vụ tại Phụ lục này hằng tháng, trước ngày 25."
COLUMNS = ("STT", "Nội dung nhiệm vụ", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời gian hoàn thành", "Sản phẩm")
ROMAN = ("I", "II", "III", "IV", "V", "VI")

_TASKS = sum(len(tasks) for _, tasks in AREAS)
# Deadlines each task's time holds: "6 tháng, năm" is 2; "Thường xuyên" none; the others one each.
_TASK_DEADLINES = sum(2 if t[3] == "6 tháng, năm" else 0 if t[3] == "Thường xuyên" else 1
                      for _, tasks in AREAS for t in tasks)
UNITS = {"VP": "Văn phòng Sở", "KHTC": "Phòng Kế hoạch - Tài chính", "QLCN": "Phòng Quản lý chuyên ngành",
         "TTTT": TTTT, "TTPV": "Trung tâm Phục vụ hành chính công tỉnh"}
GROUPS = {"PHONG": PHONG, "DVTT": "Các đơn vị sự nghiệp trực thuộc Sở"}
EXPECTED = {
    "docx": {"areas": len(AREAS), "tasks": _TASKS, "units": len(UNITS), "groups": len(GROUPS),
             "deadlines": _TASK_DEADLINES + 4, "rules": 4},
    "txt": {"areas": len(AREAS), "tasks": _TASKS, "units": len(UNITS), "groups": len(GROUPS),
            "deadlines": _TASK_DEADLINES + 4, "rules": 4},
    "xlsx": {"areas": len(AREAS), "tasks": _TASKS, "units": len(UNITS), "groups": len(GROUPS),
             "deadlines": _TASK_DEADLINES + 1, "rules": 1},
}
YEARS = [2026]
ISSUED = "12/01/2026"


def _task_lines(task: tuple[str, str, str, str, str]) -> list[str]:
    text, lead, others, time, product = task
    who = f"- Chủ trì: {lead}" + (f"; phối hợp: {others}." if others else ".")
    lines = [who, f"- Thời gian: {time}."]
    if product:
        lines.append(f"- Sản phẩm: {product}.")
    return lines


def write_docx(path: Path) -> None:
    import docx
    from docx.enum.text import WD_BREAK
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = docx.Document()
    for line in HEAD:
        document.add_paragraph(line)
    document.add_paragraph(TITLE[0], style="Title")
    document.add_paragraph(TITLE[1])
    document.add_paragraph(INTRO)
    document.add_paragraph("I. MỤC ĐÍCH, YÊU CẦU", style="Heading 1")
    for aim in AIMS:
        document.add_paragraph(aim, style="List Bullet")
    document.add_paragraph("II. NHIỆM VỤ TRỌNG TÂM", style="Heading 1")
    for number, (area, tasks) in enumerate(AREAS, 1):
        document.add_paragraph(area, style="Heading 2")  # no number typed: the style says it is a heading
        if number < len(AREAS):
            for letter, task in zip("abcdefgh", tasks, strict=False):
                document.add_paragraph(f"{letter}) {task[0]}.")
                for line in _task_lines(task):
                    document.add_paragraph(line)
            continue
        document.add_paragraph("Các nhiệm vụ cụ thể như sau:")
        for part, rows in enumerate((tasks[:2], tasks[2:])):  # the table goes on over a page break
            if part:
                document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            table = document.add_table(rows=1, cols=len(COLUMNS))
            header = table.rows[0]
            mark = OxmlElement("w:tblHeader")
            mark.set(qn("w:val"), "true")
            header._tr.get_or_add_trPr().append(mark)
            for cell, text in zip(header.cells, COLUMNS, strict=True):
                cell.text = text
            for n, task in enumerate(rows, 1 + 2 * part):
                for cell, text in zip(table.add_row().cells, (str(n), *task[:3], task[3], task[4]), strict=True):
                    cell.text = text
    document.add_paragraph("III. TỔ CHỨC THỰC HIỆN", style="Heading 1")
    for n, rule in enumerate(RULES, 1):
        document.add_paragraph(f"{n}. {rule}")
    document.add_paragraph(CLOSING)
    document.add_paragraph("Nơi nhận:")
    document.add_paragraph("- UBND tỉnh (b/c);")
    document.add_paragraph("GIÁM ĐỐC")
    document.save(str(path))


def _wrap(text: str, width: int = 78) -> list[str]:
    return textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)


def flat_text() -> str:
    """The plan as a PDF export gives it: hard breaks, upper-case headings, a citation cut across lines."""
    lines: list[str] = [*HEAD, "", *TITLE, ""]
    intro = INTRO.replace("Quyết định số 877/QĐ-TTg", "Quyết định số\n877/QĐ-TTg")
    for part in intro.split("\n"):
        lines.extend(_wrap(part))
    lines += ["I. MỤC ĐÍCH, YÊU CẦU"]
    for aim in AIMS:
        lines.extend(_wrap("- " + aim))
    lines += ["II. NHIỆM VỤ TRỌNG TÂM"]
    for number, (area, tasks) in enumerate(AREAS, 1):
        lines.append(area.upper())
        if number < len(AREAS):
            for letter, task in zip("abcdefgh", tasks, strict=False):
                lines.extend(_wrap(f"{letter}) {task[0]}."))
                for line in _task_lines(task):
                    lines.extend(_wrap(line))
            continue
        lines.append("Các nhiệm vụ cụ thể như sau:")
        for part, rows in enumerate((tasks[:2], tasks[2:])):
            if part:
                lines += ["2", "\f"]  # the page number, then the next page repeats the header
            lines.append("\t".join(COLUMNS))
            for n, task in enumerate(rows, 1 + 2 * part):
                lines.append("\t".join((str(n), *task[:3], task[3], task[4])))
    lines.append("III. TỔ CHỨC THỰC HIỆN")
    for n, rule in enumerate(RULES, 1):
        lines.extend(_wrap(f"{n}. {rule}"))
    lines.extend(_wrap(CLOSING))
    lines += ["Nơi nhận:", "- UBND tỉnh (b/c);", "GIÁM ĐỐC"]
    return "\n".join(lines) + "\n"


def write_txt(path: Path) -> None:
    path.write_text(flat_text(), encoding="utf-8")


def write_xlsx(path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Phụ lục"
    sheet.append(["DANH MỤC NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH NĂM 2026"])
    sheet.append(["(Kèm theo Kế hoạch số 18/KH-SKHCN ngày 12/01/2026 của Sở Khoa học và Công nghệ)"])
    sheet.append([])
    sheet.append(list(COLUMNS))
    n = 0
    for roman, (area, tasks) in zip(ROMAN, AREAS, strict=True):
        sheet.append([roman, area.upper()])
        for task in tasks:
            n += 1
            sheet.append([n, *task[:3], task[3], task[4]])
    sheet.append([])
    sheet.append([NOTE])
    book.save(str(path))


def make_other(out: Path) -> tuple[Path, Path, Path]:
    """The three files in `out`: .docx, .txt, .xlsx."""
    out.mkdir(parents=True, exist_ok=True)
    paths = out / "khcn-2026.docx", out / "khcn-2026.txt", out / "khcn-2026-phu-luc.xlsx"
    write_docx(paths[0])
    write_txt(paths[1])
    write_xlsx(paths[2])
    return paths


if __name__ == "__main__":
    print(*make_other(Path(sys.argv[1] if len(sys.argv) > 1 else ".")))
