"""Screens that edit one message in place, over HTTP: checklist paging, task card and back, review queue with
the evidence file sent back (same bytes), blockers answered by leadership, member removal with a confirmation."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.sandbox.fake_api import SentMessage
from tests.conftest import BUNDLED_PLAN
from tests.e2e.harness import ADMIN, Harness, at, start_harness, stop_harness

HEAD, LEADER = 2002, 3003


@pytest.fixture
async def h(tmp_path: Path) -> AsyncIterator[Harness]:
    harness = await start_harness(tmp_path, BUNDLED_PLAN, at("14/11/2019"))
    yield harness
    await stop_harness(harness)


async def _join(h: Harness, what: str, user: int, name: str) -> None:
    (link,) = await h.say(ADMIN, f"/moi {what}")
    code = link.text.split("?start=")[1].split()[0]
    await h.say(user, f"/start {code}", name=name)


def _data(message: SentMessage) -> list[str]:
    return [b["callback_data"] for row in (message.reply_markup or {}).get("inline_keyboard", []) for b in row]


def _labels(message: SentMessage) -> list[str]:
    return [b["text"] for row in (message.reply_markup or {}).get("inline_keyboard", []) for b in row]


async def test_checklist_pages_in_place_and_a_task_card_goes_back_to_the_same_page(h: Harness) -> None:
    await _join(h, "TCCB", HEAD, "Nguyễn Văn An")
    (first,) = await h.say(HEAD, "/viec")
    assert first.method == "sendMessage" and "chưa xong" in first.text and "(trang 1/" in first.text
    data = _data(first)
    assert len(data) <= 12 and "cl:o:1" in data and {"cl:q:0", "cl:r:0", "cl:a:0"} <= set(data)
    tasks_on_page = [d for d in data if d.startswith("tc:")]
    assert 1 <= len(tasks_on_page) <= 8

    (second,) = await h.press(HEAD, first, "cl:o:1")
    assert second.method == "editMessageText" and second.message_id == first.message_id
    assert "(trang 2/" in second.text and second.text != first.text
    assert set(_data(second)) & set(tasks_on_page) == set()  # another page, other tasks
    assert "cl:o:0" in _data(second)

    card_data = next(d for d in _data(second) if d.startswith("tc:"))
    assert card_data.endswith(":cl:o:1")
    (card,) = await h.press(HEAD, second, card_data)
    assert card.method == "editMessageText" and card.message_id == first.message_id
    assert "Đơn vị: " in card.text and "Trạng thái:" in card.text and "Hạn: " in card.text
    occ = card_data.split(":")[1]
    assert {f"done:{occ}", f"ev:{occ}", f"snz:{occ}", f"blk:{occ}", "cl:o:1"} <= set(_data(card))
    assert "◀ Quay lại" in _labels(card)

    (back,) = await h.press(HEAD, card, "cl:o:1")
    assert back.message_id == first.message_id and back.text == second.text

    (overdue,) = await h.press(HEAD, back, "cl:q:0")
    assert overdue.message_id == first.message_id and "quá hạn" in overdue.text.splitlines()[0]


async def test_forged_and_stale_screen_data_is_refused(h: Harness) -> None:
    await _join(h, "TCCB", HEAD, "Nguyễn Văn An")
    (first,) = await h.say(HEAD, "/viec")
    for data in ("cl:x:0", "cl:o:-1", "tc:abc", "tc:1:cl:o", "rq:0", "rv:1", "rvf:1", "bkr:1", "wl:o:99999"):
        await h.press(HEAD, first, data, expect=0, forged=True)
        text = h.api.answered_callbacks[-1].get("text") or ""
        assert text and ("không hợp lệ" in text or "quản trị" in text or "Lãnh đạo" in text), (data, text)
    (admin_list,) = await h.say(ADMIN, "/viec")  # the office has no unit of its own here: the watch list
    assert "wl:" in " ".join(_data(admin_list)) or "cl:" in " ".join(_data(admin_list))


async def _submit_with_file(h: Harness, content: bytes) -> tuple[str, SentMessage]:
    """The head opens a task card from /viec, attaches a file and reports it done."""
    (checklist,) = await h.say(HEAD, "/viec")
    card_data = next(d for d in _data(checklist) if d.startswith("tc:"))
    (card,) = await h.press(HEAD, checklist, card_data)
    occ = card_data.split(":")[1]
    await h.press(HEAD, card, f"ev:{occ}")
    (saved,) = await h.send_file(HEAD, "ke-hoach.pdf", content)
    assert "Đã lưu tài liệu kiểm chứng (1): ke-hoach.pdf" in saved.text
    (submitted,) = await h.press(HEAD, card, f"done:{occ}")
    assert "Đã gửi Văn phòng Sở xác nhận: " in submitted.text and "Phòng Tổ chức cán bộ" in submitted.text
    return occ, submitted


async def test_review_queue_sends_back_the_same_bytes_and_lists_a_review_whose_notice_was_lost(h: Harness) -> None:
    await _join(h, "TCCB", HEAD, "Nguyễn Văn An")
    content = b"%PDF-1.4 ke hoach CCHC nam 2020 \x00\x01\x02" * 50
    _occ, _ = await _submit_with_file(h, content)
    # No sweep: the office never got the notice. The queue still lists the review.
    (queue,) = await h.say(ADMIN, "/duyet")
    assert "Đề nghị xác nhận hoàn thành đang chờ: 1" in queue.text and "Nguyễn Văn An" in queue.text
    (open_review,) = [d for d in _data(queue) if d.startswith("rv:")]
    (card,) = await h.press(ADMIN, queue, open_review)
    assert card.message_id == queue.message_id and "Đơn vị: Phòng Tổ chức cán bộ" in card.text
    assert "(TCCB)" not in card.text  # the name, not the code (WORDING M5)
    assert "ke-hoach.pdf" in card.text and "hạn " in card.text
    review_id = open_review.split(":")[1]
    data = _data(card)
    assert data[:2] == [f"rvok:{review_id}", f"rvret:{review_id}"] and "rq:0" in data
    (file_button,) = [d for d in data if d.startswith("rvf:")]
    (sent,) = await h.press(ADMIN, card, file_button)
    assert sent.method == "sendDocument" and sent.chat_id == ADMIN
    stored = h.api.state.files[sent.document["file_id"]]
    assert hashlib.sha256(stored.content).hexdigest() == hashlib.sha256(content).hexdigest()
    assert sent.document["file_name"] == "ke-hoach.pdf"
    await h.press(HEAD, (await h.say(HEAD, "/viec"))[0], file_button, expect=1, forged=True)  # own unit: allowed

    (accepted,) = await h.press(ADMIN, card, f"rvok:{review_id}")
    assert "Đã tiếp nhận: " in accepted.text and "Phòng Tổ chức cán bộ" in accepted.text
    (empty,) = await h.say(ADMIN, "/duyet")
    assert "đang chờ: 0" in empty.text and not [d for d in _data(empty) if d.startswith("rv:")]


async def test_blocker_answered_by_leadership_reaches_the_head_and_the_office_and_stays_listed(h: Harness) -> None:
    await _join(h, "TCCB", HEAD, "Nguyễn Văn An")
    await _join(h, "lanhdao", LEADER, "Phó Giám đốc Bình")
    (checklist,) = await h.say(HEAD, "/viec")
    card_data = next(d for d in _data(checklist) if d.startswith("tc:"))
    occ = card_data.split(":")[1]
    (card,) = await h.press(HEAD, checklist, card_data)
    await h.press(HEAD, card, f"blk:{occ}")
    (sent,) = await h.say(HEAD, "Chưa có kinh phí in tài liệu")
    assert "Đã gửi vướng mắc tới Văn phòng Sở: " in sent.text
    (again,) = await h.press(HEAD, card, card_data, forged=True)  # reopened: the card now links to its open difficulty
    assert "Vướng mắc chưa giải quyết: 1" in again.text and any(d.startswith("bk:") for d in _data(again))

    (listed,) = await h.say(LEADER, "/vuongmac")
    assert "Vướng mắc chưa giải quyết: 1" in listed.text and "Chưa có kinh phí" in listed.text
    (open_blocker,) = [d for d in _data(listed) if d.startswith("bk:")]
    blocker = open_blocker.split(":")[1]
    (bcard,) = await h.press(LEADER, listed, open_blocker)
    assert bcard.message_id == listed.message_id and f"bkr:{blocker}" in _data(bcard)
    assert f"fwd:{blocker}" not in _data(bcard)  # forwarding is the office's
    (prompt,) = await h.press(LEADER, bcard, f"bkr:{blocker}")
    assert "Nhập ý kiến về vướng mắc" in prompt.text
    (done,) = await h.say(LEADER, "Dùng kinh phí chi thường xuyên của phòng")
    assert "Đã gửi ý kiến về" in done.text

    delivered = await h.sweep_at(at("14/11/2019", 8, 30))
    to_head = [m for m in delivered if m.chat_id == HEAD and "Dùng kinh phí chi thường xuyên" in m.text]
    to_office = [m for m in delivered if m.chat_id == ADMIN and "Dùng kinh phí chi thường xuyên" in m.text]
    assert len(to_head) == 1 and len(to_office) == 1
    assert "Ý kiến chỉ đạo của đồng chí Phó Giám đốc Bình, Lãnh đạo Sở" in to_head[0].text
    assert f"bk:{blocker}" in _data(to_head[0])

    (still,) = await h.say(ADMIN, "/vuongmac")  # answered, not resolved: still listed
    assert "Vướng mắc chưa giải quyết: 1" in still.text and "đã có ý kiến" in still.text
    (acard,) = await h.press(ADMIN, still, open_blocker)
    assert "Ý kiến của Phó Giám đốc Bình" in acard.text
    (resolved,) = await h.press(ADMIN, acard, f"bkd:{blocker}")
    assert "Đã đánh dấu vướng mắc là đã giải quyết" in resolved.text
    (gone,) = await h.say(LEADER, "/vuongmac")
    assert "Vướng mắc chưa giải quyết: 0" in gone.text
    await h.press(LEADER, gone, f"bkr:{blocker}", expect=0, forged=True)
    assert "đã được giải quyết" in h.api.answered_callbacks[-1]["text"]
    told = [m for m in await h.sweep_at(at("14/11/2019", 9)) if m.chat_id == HEAD]
    assert len(told) == 1 and "đã giải quyết" in told[0].text


async def test_watch_lists_for_leadership_and_a_lead_unit_open_cards_without_actions(h: Harness) -> None:
    await _join(h, "TCCB", HEAD, "Nguyễn Văn An")
    await _join(h, "lanhdao", LEADER, "Phó Giám đốc Bình")
    (watch,) = await h.say(LEADER, "/viec")
    assert watch.text.startswith("👀 Tất cả đơn vị — quá hạn:") and "(trang 1/" in watch.text
    (everything,) = await h.press(LEADER, watch, "wl:a:0")
    assert everything.message_id == watch.message_id and "tất cả:" in everything.text.splitlines()[0]
    card_data = next(d for d in _data(everything) if d.startswith("tc:"))
    assert card_data.endswith(":wl:a:0")
    (card,) = await h.press(LEADER, everything, card_data)
    assert _data(card) == ["wl:a:0"]  # leadership reads; the unit acts

    (led,) = await h.say(HEAD, "/theodoi")  # TCCB leads area 4: TTr and the schools cooperate
    assert led.text.startswith("👀 Các đơn vị thuộc lĩnh vực do Phòng Tổ chức cán bộ chủ trì")
    (led,) = await h.press(HEAD, led, "wl:a:0")  # every state: since the plan's start, little is overdue yet
    units = {line.rsplit("(", 1)[1].split(")")[0] for line in led.text.splitlines() if line[:1].isdigit()}
    assert units and "TCCB" not in units
    other = next(d for d in _data(led) if d.startswith("tc:"))
    (other_card,) = await h.press(HEAD, led, other)
    assert _data(other_card) == ["wl:a:0"]
    occ = other.split(":")[1]
    await h.press(HEAD, other_card, f"done:{occ}", expect=0, forged=True)
    assert "không phải đơn vị của anh/chị" in h.api.answered_callbacks[-1]["text"]


async def test_each_role_gets_its_own_command_menu_and_help(h: Harness) -> None:
    await _join(h, "TCCB", HEAD, "Nguyễn Văn An")
    await _join(h, "lanhdao", LEADER, "Phó Giám đốc Bình")
    menus = {json.loads(key)[0].get("chat_id"): [c["command"] for c in commands]
             for key, commands in h.api.state.commands.items()}
    assert "solieu" in menus[None] and "moi" not in menus[None]  # the default menu: a head's
    assert "duyet" in menus[ADMIN] and "moi" in menus[ADMIN] and "solieu" not in menus[ADMIN]
    assert "tonghop" in menus[LEADER] and "duyet" not in menus[LEADER] and "solieu" not in menus[LEADER]
    assert "solieu" in menus[HEAD] and "duyet" not in menus[HEAD]
    (leader_help,) = await h.say(LEADER, "/huongdan")
    listed = {line.split(" ", 1)[0][1:] for line in leader_help.text.splitlines() if line.startswith("/")}
    assert listed == set(menus[LEADER])


async def test_a_photo_is_sent_back_as_the_same_bytes_and_a_missing_file_is_said_so(h: Harness) -> None:
    await _join(h, "TCCB", HEAD, "Nguyễn Văn An")
    (checklist,) = await h.say(HEAD, "/viec")
    card_data = next(d for d in _data(checklist) if d.startswith("tc:"))
    occ = card_data.split(":")[1]
    (card,) = await h.press(HEAD, checklist, card_data)
    await h.press(HEAD, card, f"ev:{occ}")
    picture = b"\xff\xd8\xff\xe0 anh chup bien ban hop" * 20
    before = len(h.api.sent)
    h.api.user_sends_photo(HEAD, picture)
    await h.api.wait_for_sent(before + 1)
    await h.press(HEAD, card, f"done:{occ}")
    (queue,) = await h.say(ADMIN, "/duyet")
    (review,) = await h.press(ADMIN, queue, next(d for d in _data(queue) if d.startswith("rv:")))
    (photo_button,) = [d for d in _data(review) if d.startswith("rvf:")]
    (sent,) = await h.press(ADMIN, review, photo_button)
    assert sent.method == "sendPhoto"
    largest = sent.photo[-1] if isinstance(sent.photo, list) else sent.photo
    assert h.api.state.files[largest["file_id"]].content == picture

    for path in h.evidence_dir.rglob("*"):
        if path.is_file():
            path.unlink()  # the archive lost the file: say so, never a traceback
    await h.press(ADMIN, review, photo_button, expect=0)
    assert "không còn trên máy chủ" in h.api.answered_callbacks[-1]["text"]


async def test_the_calendar_picker_pages_its_units_in_place(h: Harness) -> None:
    (picker,) = await h.say(ADMIN, "/lich")
    first = _data(picker)
    assert len(first) == 11 and first[-1] == "lp:1" and all(d.startswith("ics:") for d in first[:10])
    (second,) = await h.press(ADMIN, picker, "lp:1")
    assert second.method == "editMessageText" and second.message_id == picker.message_id
    rest = _data(second)
    assert rest[-1] == "lp:0" and not set(rest) & set(first[:10]) and len(rest) <= 12
    await h.press(HEAD, picker, "lp:1", expect=0, forged=True)  # a stranger: refused
    assert h.api.answered_callbacks[-1].get("text")
