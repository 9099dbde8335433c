"""More of the chat over HTTP: snooze, blockers, returns, evidence rules, commands, invites, replays, audit.

Every test drives the real PTB Application (polling the fake Bot API on 127.0.0.1) and moves time with
the harness's FixedClock; reminders go out only when a test calls `h.sweep_at(...)`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.models import AuditRow, EvidenceRow, MemberRow, OccurrenceRow, ReminderRow
from bot.sandbox.fake_api import SentMessage
from tests.conftest import MINI_PLAN
from tests.e2e.harness import ADMIN, Harness, at, start_harness, stop_harness

HEAD, LEADER, OTHER = 2002, 3003, 4004
TOKEN = "123456:TEST-TOKEN"
Start = Callable[..., Awaitable[Harness]]


@pytest.fixture
async def start(tmp_path: Path) -> AsyncIterator[Start]:
    """Start a harness at a given moment (and plan); every one started is stopped at teardown."""
    started: list[Harness] = []

    async def _start(moment: datetime, plan: Path = MINI_PLAN) -> Harness:
        harness = await start_harness(tmp_path, plan, moment)
        started.append(harness)
        return harness

    yield _start
    for harness in started:
        await stop_harness(harness)


@pytest.fixture
async def h(start: Start) -> Harness:
    return await start(at("25/10/2019"))


# --- helpers -----------------------------------------------------------------------------------

def buttons(message: SentMessage) -> list[str]:
    return [b["callback_data"] for row in (message.reply_markup or {}).get("inline_keyboard", []) for b in row]


def labels(message: SentMessage) -> list[str]:
    return [b["text"] for row in (message.reply_markup or {}).get("inline_keyboard", []) for b in row]


def to(messages: list[SentMessage], chat_id: int) -> list[SentMessage]:
    return [m for m in messages if m.chat_id == chat_id]


async def invite_code(h: Harness, target: str) -> str:
    (link,) = await h.say(ADMIN, f"/moi {target}")
    assert "?start=" in link.text, link.text
    return link.text.split("?start=")[1].split()[0]


async def join(h: Harness, target: str, user: int, name: str) -> SentMessage:
    code = await invite_code(h, target)
    (welcome,) = await h.say(user, f"/start {code}", name=name)
    assert "Anh/chị đã được đăng ký nhận nhắc việc" in welcome.text
    return welcome


async def head_reminder(h: Harness, moment: datetime) -> tuple[SentMessage, int]:
    """Sweep at `moment`; the head's one reminder and its occurrence id."""
    (reminder,) = to(await h.sweep_at(moment), HEAD)
    occ = int(buttons(reminder)[0].split(":")[1])
    return reminder, occ


async def refused(h: Harness, user: int, message: SentMessage, data: str) -> str:
    """Press a button that must be refused; returns the alert text."""
    await h.press(user, message, data, expect=0, forged=True)
    answer = h.api.answered_callbacks[-1]
    assert answer.get("show_alert") is True
    return str(answer["text"])


def occurrence(h: Harness, occ_id: int) -> OccurrenceRow:
    with Session(h.engine) as session:
        row = session.get(OccurrenceRow, occ_id)
        assert row is not None
        return row


def evidence_rows(h: Harness) -> list[EvidenceRow]:
    with Session(h.engine) as session:
        return list(session.scalars(select(EvidenceRow).order_by(EvidenceRow.id)))


async def until(condition: Callable[[], bool], what: str) -> None:
    """Wait for an HTTP round trip or a handler to finish (never for the scheduler)."""
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise TimeoutError(what)


# --- ⏰ snooze ----------------------------------------------------------------------------------

