"""Cards and summaries as Views: Telegram parts and the plain-text rendering of the same cards."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from bot.engine.channel import Button
from bot.engine.messages import render_notice
from bot.engine.outbox import Claimed
from bot.i18n import language
from bot.views.cards import (
    DeadlineGroup,
    DueTask,
    ReminderCard,
    Since,
    build_card,
    combine,
)
from bot.views.model import (
    PLAIN_TEXT_LIMIT,
    TELEGRAM_MAX_BUTTONS,
    TELEGRAM_TEXT_LIMIT,
    plain_text,
    telegram_parts,
)
from bot.views.summaries import (
    CatchUp,
    CatchUpLine,
    WatchRow,
    WatchSummary,
    build_catch_up,
    build_summary,
)

DUE = date(2019, 11, 19)
LABEL = "Gửi kết quả thực hiện và tài liệu kiểm chứng về Văn phòng Sở (trước ngày 20/11)"
LONG = "Triển khai các Nghị quyết 39, 18, 19 của Trung ương về tinh giản biên chế và sắp xếp tổ chức bộ máy " * 2


def tasks(count: int, unit: str = "TCCB", start: int = 1) -> tuple[DueTask, ...]:
    return tuple(DueTask(start + i, f"{i // 4 + 1}.{i % 4 + 1}", LONG, unit) for i in range(count))


def card(count: int = 38, since: Since | None = None, units: int = 1) -> ReminderCard:
    names = (("TCCB", "Phòng Tổ chức cán bộ"), ("KHTC", "Phòng Kế hoạch - Tài chính"))[:units]
    return ReminderCard(names, (DeadlineGroup(LABEL, DUE, 3, tasks(count), since),))


def test_first_card_names_the_deadline_once_and_lists_the_nearest_tasks() -> None:
    with language("vi"):
        text, actions = telegram_parts(build_card(card()))
    assert text.startswith("🔔 Nhắc việc: Phòng Tổ chức cán bộ — còn 3 ngày làm việc\n\n📅 Hạn 19/11/2019\n")
    assert text.count(LABEL) == 1 and text.count("19/11/2019") == 1 and text.count("ngày làm việc") == 1
    assert "38 việc:" in text and "… và 33 việc khác" in text
    lines = [line for line in text.splitlines() if line.startswith("• ")]
    assert len(lines) == 5 and lines[0].startswith("• 1.1 Triển khai") and lines[0].endswith("— chưa xong")
    assert all(len(line) < 100 for line in lines)  # one short line per task
    labels = [a.label for row in actions for a in row]
    assert labels == ["📋 Danh sách việc (38 chưa xong)", "✅ Hoàn thành 1.1 · 19/11"]  # names the deadline
    assert [a.data for row in actions for a in row] == ["cl:o:0:n", "done:1"]


def test_a_later_rung_says_what_changed_and_is_shorter() -> None:
    when = datetime(2019, 11, 14, 8, 0, tzinfo=UTC)
    with language("vi"):
        first, _ = telegram_parts(build_card(card(38)))
        later, actions = telegram_parts(build_card(card(34, Since(when, done=3, awaiting_review=1))))
    assert "Từ lần nhắc trước (14/11/2019): 3 việc đã xong, 1 việc chờ xác nhận." in later
    assert "Còn 34 việc chưa xong, gần nhất:" in later and "… và 31 việc khác" in later
    assert len(later) < len(first)
    assert actions[0][0].label == "📋 Danh sách việc (34 chưa xong)"
    with language("vi"):
        quiet, _ = telegram_parts(build_card(card(38, Since(when))))
    assert "Từ lần nhắc trước (14/11/2019): chưa có thay đổi." in quiet


def test_overdue_cards_offer_the_overdue_list_and_count_working_days_only() -> None:
    overdue = ReminderCard((("VP", "Văn phòng Sở"),), (DeadlineGroup(LABEL, DUE, -4, tasks(15)),))
    with language("vi"):
        text, actions = telegram_parts(build_card(overdue))
    assert "quá hạn 4 ngày làm việc" in text and "ngày)" not in text
    assert [a.data for row in actions for a in row] == ["cl:o:0:n", "cl:q:0:n", "done:1"]


def test_a_card_for_one_task_carries_its_own_actions() -> None:
    one = ReminderCard((("VP", "Văn phòng Sở"),),
                       (DeadlineGroup(LABEL, DUE, 3,
                                      (DueTask(7, "1.1", "Ban hành kế hoạch", "VP", metrics=((3, "Tỷ lệ"),)),)),))
    with language("vi"):
        _, actions = telegram_parts(build_card(one))
    assert [a.data for row in actions for a in row] == ["done:7", "ev:7", "snz:7", "blk:7", "mt:3"]
    assert actions[0][1].label == "📎 Gửi tài liệu kiểm chứng"


def test_many_units_and_deadlines_stay_within_telegram_and_plain_text_limits() -> None:
    groups = tuple(DeadlineGroup(LABEL * 2 + str(i), date(2019, 11, 1 + i), i - 3, tasks(60, f"U{i}", 1000 * i + 1))
                   for i in range(12))
    units = tuple((f"U{i}", f"Trường trung học phổ thông số {i} của tỉnh") for i in range(12))
    big = ReminderCard(units, groups, late_from=datetime(2019, 11, 14, 1, 0, tzinfo=UTC), uncertain=True)
    with language("vi"):
        view = build_card(big)
        text, actions = telegram_parts(view)
        plain, replies = plain_text(view)
    assert len(text) <= TELEGRAM_TEXT_LIMIT and sum(len(r) for r in actions) <= TELEGRAM_MAX_BUTTONS
    assert "và 9 đơn vị khác" in text and "hạn sau" in text and not text.endswith("…")  # the rest counted
    assert "Gửi muộn: lẽ ra gửi lúc" in text and "(Có thể anh/chị đã nhận tin này trước đó.)" in text
    assert len(plain) <= PLAIN_TEXT_LIMIT and plain.endswith("Trả lời 3: ✅ Hoàn thành 1.1 · 01/11")
    assert replies == {"1": "cl:o:0:n", "2": "cl:q:0:n", "3": "done:1"}  # the most overdue deadline first


def test_plain_text_turns_every_action_into_a_numbered_reply() -> None:
    with language("vi"):
        view = build_card(card(38, units=2))
        plain, replies = plain_text(view)
    assert "Trả lời 1: 📋 Danh sách việc (38 chưa xong)" in plain
    assert "Trả lời 2: ✅ Hoàn thành 1.1 · 19/11" in plain
    assert replies == {"1": "cl:o:0:n", "2": "done:1"} and len(plain) <= PLAIN_TEXT_LIMIT
    assert view.blocks[1] in plain  # the same card text as on Telegram


def test_cards_render_in_english_from_the_catalogs() -> None:
    with language("en"):
        text, actions = telegram_parts(build_card(card(38)))
    assert text.startswith("🔔 Reminder: Phòng Tổ chức cán bộ") and "3 working days left" in text
    assert "… and 33 more tasks" in text and actions[0][0].label == "📋 Task list (38 not done)"


def summary_rows(count: int) -> tuple[WatchRow, ...]:
    return tuple(WatchRow(f"U{i}", f"Đơn vị {i}", LABEL, DUE, 5 + i % 7, -(i % 5) - 1) for i in range(count))


def test_watch_summary_counts_per_unit_and_deadline_worst_first() -> None:
    with language("vi"):
        view = build_summary(WatchSummary(summary_rows(30), to_leadership=True))
        text, actions = telegram_parts(view)
        plain, replies = plain_text(view)
    total = sum(r.count for r in summary_rows(30))
    assert text.startswith("⚠️ Chậm tiến độ, cần báo cáo Lãnh đạo Sở (thông qua Văn phòng Sở): "
                           f"{total} việc ở 30 đơn vị")
    rows = [line for line in text.splitlines() if line.startswith("• ")]
    assert len(rows) == 10 and all("quá hạn 5 ngày làm việc" in r for r in rows[:6])  # the worst first
    assert "… và" in text and "ở 20 đơn vị khác" in text and "dòng" not in text and text.count(LABEL) == 1
    assert [a.data for row in actions for a in row] == ["wl:q:0:n"]
    assert replies == {"1": "wl:q:0:n"} and "Trả lời 1: 📋 Danh sách đầy đủ" in plain


def test_a_card_and_a_summary_due_together_are_one_view_with_at_most_12_actions() -> None:
    with language("vi"):
        both = combine(build_card(card(38)), build_summary(WatchSummary(summary_rows(3))))
        text, actions = telegram_parts(both)
    assert "🔔 Nhắc việc" in text and "lĩnh vực do đơn vị anh/chị chủ trì" in text
    assert [a.data for row in actions for a in row] == ["cl:o:0:n", "done:1", "wl:q:0:n"]


def test_catch_up_is_compact() -> None:
    lines = tuple(CatchUpLine(f"{i}.1", LONG, "VP", DUE) for i in range(1, 40))
    with language("vi"):
        text, actions = telegram_parts(build_catch_up(CatchUp(120, datetime(2019, 10, 30, 1, 0), lines, 39), DUE))
    assert "có 120 lời nhắc chưa gửi được (từ 30/10/2019)" in text and "… và 31 việc khác" in text
    assert text.count("— VP, hạn 19/11/2019") == 8  # no name known: the code and len(text) < 1500
    assert actions[0][0].data == "cl:o:0:n"


def _notice(buttons: list[list[list[str]]], body: str = "📝 Đề nghị xác nhận") -> Claimed:
    return Claimed(1, 5, "notice", "review", datetime(2019, 11, 1, tzinfo=UTC), False, False, 0, None,
                   body, buttons, None, None, None, None, None, None, None, None, None)


def test_review_notice_also_opens_the_review_and_notices_stay_within_limits() -> None:
    with language("vi"):
        message = render_notice(5, _notice([[["✔️ Tiếp nhận", "rvok:9"], ["↩️ Trả lại", "rvret:9"]]]))
    assert [b.data for row in message.buttons for b in row] == ["rvok:9", "rvret:9", "rv:9"]
    assert message.buttons[-1] == (Button("🔎 Mở hồ sơ để tiếp nhận", "rv:9"),)
    many = [[[f"b{i}", f"x:{i}"]] for i in range(30)]
    with language("vi"):
        big = render_notice(5, _notice(many, "x" * 10_000))
    assert len(big.text) <= TELEGRAM_TEXT_LIMIT and sum(len(r) for r in big.buttons) == TELEGRAM_MAX_BUTTONS


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_card_word_is_translated(lang: str) -> None:
    with language(lang):
        text, _ = telegram_parts(build_card(card(38, Since(datetime(2019, 11, 14, tzinfo=UTC), 1, 1, 1))))
    assert "{" not in text and "}" not in text


def test_a_notice_with_facts_is_written_when_sent_in_the_readers_language() -> None:
    facts = {"notice": "unreachable", "who": "Trưởng TCCB (TCCB)", "reason": "Forbidden: bot was blocked"}
    item = replace(_notice([], "stale text"), facts=facts)
    with language("en"):
        english = render_notice(5, item).text
    with language("vi"):
        vietnamese = render_notice(5, item).text
    assert english.startswith("📣 Could not send messages to Trưởng TCCB (TCCB): Forbidden")
    assert vietnamese.startswith("📣 Không gửi được tin nhắn cho Trưởng TCCB (TCCB): Forbidden")
    unknown = replace(item, facts={"notice": "later-kind"})
    assert render_notice(5, unknown).text == "stale text"  # no renderer for the kind: the stored text


def test_a_returned_task_comes_first_and_the_change_line_names_it() -> None:
    group = tasks(10)
    group = (*group[:6], replace(group[6], status="returned"), *group[7:])
    repeat = ReminderCard((("TCCB", "Phòng Tổ chức cán bộ"),),
                          (DeadlineGroup(LABEL, DUE, 1, group, Since(datetime(2019, 11, 14, tzinfo=UTC), 1, 0, 2, 1)),))
    with language("vi"):
        text, actions = telegram_parts(build_card(repeat))
    assert "Từ lần nhắc trước (14/11/2019): 1 việc đã xong, 1 việc bị Văn phòng Sở trả lại, 2 việc mới." in text
    first = next(line for line in text.splitlines() if line.startswith("• "))
    assert first.startswith("• 2.3 ") and first.endswith("— bị trả lại, cần làm lại")
    assert actions[1][0].data == "done:7"  # the most urgent action is the returned task's


def test_a_card_whose_task_needs_evidence_offers_evidence_first_never_a_refused_done() -> None:
    task = DueTask(7, "1.1", "Ban hành chương trình, kế hoạch CCHC", "TCCB", evidence_required=True)
    many = ReminderCard((("TCCB", "Phòng Tổ chức cán bộ"),),
                        (DeadlineGroup(LABEL, DUE, 3, (task, DueTask(8, "1.2", "Tuyên truyền", "TCCB"))),))
    with language("vi"):
        labels = [a.label for row in build_card(many).actions for a in row]
        one = [a.data for row in build_card(ReminderCard((("TCCB", "x"),),
                                                         (DeadlineGroup(LABEL, DUE, 3, (task,)),))).actions
               for a in row]
    assert labels[-1] == f"📎 Gửi tài liệu kiểm chứng: 1.1 · {DUE:%d/%m}" and not any("Hoàn thành" in x for x in labels)
    assert one[:2] == ["ev:7", "done:7"]
