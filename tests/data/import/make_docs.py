"""Write the table-layout test plan ("Phụ lục" of a 2026 CCHC plan) as a Word document with a real
table and as an Excel appendix: `python tests/data/import/make_docs.py OUT_DIR` (tests call `make_docs`).

The rows hold every deadline phrase the importer reads; EXPECTED says what the document holds.
"""

from __future__ import annotations

import sys
from pathlib import Path

HEAD = ("UBND TỈNH AN HÒA", "SỞ GIÁO DỤC VÀ ĐÀO TẠO", "Số: 12/KH-SGDĐT", "An Hòa, ngày 08 tháng 01 năm 2026")
TITLE = ("KẾ HOẠCH", "Thực hiện công tác cải cách hành chính năm 2026")
INTRO = ("Căn cứ Quyết định số 95/QĐ-UBND ngày 05/01/2026 của UBND tỉnh về Kế hoạch cải cách hành chính "
         "năm 2026; Sở Giáo dục và Đào tạo ban hành Kế hoạch với các nhiệm vụ tại Phụ lục kèm theo.")
RULE = ("Các phòng, đơn vị gửi báo cáo kết quả thực hiện về Văn phòng Sở trước ngày 15/11/2026 "
        "để tổng hợp, chấm điểm Chỉ số CCHC.")
COLUMNS = ("STT", "Nội dung nhiệm vụ", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời gian hoàn thành", "Sản phẩm")
ROWS: tuple[tuple[str, ...], ...] = (
    ("I", "Cải cách thể chế"),
    ("1", "Rà soát, hệ thống hóa văn bản quy phạm pháp luật thuộc lĩnh vực giáo dục", "Văn phòng Sở",
     "Các phòng chuyên môn, nghiệp vụ thuộc Sở", "Quý II/2026", "Báo cáo kết quả rà soát"),
    ("2", "Theo dõi tình hình thi hành pháp luật trong lĩnh vực giáo dục", "Thanh tra Sở", "Văn phòng Sở",
     "Tháng 11/2026", "Báo cáo theo dõi thi hành pháp luật"),
    ("II", "Cải cách thủ tục hành chính"),
    ("3", "Công bố, công khai thủ tục hành chính trên Cổng dịch vụ công và tại Bộ phận Một cửa", "Văn phòng Sở",
     "Các phòng chuyên môn, nghiệp vụ thuộc Sở", "Thường xuyên", "Quyết định công bố; Ảnh chụp trang công khai"),
    ("4", "Báo cáo tình hình, kết quả giải quyết thủ tục hành chính", "Văn phòng Sở", "Các phòng CM, NV",
     "Hằng quý", "Báo cáo quý"),
    ("III", "Cải cách tổ chức bộ máy"),
    ("5", "Xây dựng Đề án vị trí việc làm của các đơn vị sự nghiệp trực thuộc", "Phòng TCCB",
     "Các đơn vị trực thuộc Sở", "Tháng 02/2026", "Đề án vị trí việc làm được phê duyệt"),
    ("6", "Xây dựng Kế hoạch đào tạo, bồi dưỡng công chức, viên chức", "Phòng TCCB", "",
     "Trong quý II của năm trước liền kề năm kế hoạch", "Kế hoạch đào tạo, bồi dưỡng"),
    ("IV", "Cải cách tài chính công"),
    ("7", "Công khai dự toán, quyết toán ngân sách của cơ quan Sở", "Phòng Kế hoạch - Tài chính", "Văn phòng Sở",
     "6 tháng, năm", "Quyết định công khai dự toán, quyết toán"),
    ("8", "Thực hiện cơ chế tự chủ tài chính tại các đơn vị sự nghiệp", "Phòng KHTC",
     "Trung tâm Giáo dục thường xuyên tỉnh", "Trong năm 2026", "Báo cáo kết quả thực hiện tự chủ"),
    ("V", "Hiện đại hóa hành chính"),
    ("9", "Cung cấp dịch vụ công trực tuyến toàn trình đối với các thủ tục đủ điều kiện", "Văn phòng Sở",
     "Trung tâm Công nghệ thông tin và Truyền thông", "trước ngày 30/6/2026", "Danh mục dịch vụ công trực tuyến"),
    ("10", "Duy trì, cải tiến Hệ thống quản lý chất lượng theo TCVN ISO 9001:2015", "Văn phòng Sở",
     "Các phòng chuyên môn, nghiệp vụ thuộc Sở", "Tháng 12", "Báo cáo đánh giá nội bộ"),
)
# What the document holds (the tests compare the draft with it).
EXPECTED = {"areas": 5, "tasks": 10, "deadlines": 11, "ongoing": ["2.1"],
            "new_units": ["Trung tâm Giáo dục thường xuyên tỉnh", "Trung tâm Công nghệ thông tin và Truyền thông"]}


def write_docx(path: Path) -> None:
    import docx

    document = docx.Document()
    for line in HEAD:
        document.add_paragraph(line)
    for line in TITLE:
        document.add_paragraph(line)
    document.add_paragraph(INTRO)
    document.add_paragraph(RULE, style="List Bullet")
    document.add_paragraph("PHỤ LỤC: NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH NĂM 2026")
    table = document.add_table(rows=1, cols=len(COLUMNS))
    for cell, text in zip(table.rows[0].cells, COLUMNS):
        cell.text = text
    for row in ROWS:
        cells = table.add_row().cells
        if len(row) == 2:  # an area header row: the name spans the other columns
            cells[0].text = row[0]
            merged = cells[1].merge(cells[-1])
            merged.text = row[1]
        else:
            for cell, text in zip(cells, row):
                cell.text = text
    document.add_paragraph("GIÁM ĐỐC")
    document.save(str(path))


def write_xlsx(path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Phụ lục"
    for line in (*HEAD, *TITLE, RULE):
        sheet.append([line])
    sheet.append(list(COLUMNS))
    sheet.append([f"({n})" for n in range(1, len(COLUMNS) + 1)])
    for row in ROWS:
        sheet.append(list(row))
        if len(row) == 2:
            sheet.merge_cells(start_row=sheet.max_row, start_column=2, end_row=sheet.max_row,
                              end_column=len(COLUMNS))
    book.save(str(path))


def make_docs(out: Path) -> tuple[Path, Path]:
    """Both files in `out`."""
    out.mkdir(parents=True, exist_ok=True)
    docx_path, xlsx_path = out / "phu-luc-2026.docx", out / "phu-luc-2026.xlsx"
    write_docx(docx_path)
    write_xlsx(xlsx_path)
    return docx_path, xlsx_path


if __name__ == "__main__":
    print(*make_docs(Path(sys.argv[1] if len(sys.argv) > 1 else ".")))