async def test_snooze_three_working_days_skips_the_weekend_and_the_reminders_before_it(start: Start) -> None:
    h = await start(at("13/11/2019"))
    await join(h, "TCCB", HEAD, "Nguyễn Văn An")
    reminder, occ = await head_reminder(h, at("14/11/2019"))  # Thursday: "trước hạn 3 ngày làm việc"

    (choice,) = await h.press(HEAD, reminder, f"snz:{occ}")
    assert labels(choice) == ["1 ngày làm việc", "3 ngày làm việc"]
    assert buttons(choice) == [f"snz1:{occ}", f"snz3:{occ}"]
    (snoozed,) = await h.press(HEAD, choice, f"snz3:{occ}")
    assert "Sẽ nhắc lại nhiệm vụ 1.1 Ban hành kế hoạch CCHC — Phòng Tổ chức cán bộ" in snoozed.text
    assert "lúc 08:00 19/11/2019" in snoozed.text  # Fri 15, Mon 18, Tue 19

    assert to(await h.sweep_at(at("18/11/2019")), HEAD) == []  # "trước hạn 1 ngày" is skipped
    with Session(h.engine) as session:
        skipped = session.scalar(select(ReminderRow).where(ReminderRow.key == "1.1/ket-qua/TCCB/2019#before-1"))
        assert skipped is not None and (skipped.state, skipped.note) == ("skipped", "snoozed")
    (back,) = to(await h.sweep_at(at("19/11/2019")), HEAD)
    assert "• 1.1 " in back.text and back.text.count("• 1.1 ") == 1  # one reminder, not one per rung
    assert f"done:{occ}" in buttons(back)


async def test_snooze_never_goes_past_the_next_escalation(start: Start) -> None:
    h = await start(at("20/11/2019"))
    await join(h, "TCCB", HEAD, "Nguyễn Văn An")
    reminder, occ = await head_reminder(h, at("21/11/2019"))  # Thursday: "quá hạn 2 ngày làm việc"
    with Session(h.engine) as session:
        escalation = session.scalar(select(func.min(ReminderRow.due_at)).where(
            ReminderRow.occurrence_id == occ, ReminderRow.kind == "escalation", ReminderRow.state == "pending"))
    assert escalation == at("22/11/2019")  # 3 working days would be Tue 26/11

    (choice,) = await h.press(HEAD, reminder, f"snz:{occ}")
    (snoozed,) = await h.press(HEAD, choice, f"snz3:{occ}")
    assert "Sẽ nhắc lại nhiệm vụ 1.1" in snoozed.text and "lúc 08:00 22/11/2019" in snoozed.text
    assert occurrence(h, occ).snoozed_until == escalation

    sent = await h.sweep_at(at("22/11/2019"))
    (back,) = to(sent, HEAD)
    assert "• 1.1 " in back.text
    assert any("lĩnh vực do đơn vị anh/chị chủ trì" in m.text for m in to(sent, ADMIN))  # VP has no head: the office


# --- ⚠️ blocker -------------------------------------------------------------------------------

async def test_blocker_goes_to_the_office_which_forwards_it_once_to_leadership(h: Harness) -> None:
    await join(h, "TCCB", HEAD, "Nguyễn Văn An")
    welcome = await join(h, "lanhdao", LEADER, "Phó Giám đốc Bình")
    assert "Lãnh đạo Sở" in welcome.text
    await h.sweep_at(at("25/10/2019", 9))
    reminder, occ = await head_reminder(h, at("30/10/2019"))

    (prompt,) = await h.press(HEAD, reminder, f"blk:{occ}")
    assert "Mô tả khó khăn" in prompt.text
    (ack,) = await h.say(HEAD, "Chưa có kinh phí in tài liệu")
    assert "Đã gửi vướng mắc tới Văn phòng Sở" in ack.text

    (notice,) = to(await h.sweep_at(at("30/10/2019", 8, 5)), ADMIN)
    assert "Chưa có kinh phí in tài liệu" in notice.text and "Nguyễn Văn An" in notice.text
    assert labels(notice) == ["➡️ Chuyển Lãnh đạo Sở", "💬 Trả lời / hướng dẫn"]
    (forwarded,) = await h.press(ADMIN, notice, buttons(notice)[0])
    assert "Đã chuyển vướng mắc tới Lãnh đạo Sở" in forwarded.text

    (to_leader,) = to(await h.sweep_at(at("30/10/2019", 8, 10)), LEADER)
    assert "xin ý kiến chỉ đạo" in to_leader.text and "Chưa có kinh phí in tài liệu" in to_leader.text
    assert "đã được chuyển" in await refused(h, ADMIN, notice, buttons(notice)[0])


