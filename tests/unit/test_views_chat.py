"""Checklist, task card, review card and blocker card as channel-neutral views: Telegram parts and the
numbered plain-text rendering a channel without buttons uses."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.i18n import language
from bot.services.blockers import Blocker, BlockerCard, Reply
from bot.services.queue import PAGE, Attached, Card, Item, Page, Subject
from bot.services.review import Pending, ReviewCard
from bot.views.checklist import checklist
from bot.views.model import plain_text, telegram_parts
from bot.views.review import blocker_card, confirm_return, review_card
from bot.views.taskcard import subject_text, task_card

NOW = datetime(2019, 11, 14, 1, 0, tzinfo=UTC)
TODAY = date(2019, 11, 14)


def subject(i: int, due: date = date(2019, 11, 19)) -> Subject:
    return Subject(100 + i, f"1.{i}", f"Xây dựng kế hoạch CCHC năm 2020 số {i}", "TCCB", "Phòng Tổ chức cán bộ",
                   "Gửi kết quả thực hiện về Văn phòng Sở", due)


def test_a_checklist_page_has_at_most_12_buttons_and_numbers_its_tasks_in_plain_text() -> None:
    items = tuple(Item(subject(i), "open", 0) for i in range(PAGE))
    page = Page(items, "cl", "o", 1, 3, 20, {"o": 20, "q": 2, "r": 1, "a": 30})
    with language("vi"):
        view = checklist(page, TODAY, "Phòng Tổ chức cán bộ")
        text, rows = telegram_parts(view)
        plain, replies = plain_text(view)
    assert sum(len(r) for r in rows) == 12
    assert "chưa xong: 20 (trang 2/3)" in text
    assert text.count("Gửi kết quả thực hiện về Văn phòng Sở — hạn 19/11/2019") == 1  # the group, once
    assert replies["1"] == "tc:100:cl:o:1" and replies[str(PAGE + 1)] == "cl:o:0" and replies[str(PAGE + 2)] == "cl:o:2"
    assert f"Trả lời 1–{PAGE} để mở việc có số đó ở trên" in plain and f"Trả lời {PAGE + 3}: Quá hạn (2)" in plain
    assert "Trả lời 1:" not in plain  # the list is not named twice
    assert f"Trả lời {PAGE + 1}: ◀ xem trang trước" in plain and f"Trả lời {PAGE + 2}: xem trang sau ▶" in plain
    assert all(len(d.encode()) <= 64 for d in replies.values())


def test_task_card_ticks_the_evidence_asked_and_goes_back_where_it_came_from() -> None:
    files = (Attached(7, "document", "ke-hoach.pdf", 20480, NOW, "Nguyễn Văn An"),)
    card = Card(Item(subject(1), "overdue", 1), "Chi tiết của kế hoạch", ("Kế hoạch", "Báo cáo"), files, (), (),
                True, None, matched=frozenset({0}), ref="mục II.5.1, gạch đầu dòng thứ 2")
    with language("vi"):
        view = task_card(card, date(2019, 11, 21), "cl:q:2")
        plain, replies = plain_text(view)
    assert "☑ Kế hoạch" in plain and "☐ Báo cáo" in plain and "ke-hoach.pdf, 20 KB — Nguyễn Văn An" in plain
    assert "quá hạn 2 ngày làm việc" in plain and "📝 Chi tiết của kế hoạch" in plain
    assert "Tài liệu kiểm chứng gợi ý (Văn phòng Sở đề xuất):" in plain and "giả định" not in plain
    assert "(Kế hoạch, mục II.5.1, gạch đầu dòng thứ 2)" in plain  # the seed's own reference
    assert list(replies.values()) == ["done:101", "ev:101", "snz:101", "blk:101", "cl:q:2"]
    assert "Trả lời 5: ◀ Quay lại" in plain
    watcher = Card(card.item, None, (), (), (), (), False, None)
    with language("vi"):
        assert [a.data for row in task_card(watcher, TODAY, "wl:q:0").actions for a in row] == ["wl:q:0"]


def test_task_card_ticks_only_matched_items_says_assumed_and_offers_evidence_first() -> None:
    files = (Attached(7, "photo", "photo_2fcdd81bcf2a3ce6990dd05e.jpg", 2048, NOW, "An"),)
    card = Card(Item(subject(1), "open", 1), None, ("Kế hoạch tuyên truyền", "Báo cáo"), files, (), (), True, None,
                assumed=True, evidence_from="office", evidence_required=True)
    bare = Card(card.item, None, card.asked, (), (), (), True, None, evidence_required=True)
    with language("vi"):
        plain, _replies = plain_text(task_card(card, TODAY, "cl:o:0"))
        first = [a.data for row in task_card(bare, TODAY, "cl:o:0").actions for a in row][:2]
    assert "☐ Kế hoạch tuyên truyền" in plain and "☑" not in plain  # one photo ticks nothing
    assert "(giả định, chờ Văn phòng Sở xác nhận)" in plain and "Tài liệu kiểm chứng Văn phòng Sở yêu cầu:" in plain
    assert first == ["ev:101", "done:101"]


def test_review_card_offers_each_file_and_the_return_asks_first() -> None:
    files = tuple(Attached(i, "document", f"tep-{i}.pdf", 1024, NOW, "An") for i in range(1, 4))
    link = Attached(9, "link", "https://drive.example/abc", None, NOW, "An")
    card = ReviewCard(Pending(5, subject(1), NOW, "Nguyễn Văn An", 4), files + (link,), None, None)
    with language("vi"):
        plain, replies = plain_text(review_card(card))
        confirm, confirm_replies = plain_text(confirm_return(card))
    assert "🔗 https://drive.example/abc" in plain
    assert "Đơn vị: Phòng Tổ chức cán bộ\n" in plain and "(TCCB)" not in plain  # the name, not its code (M5)
    assert [replies[str(n)] for n in range(1, 7)] == ["rvok:5", "rvret:5", "rvf:1", "rvf:2", "rvf:3", "rq:0"]
    assert "Trả lại đề nghị hoàn thành này" in confirm and confirm_replies == {"1": "rvrc:5", "2": "rv:5"}


def test_blocker_card_shows_directions_and_who_may_do_what() -> None:
    item = Blocker(3, subject(2), "Chưa có kinh phí", "Nguyễn Văn An", NOW, True, 1)
    replies = (Reply("Phó Giám đốc Bình", NOW, "Dùng kinh phí chi thường xuyên"),)
    with language("vi"):
        leader, leader_replies = plain_text(blocker_card(BlockerCard(item, replies, False, True, False, True)))
        _head, head_replies = plain_text(blocker_card(BlockerCard(item, replies, False, False, False, True)))
    assert "Ý kiến của Phó Giám đốc Bình" in leader and "Dùng kinh phí chi thường xuyên" in leader
    assert list(leader_replies.values()) == ["bkr:3", "bkd:3", "bq:0"]
    assert list(head_replies.values()) == ["bkd:3", "bq:0"]


def test_answers_name_task_unit_label_and_due_in_both_languages() -> None:
    with language("vi"):
        vi = subject_text(subject(1))
    with language("en"):
        en = subject_text(subject(1))
    # WORDING L19: the due date right after the unit, the deadline's words in brackets
    assert vi == ("1.1 Xây dựng kế hoạch CCHC năm 2020 số 1 — Phòng Tổ chức cán bộ; hạn 19/11/2019 (Gửi kết quả "
                  "thực hiện về Văn phòng Sở)")
    assert en.endswith("due 19/11/2019")


def test_task_summary_pages_its_units_and_keeps_the_readers_own_cards() -> None:
    from bot.services.queue import TaskSummary, UnitStatus
    from bot.views.taskcard import UNITS_PER_PAGE, task_summary

    units = tuple(UnitStatus(f"U{i:02}", f"Đơn vị {i}", {"overdue": 1, "open": 2}, date(2019, 11, 19))
                  for i in range(UNITS_PER_PAGE + 5))
    own = (Item(subject(1), "open", 0),)
    summary = TaskSummary("1.1", "Ban hành kế hoạch", "1", "Chỉ đạo điều hành", units, own)
    with language("vi"):
        first, first_replies = plain_text(task_summary(summary, 0))
        second, second_replies = plain_text(task_summary(summary, 1))
    assert "Theo đơn vị (20): (trang 1/2)" in first and "(U00): 🔴 1 · ⬜ 2 — hạn sắp tới 19/11/2019" in first
    assert "(U15)" not in first and "(U15)" in second
    assert list(first_replies.values()) == ["tc:101", "nv:1.1:1"]
    assert list(second_replies.values()) == ["tc:101", "nv:1.1:0"]


def test_every_prefix_of_the_callback_contract_has_a_route_that_checks_its_argument() -> None:
    from bot.conversation.router import CHOICES as ROUTES
    contract = {"done", "ev", "evend", "snz", "snz1", "snz3", "blk", "rvok", "rvret", "fwd", "rm", "mt",
                "cl", "tc", "wl", "rq", "rv", "rvf", "bq", "bk", "bkr", "bkd"}
    assert contract <= set(ROUTES)
    good = {"cl": "o:0", "wl": "q:12", "tc": "5:cl:r:1", "rq": "3", "bq": "0", "gh": "ok:123"}
    for prefix, route in ROUTES.items():
        assert route.pattern.match(good.get(prefix, "123")) or prefix == "nv", prefix
        for forged in ("", "-1", "1 OR 1=1", "9" * 13, "1:2:3:4:5:6", "x"):
            if prefix == "ics" and forged in ("-1", "9" * 13, "x"):  # a unit code's shape: find_unit refuses it
                continue
            assert not route.pattern.match(forged), (prefix, forged)
    assert ROUTES["nv"].pattern.match("1.1:0") and not ROUTES["nv"].pattern.match("1.1/x:0")
    assert ROUTES["ics"].pattern.match("TCCB") and not ROUTES["ics"].pattern.match("../../etc")


def test_leadership_lists_name_units_not_codes() -> None:
    """WORDING M5: /quahan and the watch list (the office, leadership) and the escalation name the unit, shortly."""
    from bot.views.summaries import WatchRow, WatchSummary, build_summary

    kt = Subject(7, "2.1", "Rà soát văn bản", "KTKD", "Phòng Khảo thí và Kiểm định chất lượng giáo dục",
                 "Gửi kết quả thực hiện về Văn phòng Sở", date(2019, 11, 19))
    page = Page((Item(kt, "overdue", 0, contribution=True), Item(subject(1), "overdue", 0)), "wl", "q", 0, 1, 2,
                {"o": 2, "q": 2, "r": 0, "a": 2})
    escalation = WatchSummary((WatchRow("THPTCHUYEN", "Trường THPT chuyên của tỉnh", "Báo cáo quý", date(2019, 11, 1),
                                        2, -9),
                               WatchRow("GDTX", "Phòng Giáo dục thường xuyên - Chuyên nghiệp và Giáo dục dân tộc",
                                        "Báo cáo quý", date(2019, 11, 1), 1, -9)), to_leadership=True)
    with language("vi"):
        text, rows = telegram_parts(checklist(page, TODAY, "Văn phòng Sở"))
        summary, _rows = telegram_parts(build_summary(escalation))
    labels = [a.label for row in rows for a in row]
    assert "(P. Khảo thí và Kiểm định…)" in text and "(P. Tổ chức cán bộ)" in text
    assert "KTKD" not in text + "".join(labels) and "TCCB" not in text + "".join(labels)
    assert any("P. Khảo thí" in label for label in labels)
    assert "🤝" not in text  # the watch list is ordered by urgency across units: no "Phối hợp" heading splitting it
    assert "• Trường THPT chuyên của tỉnh — 2 việc" in summary and "THPTCHUYEN" not in summary  # fits: in full
    assert "• P. Giáo dục thường xuyên - Chuyên… — 1 việc" in summary  # too long: short, cut at a word


def test_short_unit_names_keep_the_kind_and_cut_at_a_word() -> None:
    from bot.texts import unit_short

    assert unit_short("Văn phòng Sở") == "Văn phòng" and unit_short("Thanh tra Sở") == "Thanh tra"
    assert unit_short("Phòng Tổ chức cán bộ") == "P. Tổ chức cán bộ"
    assert unit_short("Trung tâm Ngoại ngữ - Tin học") == "TT Ngoại ngữ - Tin học"
    assert unit_short("Phòng Giáo dục thường xuyên - Chuyên nghiệp") == "P. Giáo dục thường xuyên…"  # not "ng…"
    assert unit_short("Phòng Khảo thí và Kiểm định chất lượng giáo dục", 22) == "P. Khảo thí và Kiểm…"
    assert unit_short("Phòng Khảo thí và Kiểm định chất lượng giáo dục", 16) == "P. Khảo thí…"  # no "và…"
    assert unit_short("KTKD") == "KTKD"


def test_closed_says_it_is_no_longer_followed() -> None:
    """WORDING L17: "đóng" alone reads like a verb; closed items are "đã đóng (không theo dõi)"."""
    from bot.services.status import Counts
    from bot.views.status import counts_text
    from bot.views.taskcard import state_text

    with language("vi"):
        assert counts_text(Counts(done=1, closed=3)).endswith(" · 🔒 3 đã đóng (không theo dõi)")
        assert state_text("closed") == "đã đóng (không theo dõi)"
