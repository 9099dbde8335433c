"""Two appendices of a province's decision on the PAR index, written for the criteria import tests:

- `.xlsx`: numbering I / 1 / 1.1 with "a, b, c" bands of a scoring method under a sub-criterion, a title row
  with the year, the decision in a subtitle, a row numbering the columns, a total row that matches;
- `.docx`: numbering 1 / 1.1 / 1.1.1 in a Word table, a code written in the name cell, a row continuing the
  method of the row above, an area without its points, a survey area, a criterion whose rows do not add up.

`python tests/data/import/make_criteria.py OUT_DIR`; EXPECTED says what each holds.
"""

from __future__ import annotations

import sys
from pathlib import Path

COLUMNS = ("STT", "Lĩnh vực/Tiêu chí/Tiêu chí thành phần", "Điểm tối đa", "Phương pháp đánh giá",
           "Tài liệu kiểm chứng")
ON_TIME = "Ban hành đúng thời hạn: 1 điểm; chậm: 0,5; không ban hành: 0"
XLSX_ROWS: tuple[tuple[str, ...], ...] = (
    ("I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CẢI CÁCH HÀNH CHÍNH", "10"),
    ("1", "Kế hoạch cải cách hành chính năm", "3"),
    ("1.1", "Ban hành kế hoạch cải cách hành chính năm đúng thời hạn", "1", ON_TIME, "Kế hoạch CCHC năm 2026"),
    ("1.2", "Mức độ hoàn thành kế hoạch cải cách hành chính", "2", "", "Báo cáo CCHC năm 2026"),
    ("a", "Hoàn thành 100% kế hoạch", "2"),
    ("b", "Hoàn thành từ 80% đến dưới 100% kế hoạch", "1"),
    ("c", "Hoàn thành dưới 80% kế hoạch", "0"),
    ("2", "Báo cáo cải cách hành chính", "3"),
    ("2.1", "Số lượng báo cáo (quý, 6 tháng, năm)", "1,5", "Đủ số lượng: 1,5 điểm; thiếu: 0", "Các báo cáo"),
    ("2.2", "Báo cáo đúng thời hạn", "1,5", "Đúng hạn: 1,5 điểm; chậm: 0", "Các báo cáo"),
    ("3", "Công tác tuyên truyền cải cách hành chính", "4", "Có kế hoạch và thực hiện: 4 điểm",
     "Kế hoạch tuyên truyền"),
    ("II", "CẢI CÁCH THỦ TỤC HÀNH CHÍNH", "8"),
    ("4", "Công bố, công khai thủ tục hành chính", "4"),
    ("1.1", "Công bố đầy đủ, kịp thời", "2", "100%: 2 điểm; dưới 100%: 0", "Quyết định công bố"),
    ("1.2", "Công khai tại Trung tâm Phục vụ hành chính công", "2", "Đầy đủ: 2 điểm", "Ảnh chụp"),
    ("5", "Tỷ lệ thủ tục hành chính cung cấp dịch vụ công trực tuyến toàn trình", "4",
     "Từ 80% trở lên: 4 điểm; từ 50% đến dưới 80%: 2; dưới 50%: 0", "Báo cáo thống kê"),
    ("III", "CHỈ SỐ HÀI LÒNG CỦA NGƯỜI DÂN, TỔ CHỨC", "12"),
    ("6", "Sự hài lòng về tiếp cận dịch vụ", "6", "Điều tra xã hội học", ""),
    ("7", "Sự hài lòng về kết quả giải quyết thủ tục hành chính", "6", "Điều tra xã hội học", ""),
)
DOCX_ROWS: tuple[tuple[str, ...], ...] = (
    ("1", "Công tác chỉ đạo, điều hành", "6", "", ""),
    ("1.1", "Kế hoạch cải cách hành chính", "3", "", ""),
    ("1.1.1", "Ban hành kế hoạch đúng thời hạn", "1", ON_TIME, "Kế hoạch CCHC năm"),
    ("1.1.2", "Thực hiện kế hoạch", "2", "100%: 2 điểm; từ 80% đến dưới 100%: 1;", "Báo cáo năm"),
    ("", "dưới 80%: 0", "", "", ""),  # the method goes on in a row of its own
    ("1.2", "Kiểm tra cải cách hành chính", "3", "Có kiểm tra: 3 điểm", "Kế hoạch kiểm tra; báo cáo kiểm tra"),
    ("2", "Cải cách thể chế", "4", "", ""),
    ("2.1", "Xây dựng văn bản quy phạm pháp luật", "4", "", ""),
    ("2.1.1", "Ban hành đúng kế hoạch", "2", "Đúng kế hoạch: 2 điểm", "Văn bản ban hành"),
    ("", "2.1.2. Rà soát văn bản", "1", "Có rà soát: 1 điểm", "Báo cáo rà soát"),  # the code in the name cell
    ("3", "Tác động của cải cách hành chính", "", "", ""),  # the area's points left to its rows
    ("3.1", "Mức độ hài lòng của người dân (khảo sát)", "5", "Theo kết quả khảo sát", ""),
)
EXPECTED = {
    "xlsx": {"areas": 3, "criteria": 7, "sub": 6, "total": 30.0, "checks": 0,
             "codes": ["I", "1", "1.1", "1.2", "2", "2.1", "2.2", "3", "II", "4", "4.1", "4.2", "5", "III", "6",
                       "7"]},
    "docx": {"areas": 3, "criteria": 4, "sub": 4, "total": 15.0, "checks": 1,
             "codes": ["1", "1.1", "1.1.1", "1.1.2", "1.2", "2", "2.1", "2.1.1", "2.1.2", "3", "3.1"]},
}


def write_xlsx(path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["CHỈ SỐ CẢI CÁCH HÀNH CHÍNH CỦA CÁC SỞ, BAN, NGÀNH TỈNH BÌNH SƠN NĂM 2026"])
    sheet.append(["(Kèm theo Quyết định số 123/QĐ-UBND ngày 15/01/2026 của UBND tỉnh)"])
    sheet.append(list(COLUMNS))
    sheet.append([f"({n})" for n in range(1, len(COLUMNS) + 1)])
    for row in XLSX_ROWS:
        sheet.append([float(c.replace(",", ".")) if i == 2 and c else c for i, c in enumerate(row)])
    sheet.append(["", "TỔNG ĐIỂM", 30])
    book.save(str(path))


def write_docx(path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("PHỤ LỤC")
    document.add_paragraph("Bộ tiêu chí đánh giá Chỉ số cải cách hành chính các sở, ngành năm 2026")
    document.add_paragraph("(Ban hành kèm theo Quyết định số 45/QĐ-UBND ngày 10/01/2026 của UBND tỉnh)")
    table = document.add_table(rows=1, cols=len(COLUMNS))
    for cell, text in zip(table.rows[0].cells, COLUMNS, strict=True):
        cell.text = text
    for row in (*DOCX_ROWS, ("", "Tổng cộng", "15", "", "")):
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = text
    document.save(str(path))


def make_criteria(out: Path) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = out / "chi-so-cchc-2026.xlsx", out / "tieu-chi-2026.docx"
    write_xlsx(paths[0])
    write_docx(paths[1])
    return paths


if __name__ == "__main__":
    print(*make_criteria(Path(sys.argv[1] if len(sys.argv) > 1 else ".")))