# --- ↩️ return ----------------------------------------------------------------------------------

async def test_returned_completion_reopens_the_task_with_the_reason_and_reminders_resume(h: Harness) -> None:
    await join(h, "TCCB", HEAD, "Nguyễn Văn An")
    await h.sweep_at(at("25/10/2019", 9))
    reminder, occ = await head_reminder(h, at("30/10/2019"))
    (submitted,) = await h.press(HEAD, reminder, f"done:{occ}")
    assert "gửi Văn phòng Sở xác nhận" in submitted.text

    (review,) = to(await h.sweep_at(at("30/10/2019", 8, 5)), ADMIN)
    assert labels(review) == ["✔️ Tiếp nhận", "↩️ Đề nghị bổ sung", "📝 Xem đề nghị"]
    (confirm,) = await h.press(ADMIN, review, buttons(review)[1])  # asks first, in the same message
    assert confirm.method == "editMessageText" and confirm.message_id == review.message_id
    assert "Trả lại đề nghị hoàn thành này" in confirm.text and "1.1 Ban hành kế hoạch CCHC" in confirm.text
    assert occurrence(h, occ).status == "awaiting_review"  # nothing changed before the confirmation
    (prompt,) = await h.press(ADMIN, confirm, buttons(confirm)[0])
    assert "Nhập lý do trả lại 1.1 Ban hành kế hoạch CCHC" in prompt.text and "hạn 19/11/2019" in prompt.text
    (done,) = await h.say(ADMIN, "Thiếu quyết định ban hành kèm theo")
    assert "Đã trả lại 1.1 Ban hành kế hoạch CCHC — Phòng Tổ chức cán bộ" in done.text and "báo kèm lý do" in done.text

    (returned,) = to(await h.sweep_at(at("30/10/2019", 8, 10)), HEAD)
    assert "trả lại" in returned.text and "Lý do: Thiếu quyết định ban hành kèm theo" in returned.text
    assert labels(returned) == ["📎 Gửi tài liệu kiểm chứng", "✅ Hoàn thành"]
    assert buttons(returned) == [f"ev:{occ}", f"done:{occ}"]
    assert occurrence(h, occ).status == "returned"

    again, again_occ = await head_reminder(h, at("08/11/2019"))  # "trước hạn 7 ngày": still reminded
    assert again_occ == occ and "19/11/2019" in again.text
    assert "đã được xử lý" in await refused(h, ADMIN, review, f"rvret:{buttons(confirm)[0].split(':')[1]}")
    assert "đã được xử lý" in await refused(h, ADMIN, review, f"rvok:{buttons(confirm)[0].split(':')[1]}")


# --- evidence rules -------------------------------------------------------------------------------

async def test_task_that_requires_evidence_refuses_completion_until_a_link_is_attached(
        start: Start, tmp_path: Path) -> None:
    text = MINI_PLAN.read_text(encoding="utf-8")
    marker = "    title: Ban hành kế hoạch CCHC\n"
    assert marker in text
    plan = tmp_path / "mini-evidence.yaml"
    plan.write_text(text.replace(marker, marker + "    evidence_required: true\n"), encoding="utf-8")
    h = await start(at("25/10/2019"), plan)
    await join(h, "TCCB", HEAD, "Nguyễn Văn An")
    await h.sweep_at(at("25/10/2019", 9))
    reminder, occ = await head_reminder(h, at("30/10/2019"))

    alert = await refused(h, HEAD, reminder, f"done:{occ}")
    assert "Nhiệm vụ này cần tài liệu kiểm chứng" in alert
    assert occurrence(h, occ).status == "open"

    await h.press(HEAD, reminder, f"ev:{occ}")
    (saved,) = await h.say(HEAD, "https://drive.example/abc")
    assert "Đã lưu tài liệu kiểm chứng (1)" in saved.text
    (row,) = evidence_rows(h)
    assert (row.kind, row.text) == ("link", "https://drive.example/abc")
    (submitted,) = await h.press(HEAD, reminder, f"done:{occ}")
    assert "gửi Văn phòng Sở xác nhận" in submitted.text
    assert occurrence(h, occ).status == "awaiting_review"


