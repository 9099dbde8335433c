"""`nhacviec import` from the command line: exit 0 with a draft that `check` accepts, 2 with a Vietnamese
message otherwise; deadline phrases read one by one."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.importer.dates import find_in_sentence, read_phrase

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / ".." / "shared" / "seed" / "000_205301eb221e9f11.txt"


def test_import_writes_a_draft_that_check_accepts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert SEED.exists(), f"the seed plan is missing: {SEED}"
    out = tmp_path / "draft.yaml"
    assert main(["import", str(SEED), "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert "8 lĩnh vực, 42 nhiệm vụ" in said and "nhacviec check" in said
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# ===") and "Văn phòng Sở cần kiểm tra" in text
    assert main(["check", str(out)]) == 0
    assert "Kế hoạch hợp lệ" in capsys.readouterr().out


@pytest.mark.parametrize(("name", "content", "words"), [
    ("plan.pdf", b"%PDF-1.4", "cần tệp .docx, .txt hoặc .xlsx"),
    ("plan.docx", b"not a zip", "Không mở được"),
    ("plan.xlsx", b"not a zip", "Không mở được"),
    ("plan.txt", "KẾ HOẠCH\nViệc gì đó năm 2026\n".encode("cp1258", "replace"), "UTF-8"),
    ("plan.txt", "KẾ HOẠCH\nCải cách hành chính\nII. NHIỆM VỤ\n1. Việc\n- Làm\n".encode(), "--year"),
    ("plan.txt", "KẾ HOẠCH\nCải cách hành chính năm 2026\nMột đoạn văn.\n".encode(), "Không tìm thấy nhiệm vụ"),
    ("plan.txt", b"", "không có nội dung"),
])
def test_unusable_documents_exit_2_with_a_vietnamese_message(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                              name: str, content: bytes, words: str) -> None:
    source = tmp_path / name
    source.write_bytes(content)
    out = tmp_path / "draft.yaml"
    assert main(["import", str(source), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Không nhập được kế hoạch: ") and words in err
    assert "Traceback" not in err and not out.exists()


def test_year_option_gives_the_year_a_title_lacks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "plan.txt"
    source.write_text("KẾ HOẠCH\nCải cách hành chính\nII. NHIỆM VỤ\n1. Việc chung\n- Làm việc A.\n"
                      "Đơn vị chủ trì: Văn phòng Sở\nThời gian: Quý II\n", encoding="utf-8")
    out = tmp_path / "draft.yaml"
    assert main(["import", str(source), "--out", str(out), "--year", "2027"]) == 0
    assert main(["check", str(out)]) == 0
    assert "năm 2027" in capsys.readouterr().out


def test_missing_input_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", str(tmp_path / "none.docx"), "--out", str(tmp_path / "d.yaml")]) == 2
    assert "Không tìm thấy tệp" in capsys.readouterr().err


@pytest.mark.parametrize(("phrase", "specs"), [
    ("trước ngày 20/11", [{"yearly": "20/11", "exclusive": True}]),
    ("Tháng 02/2026", [{"window": {"from": "01/02", "to": "29/02"}}]),
    ("Quý II/2026", [{"window": {"quarter": 2}}]),
    ("trong quý II của năm trước liền kề năm kế hoạch", [{"window": {"quarter": 2, "year_offset": -1}}]),
    ("hằng quý", [{"rrule": "FREQ=YEARLY;BYMONTH=3,6,9,12;BYMONTHDAY=20"}]),
    ("6 tháng, năm", [{"yearly": "20/06"}, {"yearly": "20/12"}]),
    ("Hằng quý, 6 tháng, năm", [{"rrule": "FREQ=YEARLY;BYMONTH=3,9;BYMONTHDAY=20"}, {"yearly": "20/06"},
                                {"yearly": "20/12"}]),
    ("Tháng 12", [{"window": {"from": "01/12", "to": "31/12"}}]),
    ("Trong năm 2026", [{"window": {"from": "01/01", "to": "31/12"}}]),
    ("Quý I và Quý III/2026", [{"window": {"quarter": 1}}, {"window": {"quarter": 3}}]),
    ("chậm nhất ngày 15/12/2026", [{"date": "15/12/2026"}]),
    ("Quý II/2027", [{"window": {"quarter": 2}, "years": [2027]}]),
])
def test_deadline_phrases(phrase: str, specs: list[dict[str, object]]) -> None:
    read = read_phrase(phrase, [2026])
    assert [d.spec for d in read.deadlines] == specs
    assert all(d.source == ("assumed" if "rrule" in d.spec or d.rule in ("half_year", "annual") else "seed")
               for d in read.deadlines)


def test_ongoing_and_unknown_phrases() -> None:
    assert read_phrase("Thường xuyên", [2026]).ongoing
    unknown = read_phrase("khi có yêu cầu", [2026])
    assert not unknown.understood and unknown.deadlines == ()


def test_a_reference_date_inside_a_sentence_is_no_deadline() -> None:
    assert find_in_sentence("theo Chỉ thị 24/CT-UBND ngày 01/12/2014 - đạt 30%", [2019]) == []
    (found,) = find_in_sentence("gởi kết quả thực hiện về Văn phòng sở trước ngày 20/11 để cập nhật", [2019])
    assert found.spec == {"yearly": "20/11", "exclusive": True}
