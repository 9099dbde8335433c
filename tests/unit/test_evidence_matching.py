"""A checklist item is ticked only when a document was matched to it, never by the number of files."""

from bot.domain.evidence import matched_items

ASKED = ("Chương trình, kế hoạch CCHC năm đã ban hành", "Kế hoạch tuyên truyền công tác CCHC",
         "Kế hoạch kiểm tra CCHC", "Các báo cáo CCHC định kỳ (quý, 6 tháng, năm) đã gửi Sở Nội vụ")


def test_a_photo_ticks_nothing() -> None:
    assert matched_items(ASKED, ("photo_2fcdd81bcf2a3ce6990dd05e.jpg",)) == frozenset()


def test_a_named_plan_ticks_its_own_item_only() -> None:
    assert matched_items(ASKED, ("Ke hoach tuyen truyen CCHC 2019.pdf",)) == {1}
    assert matched_items(ASKED, ("45/KH-SGDĐT Kế hoạch kiểm tra CCHC năm 2019",)) == {2}


def test_two_files_for_one_item_tick_one_item() -> None:
    assert matched_items(ASKED, ("Kế hoạch tuyên truyền CCHC.docx", "Kế hoạch tuyên truyền CCHC (bản ký).pdf")) == {1}


def test_a_photos_readable_name_says_task_unit_and_time_and_still_ticks_nothing() -> None:
    from datetime import datetime

    from bot.services.archive import photo_name

    name = photo_name("1.2/ket-qua/TCCB/2019", datetime(2019, 11, 14, 8, 5, 12))
    assert name == "Ảnh 1.2 TCCB 14-11-2019 08.05.12.jpg"
    assert matched_items(ASKED, (name,)) == frozenset()
