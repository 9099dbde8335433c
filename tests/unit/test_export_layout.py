"""Folder names in the evidence package: the unit's code and name (WORDING M5), cut at a word (TRIAL-NOTES #32)."""

from __future__ import annotations

from bot.dossier.files import safe_name
from bot.exports.layout import UNIT_CHARS, folder_of, short_title, unit_folder
from bot.texts import cut_at_word

TITLE = "Ban hành chương trình, kế hoạch CCHC hằng năm và tổ chức triển khai thực hiện"


def test_a_unit_folder_carries_its_code_then_its_name() -> None:
    assert unit_folder("TCCB", "Phòng Tổ chức cán bộ") == "TCCB - Phòng Tổ chức cán bộ"
    assert unit_folder("VP", "") == unit_folder("VP", "VP") == "VP"
    assert unit_folder("KT", 'Phòng "Khảo thí/Kiểm định"?') == "KT - Phòng _Khảo thí_Kiểm định__"  # no / ? "
    long = unit_folder("GDNNGDTX", "Phòng Giáo dục nghề nghiệp và Giáo dục thường xuyên của tỉnh")
    assert long.startswith("GDNNGDTX - Phòng Giáo dục") and len(long) <= UNIT_CHARS
    assert not long.endswith((" và", " của", "-", " ")) and long in "GDNNGDTX - Phòng Giáo dục nghề nghiệp và Giáo dục"


def test_folders_are_cut_at_a_word_and_never_on_a_joining_word() -> None:
    assert short_title(TITLE) == "Ban hành chương trình, kế hoạch CCHC hằng năm"  # not "… hằng năm và"
    assert cut_at_word("Kế hoạch - Tài chính", 11) == "Kế hoạch"
    assert cut_at_word("Báo cáo", 20) == "Báo cáo" and cut_at_word("Abcdefghijkl", 5) == "Abcde"
    path = folder_of("1", "Công tác chỉ đạo điều hành của Sở Giáo dục và Đào tạo tỉnh", "1.1", TITLE, "TCCB",
                     "Phòng Tổ chức cán bộ")
    area, task, unit = path.split("/")
    assert task == "1.1 - Ban hành chương trình, kế hoạch CCHC hằng năm" and unit == "TCCB - Phòng Tổ chức cán bộ"
    assert area == "1 - Công tác chỉ đạo điều hành của Sở Giáo dục" and all(len(p) <= 100 for p in (area, task, unit))
    assert safe_name(f"1.1.1 {TITLE}", 55, words=True) == "1.1.1 Ban hành chương trình, kế hoạch CCHC hằng năm"