async def test_file_over_20_mb_asks_for_a_link_and_a_file_sent_twice_is_stored_once(h: Harness) -> None:
    await join(h, "TCCB", HEAD, "Nguyễn Văn An")
    await h.sweep_at(at("25/10/2019", 9))
    reminder, occ = await head_reminder(h, at("30/10/2019"))
    await h.press(HEAD, reminder, f"ev:{occ}")

    (too_big,) = await h.send_file(HEAD, "video-hop.mp4", b"\0" * (21 * 1024 * 1024))
    assert "lớn hơn 20 MB" in too_big.text and "đường dẫn tới văn bản" in too_big.text
    assert evidence_rows(h) == [] and not list(h.evidence_dir.rglob("*.mp4"))
    assert not h.api.calls_of("getFile")  # refused before downloading

    content = b"%PDF-1.4 bao cao ket qua CCHC"
    before = len(h.api.sent)
    first = h.api.user_sends_document(HEAD, "bao-cao.pdf", content)
    await h.api.wait_for_sent(before + 1)
    assert "Đã lưu tài liệu kiểm chứng (1)" in h.api.sent[-1].text
    (same_bytes,) = await h.send_file(HEAD, "bao-cao (1).pdf", content)  # uploaded again: a new file_id
    assert "không lưu lần nữa" in same_bytes.text
    resent = h.api.state.new_message(HEAD, h.api.state.user(HEAD), document=first["message"]["document"])
    before = len(h.api.sent)
    h.api.updates.push("message", resent)  # forwarded back as is: the same file_unique_id
    await h.api.wait_for_sent(before + 1)
    assert "không lưu lần nữa" in h.api.sent[-1].text
    assert len(evidence_rows(h)) == 1 and len(list(h.evidence_dir.rglob("*.pdf"))) == 1


# --- commands ---------------------------------------------------------------------------------------

async def test_viec_is_one_checklist_message_whose_tasks_open_their_cards(h: Harness) -> None:
    await join(h, "TCCB", HEAD, "Nguyễn Văn An")
    with Session(h.engine) as session:
        all_open = set(session.scalars(select(OccurrenceRow.id).where(
            OccurrenceRow.unit == "TCCB", OccurrenceRow.status == "open", OccurrenceRow.retired_at.is_(None))))
        open_ids = set(session.scalars(select(OccurrenceRow.id).where(
            OccurrenceRow.id.in_(all_open), OccurrenceRow.due <= date(h.clock.now().year, 12, 31))))
    assert len(all_open) == 6 and len(open_ids) == 3  # this year's by default; the next year's under "Tất cả"
    (checklist,) = await h.say(HEAD, "/viec")
    assert "📋 Phòng Tổ chức cán bộ — chưa xong: 3" in checklist.text and "trang" not in checklist.text
    assert "Tất cả (6)" in labels(checklist)
    cards = [d for d in buttons(checklist) if d.startswith("tc:")]
    assert {int(d.split(":")[1]) for d in cards} == open_ids
    assert [d for d in buttons(checklist) if not d.startswith("tc:")] == ["cl:q:0", "cl:r:0", "cl:a:0"]
    (card,) = await h.press(HEAD, checklist, cards[0])
    assert card.message_id == checklist.message_id
    assert labels(card) == ["✅ Hoàn thành", "📎 Gửi tài liệu kiểm chứng", "⏰ Nhắc lại sau", "⚠️ Báo vướng mắc",
                            "◀ Quay lại"]
    (watch,) = await h.say(ADMIN, "/viec")  # the office heads no unit: it watches every unit
    assert "👀 Tất cả đơn vị — quá hạn:" in watch.text


