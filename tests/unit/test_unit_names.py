"""WORDING M5: leadership and the office read unit names, not codes, on every screen that names a unit."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.db.models import MemberRow, UnitRow
from bot.i18n import language
from bot.services.blockers import Blocker, BlockerList
from bot.services.queue import Subject
from bot.services.review import Pending, Queue, ReviewCard
from bot.views.cards import DeadlineGroup, DueTask, ReminderCard, build_card
from bot.views.model import plain_text, telegram_parts
from bot.views.review import blocker_list, review_card, review_queue
from bot.views.status import members_text
from bot.views.summaries import CatchUp, CatchUpLine, build_catch_up

NOW = datetime(2019, 11, 14, 1, 0, tzinfo=UTC)
DUE = date(2019, 11, 19)
KTKD = "Phòng Khảo thí và Kiểm định chất lượng giáo dục"


def _subject() -> Subject:
    return Subject(7, "2.1", "Rà soát văn bản quy phạm pháp luật", "KTKD", KTKD,
                   "Gửi kết quả thực hiện về Văn phòng Sở", DUE)


def _labels(rows: tuple[tuple, ...]) -> list[str]:
    return [a.label for row in rows for a in row]


def test_review_queue_blockers_and_review_card_name_the_unit() -> None:
    queue = Queue((Pending(5, _subject(), NOW, "Nguyễn Văn An", 2),), 0, 1, 1)
    blockers = BlockerList((Blocker(3, _subject(), "Chưa có kinh phí", "Nguyễn Văn An", NOW, False, 0),), 0, 1, 1)
    with language("vi"):
        q_text, q_rows = telegram_parts(review_queue(queue))
        b_text, b_rows = telegram_parts(blocker_list(blockers))
        card, _replies = plain_text(review_card(ReviewCard(Pending(5, _subject(), NOW, "An", 0), (), None, None)))
    labels = _labels(q_rows) + _labels(b_rows)
    assert labels[0].startswith("1. 2.1 P. Khảo thí") and labels[1].startswith("1. 2.1 P. Khảo thí")
    assert all("KTKD" not in label and len(label.encode()) <= 64 for label in labels)
    assert "KTKD" not in q_text + b_text
    assert f"Đơn vị: {KTKD}\n" in card and "KTKD" not in card


def test_catch_up_names_the_unit() -> None:
    lines = (CatchUpLine("1.1", "Báo cáo quý", "TCCB", DUE, None, "Phòng Tổ chức cán bộ"),
             CatchUpLine("1.2", "Báo cáo năm", "XYZ", DUE))  # a unit with no known name keeps its code
    with language("vi"):
        text, _rows = telegram_parts(build_catch_up(CatchUp(3, datetime(2019, 10, 30, 1, 0), lines, 0), DUE))
    assert "— P. Tổ chức cán bộ, hạn 19/11/2019" in text and "TCCB" not in text
    assert "— XYZ, hạn 19/11/2019" in text


def test_members_list_names_the_unit() -> None:
    members = [MemberRow(id=1, chat_id=11, name="Trần Bình", role="head", unit="KTKD", reachable=True),
               MemberRow(id=2, chat_id=12, name="Lê Chi", role="admin", unit=None, reachable=True)]
    uncovered = [UnitRow(id="TCCB", name="Phòng Tổ chức cán bộ")]
    with language("vi"):
        text = "\n".join(members_text(members, uncovered, {"KTKD": KTKD, "TCCB": "Phòng Tổ chức cán bộ"}))
    assert "Trần Bình: Trưởng đơn vị — P. Khảo thí và Kiểm định…" in text
    assert "KTKD" not in text and "Phòng Tổ chức cán bộ" in text


def test_a_card_over_several_units_names_each_tasks_unit() -> None:
    tasks = (DueTask(1, "1.1", "Báo cáo quý", "TCCB"), DueTask(2, "1.2", "Báo cáo năm", "KTKD"))
    card = ReminderCard((("TCCB", "Phòng Tổ chức cán bộ"), ("KTKD", KTKD)),
                        (DeadlineGroup("Gửi kết quả", DUE, 3, tasks),), unstaffed=("KTKD",))
    with language("vi"):
        text, rows = telegram_parts(build_card(card))
    assert "• 1.1 (P. Tổ chức cán bộ) Báo cáo quý" in text and "• 1.2 (P. Khảo thí và Kiểm…) Báo cáo năm" in text
    assert "(TCCB)" not in text and "KTKD" not in text
    assert len(text.encode("utf-16-le")) // 2 <= 4096