async def test_quahan_lists_overdue_tasks_after_the_deadline(h: Harness) -> None:
    await join(h, "TCCB", HEAD, "Nguyễn Văn An")
    h.clock.set(at("21/11/2019", 10))
    (mine,) = await h.say(HEAD, "/quahan")  # the overdue filter of /viec: one message, paged, at any size
    assert "📋 Phòng Tổ chức cán bộ — quá hạn: 3" in mine.text
    assert "hạn 19/11/2019" in mine.text and "KHTC" not in mine.text
    (everyone,) = await h.say(ADMIN, "/quahan")
    assert "👀 Tất cả đơn vị — quá hạn:" in everyone.text and "(P. Kế hoạch - Tài chính)" in everyone.text  # names, not codes (M5)
    assert "▶" in labels(everyone)  # every unit's overdue items: more than a page


async def test_nhiemvu_shows_evidence_and_history_and_explains_its_usage(h: Harness) -> None:
    await join(h, "TCCB", HEAD, "Nguyễn Văn An")
    await h.sweep_at(at("25/10/2019", 9))
    reminder, occ = await head_reminder(h, at("30/10/2019"))
    await h.press(HEAD, reminder, f"ev:{occ}")
    await h.say(HEAD, "https://drive.example/abc")
    await h.press(HEAD, reminder, f"done:{occ}")

    (details,) = await h.say(HEAD, "/nhiemvu 1.1")
    assert details.text.startswith("📌 1.1 Ban hành kế hoạch CCHC")
    assert "• Phòng Tổ chức cán bộ (TCCB): 🔴 2 · ⬜ 3 · ⏳ 1" in details.text  # per unit, not per occurrence
    assert "KHTC" not in details.text  # a head sees their own units
    cards = buttons(details)
    assert cards and all(d.startswith("tc:") for d in cards) and f"tc:{occ}" in cards
    (card,) = await h.press(HEAD, details, cards[0])
    assert card.message_id == details.message_id and "Trạng thái:" in card.text
    (everyone,) = await h.say(ADMIN, "/nhiemvu 1.1")
    assert "(KHTC)" in everyone.text and "(TCCB)" in everyone.text
    (mine,) = await h.press(HEAD, reminder, f"tc:{occ}", forged=True)  # the card of the one in review
    assert "• https://drive.example/abc — Nguyễn Văn An" in mine.text and "⏳ chờ xác nhận" in mine.text
    assert "thêm tài liệu kiểm chứng" in mine.text and "báo hoàn thành" in mine.text
    (usage,) = await h.say(HEAD, "/nhiemvu")
    assert "Dùng: /nhiemvu <mã nhiệm vụ>" in usage.text
    (unknown,) = await h.say(HEAD, "/nhiemvu 9.9")
    assert 'Không có nhiệm vụ mã "9.9"' in unknown.text


async def test_thanhvien_lists_members_and_uncovered_units_and_removes_a_member(h: Harness) -> None:
    await join(h, "TCCB", HEAD, "Nguyễn Văn An")
    members, uncovered = await h.say(ADMIN, "/thanhvien", expect=2)
    assert "👥 Thành viên (2)" in members.text
    assert "Chánh Văn phòng: Quản trị" in members.text
    assert "Nguyễn Văn An: Trưởng đơn vị — P. Tổ chức cán bộ" in members.text  # the unit's name, not its code (M5)
    assert "chưa có trưởng đơn vị" in uncovered.text
    assert "• VP" in uncovered.text and "• KHTC" in uncovered.text and "TCCB" not in uncovered.text
    (remove,) = [(text, data) for text, data in zip(labels(uncovered), buttons(uncovered), strict=True)]
    assert remove[0].startswith("🗑 Xóa") and "Nguyễn Văn An" in remove[0]  # the admin cannot remove themself

    assert "#" not in remove[0] and len(remove[0]) > len("🗑 Xóa Nguyễn Văn An")  # a full name, not a cut label
    assert remove[0] == "🗑 Xóa Nguyễn Văn An (P. Tổ chức cán bộ)"  # the unit's name, not its code (M5)
    (one_unit,) = await h.say(ADMIN, "/thanhvien tccb")
    assert "Nguyễn Văn An: Trưởng đơn vị — P. Tổ chức cán bộ" in one_unit.text
    assert "Chánh Văn phòng" not in one_unit.text
    assert buttons(one_unit) == [remove[1]]
    (confirm,) = await h.press(ADMIN, uncovered, remove[1])
    assert "Xóa Nguyễn Văn An (Trưởng đơn vị — P. Tổ chức cán bộ)?" in confirm.text  # names, not codes (M5)
    with Session(h.engine) as session:
        assert session.scalar(select(MemberRow.active).where(MemberRow.user_id == HEAD)) is True  # not yet
    (removed,) = await h.press(ADMIN, confirm, buttons(confirm)[0])
    assert removed.message_id == confirm.message_id and "Đã xóa Nguyễn Văn An" in removed.text
    (told,) = [m for m in await h.sweep_at(h.clock.now()) if m.chat_id == HEAD]  # through the outbox
    assert told.chat_id == HEAD and "Văn phòng Sở đã xóa anh/chị" in told.text
    (hint,) = await h.say(HEAD, "/viec")
    assert "chưa được đăng ký" in hint.text


async def test_lang_en_switches_that_users_replies_to_english(h: Harness) -> None:
    await join(h, "TCCB", HEAD, "Nguyễn Văn An")
    (usage,) = await h.say(HEAD, "/lang xx")
    assert "Dùng: /lang vi hoặc /lang en" in usage.text
    (switched,) = await h.say(HEAD, "/lang en")
    assert "Language set to English" in switched.text
    (help_en,) = await h.say(HEAD, "/help")
    assert help_en.text.startswith("CCHC reminder bot — you are: Head of unit.")
    assert "/solieu" in help_en.text and "/moi" not in help_en.text and "/duyet" not in help_en.text
    (help_vi,) = await h.say(ADMIN, "/help")  # only that user's language changed
    assert help_vi.text.startswith("Bot nhắc việc CCHC — anh/chị là: Quản trị (Văn phòng Sở).")
    assert "/duyet" in help_vi.text and "/moi" in help_vi.text and "/solieu" not in help_vi.text
    (back,) = await h.say(HEAD, "/lang vi")
    assert "Đã chuyển sang tiếng Việt" in back.text


async def test_bot_commands_are_registered_with_vietnamese_descriptions(h: Harness) -> None:
    (call,) = [c for c in h.api.calls_of("setMyCommands") if "scope" not in c]  # the default menu
    commands = {c["command"]: c["description"] for c in call["commands"]}
    expected = {"viec": "Danh sách việc", "tiendo": "Tiến độ", "quahan": "Việc quá hạn", "nhiemvu": "Tình hình một nhiệm vụ",
                "solieu": "Báo số liệu", "vuongmac": "Vướng mắc", "huongdan": "Hướng dẫn", "lang": "Ngôn ngữ"}
    assert "moi" not in commands and "sochieu" not in commands  # the default menu is a head's
    assert set(expected) <= set(commands), commands
    for name, words in expected.items():
        assert words in commands[name], (name, commands[name])


# --- invites ----------------------------------------------------------------------------------------

async def test_invite_codes_are_single_use_expire_after_7_days_and_reject_garbage(h: Harness) -> None:
    code = await invite_code(h, "TCCB")
    (welcome,) = await h.say(HEAD, f"/start {code}", name="Nguyễn Văn An")
    assert "với tư cách Trưởng phòng Tổ chức cán bộ" in welcome.text
    (reused,) = await h.say(OTHER, f"/start {code}")
    assert "đã được dùng" in reused.text

    late = await invite_code(h, "KHTC")
    h.clock.advance(timedelta(days=8))
    (expired,) = await h.say(OTHER, f"/start {late}")
    assert "hết hạn" in expired.text
    (garbage,) = await h.say(OTHER, "/start khong-phai-ma-moi")
    assert "không hợp lệ" in garbage.text
    (still_stranger,) = await h.say(OTHER, "/viec")
    assert "chưa được đăng ký" in still_stranger.text


# --- replays ----------------------------------------------------------------------------------------

async def test_an_update_delivered_twice_is_handled_once(h: Harness, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bot.conversation.router")
    before = len(h.api.messages_to(ADMIN))
    update = h.api.user_sends(ADMIN, "/help")
    h.api.updates.pending.append(dict(update))  # the same update_id again, in the same getUpdates batch
    await h.api.wait_for_sent(len(h.api.sent) + 1)
    await until(lambda: any(f"update {update['update_id']} seen before" in r.getMessage()
                            for r in caplog.records), "the replay was not seen")
    await h.say(ADMIN, "/tiendo")  # a fresh update after the replay still gets its answer
    replies = h.api.messages_to(ADMIN)[before:]
    assert len(replies) == 2 and replies[0].text.startswith("Bot nhắc việc") and "Tiến độ" in replies[1].text


# --- audit and logs ---------------------------------------------------------------------------------

async def whole_flow(h: Harness) -> None:
    """Invites, snooze, blocker + forward, evidence, confirm, return, confirm, accept, a refusal, a removal."""
    await join(h, "TCCB", HEAD, "Nguyễn Văn An")
    await join(h, "lanhdao", LEADER, "Phó Giám đốc Bình")
    await h.sweep_at(at("25/10/2019", 9))
    reminder, occ = await head_reminder(h, at("30/10/2019"))
    (choice,) = await h.press(HEAD, reminder, f"snz:{occ}")
    await h.press(HEAD, choice, f"snz1:{occ}")
    await h.press(HEAD, reminder, f"blk:{occ}")
    await h.say(HEAD, "Chưa có kinh phí")
    (notice,) = to(await h.sweep_at(at("30/10/2019", 8, 5)), ADMIN)
    await h.press(ADMIN, notice, buttons(notice)[0])
    await h.press(HEAD, reminder, f"ev:{occ}")
    await h.say(HEAD, "https://drive.example/abc")
    await h.press(HEAD, reminder, f"done:{occ}")
    (review,) = [m for m in to(await h.sweep_at(at("30/10/2019", 8, 10)), ADMIN) if "Đề nghị xác nhận" in m.text]
    (confirm,) = await h.press(ADMIN, review, buttons(review)[1])
    await h.press(ADMIN, confirm, buttons(confirm)[0])
    await h.say(ADMIN, "Thiếu quyết định")
    (returned,) = to(await h.sweep_at(at("30/10/2019", 8, 15)), HEAD)
    await h.press(HEAD, returned, f"done:{occ}")
    (review2,) = [m for m in to(await h.sweep_at(at("30/10/2019", 8, 20)), ADMIN) if "Đề nghị xác nhận" in m.text]
    await h.press(ADMIN, review2, buttons(review2)[0])
    await refused(h, HEAD, reminder, "rvok:1")
    _, uncovered = await h.say(ADMIN, "/thanhvien", expect=2)
    (confirm,) = await h.press(ADMIN, uncovered, buttons(uncovered)[0])
    await h.press(ADMIN, confirm, buttons(confirm)[0])


async def test_every_state_change_leaves_an_audit_row_with_its_update_id(h: Harness) -> None:
    await whole_flow(h)
    with Session(h.engine) as session:
        rows = list(session.scalars(select(AuditRow).where(AuditRow.actor != "system")))
    actions = {"completion_submitted", "evidence_added", "snoozed", "blocker_reported", "blocker_forwarded",
               "review_accepted", "review_returned", "invite_created", "invite_accepted", "member_removed",
               "refused"}
    seen = {r.action for r in rows}
    assert actions <= seen, actions - seen
    assert [r.action for r in rows if r.action in actions and r.update_id is None] == []
    assert len({r.update_id for r in rows if r.action == "invite_created"}) == 2  # one update, one row


async def test_the_bot_token_never_reaches_the_logs_even_at_debug(
        start: Start, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    h = await start(at("25/10/2019"))
    await whole_flow(h)
    assert "HTTP Request: POST" in caplog.text  # httpx's per-request lines were captured...
    assert TOKEN not in caplog.text and TOKEN.split(":")[1] not in caplog.text  # ...without the token
