"""Issue 11, chat half: each defect found by the attack, driven through the real PTB stack and the fake Bot API.

Reachability after a block, evidence after acceptance, invites of a removed admin and their revocation,
long file names, LIKE patterns in arguments, a return reason left waiting after the review was decided,
empty files and a lying file_size.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import AuditRow, ChatStateRow, InviteRow, MemberRow
from bot.sandbox.fake_api import SentMessage
from bot.services import tasks
from bot.services.access import Refused, load_actor
from bot.services.tasks import Event
from tests.e2e.harness import ADMIN, Harness, at
from tests.e2e.test_chat_commands import (  # noqa: F401  (start, h: fixtures)
    HEAD,
    OTHER,
    buttons,
    evidence_rows,
    h,
    head_reminder,
    invite_code,
    join,
    labels,
    occurrence,
    refused,
    start,
    to,
)

ADMIN2 = 5005


def _audit(h: Harness, action: str) -> list[AuditRow]:
    with Session(h.engine) as session:
        return list(session.scalars(select(AuditRow).where(AuditRow.action == action).order_by(AuditRow.id)))


def _member(h: Harness, user_id: int) -> MemberRow:
    with Session(h.engine) as session:
        row = session.scalar(select(MemberRow).where(MemberRow.user_id == user_id).order_by(MemberRow.id.desc()))
        assert row is not None
        return row


async def _reminded(h: Harness) -> tuple[SentMessage, int]:
    await join(h, "TCCB", HEAD, "Nguyễn Văn An")
    await h.sweep_at(at("25/10/2019", 9))
    return await head_reminder(h, at("30/10/2019"))


async def _review_request(h: Harness, moment: tuple[str, int, int] = ("30/10/2019", 8, 5)) -> SentMessage:
    (review,) = [m for m in to(await h.sweep_at(at(*moment)), ADMIN) if "Đề nghị xác nhận" in m.text]
    return review


# --- 3. a head who blocked the bot and presses Start again --------------------------------------

async def test_a_member_who_blocked_the_bot_is_reachable_again_after_start_and_the_office_is_told(
        h: Harness) -> None:
    await join(h, "TCCB", HEAD, "Nguyễn Văn An")
    await h.sweep_at(at("25/10/2019", 9))
    h.api.inject("forbidden", chat_id=HEAD)
    sent = await h.sweep_at(at("30/10/2019"))
    assert to(sent, HEAD) == [] and not _member(h, HEAD).reachable
    assert any("Không gửi được" in m.text for m in to(sent + await h.sweep_at(at("30/10/2019", 8, 1)), ADMIN))

    (answer,) = await h.say(HEAD, "/start", name="Nguyễn Văn An")
    assert "Bot nhắc việc" in answer.text  # the help of a known member, not the stranger's hint
    assert _member(h, HEAD).reachable
    notices = to(await h.sweep_at(at("30/10/2019", 9)), ADMIN)
    assert [m.text for m in notices if "mở lại bot" in m.text and "Nguyễn Văn An" in m.text], [m.text for m in notices]
    assert len(_audit(h, "member_reachable")) == 1
    # A second update restores nothing more and tells nobody.
    await h.say(HEAD, "/quahan")
    assert len(_audit(h, "member_reachable")) == 1
    assert [m for m in to(await h.sweep_at(at("30/10/2019", 9, 5)), ADMIN) if "mở lại bot" in m.text] == []


# --- 4. evidence after the office accepted ------------------------------------------------------

async def test_an_evidence_step_opened_during_review_is_closed_by_the_acceptance(h: Harness) -> None:
    reminder, occ = await _reminded(h)
    await h.press(HEAD, reminder, f"done:{occ}")
    review = await _review_request(h)
    (prompt,) = await h.press(HEAD, reminder, f"ev:{occ}")  # 📎 again while the office reviews
    assert "Gửi tài liệu kiểm chứng" in prompt.text
    (accepted,) = await h.press(ADMIN, review, buttons(review)[0])
    assert "Đã tiếp nhận" in accepted.text and occurrence(h, occ).status == "done"

    (refusal,) = await h.send_file(HEAD, "bo-sung.pdf", b"%PDF-1.4 gui sau khi duyet")
    assert "đã xác nhận hoàn thành" in refusal.text and f"[{occurrence(h, occ).task_id}]" in refusal.text
    assert "không được lưu" in refusal.text
    assert evidence_rows(h) == [] and not list(h.evidence_dir.rglob("*.pdf"))
    assert not h.api.calls_of("getFile")
    # Said once: the step is gone and the next message is handled as ordinary text.
    (after,) = await h.say(HEAD, "https://drive.example/bo-sung")
    assert "chưa hiểu" in after.text and evidence_rows(h) == []
    # A download that finishes after the decision meets the same refusal in the service.
    with Session(h.engine) as session, session.begin():
        actor = load_actor(session, HEAD, HEAD)
        with pytest.raises(Refused) as refusal_in_service:
            tasks.add_evidence(session, actor, occ, Event(h.clock.now()), kind="link", text="https://x.example")
    assert refusal_in_service.value.key == "evidence_closed" and evidence_rows(h) == []


# --- 5. invites outlive their issuer; list and revoke ---------------------------------------------

async def test_an_invite_of_an_admin_later_removed_no_longer_works(h: Harness) -> None:
    code = await invite_code(h, "quantri")
    (welcome,) = await h.say(ADMIN2, f"/start {code}", name="Phó Chánh Văn phòng")
    assert "quản trị" in welcome.text.lower()
    their = await invite_code_from(h, ADMIN2, "KHTC")
    ids = [m.id for m in _members(h, active=False)]
    _members_msg, listing = await h.say(ADMIN, "/thanhvien", expect=2)
    (remove,) = [d for t, d in zip(labels(listing), buttons(listing), strict=True) if "Phó Chánh" in t]
    (confirm,) = await h.press(ADMIN, listing, remove)  # removing asks first; the removed admin is told
    await h.press(ADMIN, confirm, buttons(confirm)[0])
    told = [m for m in await h.sweep_at(h.clock.now()) if m.chat_id == ADMIN2]  # through the outbox
    assert len(told) == 1 and "Văn phòng Sở đã xóa anh/chị" in told[0].text

    (refusal,) = await h.say(OTHER, f"/start {their}")
    assert "không còn hiệu lực" in refusal.text and "Văn phòng Sở" in refusal.text
    assert [m.id for m in _members(h, active=False)] == ids  # nobody joined
    assert [a.details["why"] for a in _audit(h, "invite_revoked")] == ["issuer_removed"]


async def invite_code_from(h: Harness, admin: int, target: str) -> str:
    (link,) = await h.say(admin, f"/moi {target}")
    assert "?start=" in link.text, link.text
    return link.text.split("?start=")[1].split()[0]


def _members(h: Harness, active: bool = True) -> list[MemberRow]:
    with Session(h.engine) as session:
        query = select(MemberRow).order_by(MemberRow.id)
        return list(session.scalars(query.where(MemberRow.active) if active else query))


def _invite_id(h: Harness, code: str) -> int:
    with Session(h.engine) as session:
        row = session.scalar(select(InviteRow).where(InviteRow.code == code))
        assert row is not None
        return row.id


async def test_admins_list_open_invites_and_revoke_one_after_confirming(h: Harness) -> None:
    (empty,) = await h.say(ADMIN, "/loimoi")
    assert "Không có đường dẫn mời nào" in empty.text
    first, second = await invite_code(h, "TCCB"), await invite_code(h, "KHTC")
    used = await invite_code(h, "lanhdao")
    await h.say(OTHER, f"/start {used}")  # a used invite is not open any more
    (listing,) = await h.say(ADMIN, "/loimoi")
    a, b = _invite_id(h, first), _invite_id(h, second)
    assert "Đường dẫn mời còn hiệu lực: 2" in listing.text
    assert f"#{a} · Trưởng phòng Tổ chức cán bộ" in listing.text and f"#{b} · Trưởng phòng Kế hoạch" in listing.text
    assert "Chánh Văn phòng" in listing.text and "lanhdao" not in listing.text
    assert buttons(listing) == [f"ivd:{a}", f"ivd:{b}"] and labels(listing)[0].startswith("🗑 Thu hồi")

    (confirm,) = await h.press(ADMIN, listing, f"ivd:{a}")
    assert "Thu hồi đường dẫn mời" in confirm.text and "?" in confirm.text
    assert buttons(confirm) == [f"ivy:{a}", f"ivn:{a}"]
    assert _audit(h, "invite_revoked") == []  # nothing happens before the confirmation
    (kept,) = await h.press(ADMIN, confirm, f"ivn:{a}")
    assert "giữ lại" in kept.text.lower() and _audit(h, "invite_revoked") == []
    (revoked,) = await h.press(ADMIN, confirm, f"ivy:{a}")
    assert f"Đã thu hồi đường dẫn mời #{a}" in revoked.text
    assert f"Không có đường dẫn mời #{a}" in await refused(h, ADMIN, confirm, f"ivy:{a}")  # pressed twice
    (refusal,) = await h.say(HEAD, f"/start {first}")
    assert "không còn hiệu lực" in refusal.text

    # The typed form; bad numbers and strangers are refused; every revocation is audited.
    (gone,) = await h.say(ADMIN, f"/huyloimoi {b}")
    assert f"Đã thu hồi đường dẫn mời #{b}" in gone.text
    (again,) = await h.say(ADMIN, f"/huyloimoi {b}")
    assert f"Không có đường dẫn mời #{b}" in again.text
    (usage,) = await h.say(ADMIN, "/huyloimoi abc")
    assert "Dùng: /huyloimoi" in usage.text
    (stranger,) = await h.say(HEAD, "/loimoi")
    assert "chưa được đăng ký" in stranger.text
    (still_empty,) = await h.say(ADMIN, "/loimoi")
    assert "Không có đường dẫn mời nào" in still_empty.text
    assert [(r.subject, r.details["why"]) for r in _audit(h, "invite_revoked")] == [
        (f"invite:{a}", "revoked"), (f"invite:{b}", "revoked")]


async def test_a_head_cannot_list_or_revoke_invites(h: Harness) -> None:
    await join(h, "TCCB", HEAD, "Nguyễn Văn An")
    code = await invite_code(h, "KHTC")
    for text in ("/loimoi", f"/huyloimoi {_invite_id(h, code)}"):
        (answer,) = await h.say(HEAD, text)
        assert "chỉ dành cho quản trị" in answer.text, text
    (listing,) = await h.say(ADMIN, "/loimoi")
    assert "quản trị" in await refused(h, HEAD, listing, f"ivy:{_invite_id(h, code)}")
    assert _audit(h, "invite_revoked") == []


# --- 7. file names over 255 bytes -------------------------------------------------------------------

async def test_a_file_name_over_255_bytes_is_stored_under_a_short_name_and_shown_in_full(h: Harness) -> None:
    reminder, occ = await _reminded(h)
    await h.press(HEAD, reminder, f"ev:{occ}")
    name = "Tờ trình " + "ệ" * 80 + ".pdf"  # 93 characters, 256 bytes in UTF-8 (the 82 × 3 bytes)
    assert len(name.encode()) > 255
    for attempt in range(2):
        (saved,) = await h.send_file(HEAD, name, f"%PDF-1.4 ban {attempt}".encode())
        assert "Đã lưu tài liệu kiểm chứng" in saved.text, saved.text
    rows = evidence_rows(h)
    assert [r.file_name for r in rows] == [name, name]
    for row in rows:
        assert row.stored_path is not None
        stored = row.stored_path.rsplit("/", 1)[-1]
        assert len(stored.encode()) <= 255 and stored.endswith(".pdf")
        assert stored.split("_", 1)[1].startswith("Tờ trình ệ")


# --- 9. arguments are not LIKE patterns -------------------------------------------------------------

async def test_percent_and_underscore_in_unit_arguments_are_refused_with_the_valid_codes(h: Harness) -> None:
    for text in ("/moi %", "/moi T_CB", "/moi tccb%", "/moi ___", "/tiendo %", "/tiendo T_CB"):
        (answer,) = await h.say(ADMIN, text)
        assert "Không có đơn vị" in answer.text and "Các mã hợp lệ:" in answer.text, (text, answer.text)
        assert "TCCB" in answer.text and "KHTC" in answer.text
    with Session(h.engine) as session:
        assert session.scalars(select(InviteRow)).all() == []
    (link,) = await h.say(ADMIN, "/moi tccb")  # exact code in any letter case still works
    assert "?start=" in link.text and "Trưởng phòng Tổ chức cán bộ" in link.text
    (progress,) = await h.say(ADMIN, "/tiendo tccb")
    assert "Không có đơn vị" not in progress.text


# --- 10. a decided review does not keep the office's chat captive ------------------------------------

async def test_after_return_then_accept_elsewhere_plain_text_is_handled_normally(h: Harness) -> None:
    reminder, occ = await _reminded(h)
    await h.press(HEAD, reminder, f"done:{occ}")
    review = await _review_request(h)
    (confirm,) = await h.press(ADMIN, review, buttons(review)[1])  # ↩️ Đề nghị bổ sung asks first, in the same message
    (prompt,) = await h.press(ADMIN, confirm, buttons(confirm)[0])  # confirmed: the bot waits for a reason
    assert "lý do" in prompt.text
    (queue,) = await h.say(ADMIN, "/duyet")  # ✔️ from the review queue, as from the other device
    (card,) = await h.press(ADMIN, queue, next(d for d in buttons(queue) if d.startswith("rv:")))
    (accepted,) = await h.press(ADMIN, card, next(d for d in buttons(card) if d.startswith("rvok:")))
    assert "Đã tiếp nhận" in accepted.text
    for text in ("xin chào", "cảm ơn"):
        (answer,) = await h.say(ADMIN, text)
        assert "đã được xử lý rồi" not in answer.text and "chưa hiểu" in answer.text, answer.text
    assert occurrence(h, occ).status == "done"


async def test_a_return_reason_left_waiting_when_another_admin_decided_is_cleared(h: Harness) -> None:
    code = await invite_code(h, "quantri")
    await h.say(ADMIN2, f"/start {code}", name="Phó Chánh Văn phòng")
    reminder, occ = await _reminded(h)
    await h.press(HEAD, reminder, f"done:{occ}")
    reviews = [m for m in await h.sweep_at(at("30/10/2019", 8, 5)) if "Đề nghị xác nhận" in m.text]
    mine, theirs = to(reviews, ADMIN)[0], to(reviews, ADMIN2)[0]
    for admin, notice in ((ADMIN, mine), (ADMIN2, theirs)):  # each: ↩️, then yes, then the bot waits
        (confirm,) = await h.press(admin, notice, buttons(notice)[1])
        await h.press(admin, confirm, buttons(confirm)[0])
    (returned,) = await h.say(ADMIN2, "Thiếu văn bản ký số")
    assert "Đã trả lại" in returned.text and occurrence(h, occ).status == "returned"
    (answer,) = await h.say(ADMIN, "Bổ sung quyết định")
    assert "đã được xử lý rồi" not in answer.text and "chưa hiểu" in answer.text, answer.text
    with Session(h.engine) as session:
        assert session.get(ChatStateRow, ADMIN) is None
    assert len(_audit(h, "chat_state_cleared")) == 1


# --- 14. empty files and a declared size that lies ------------------------------------------------

async def test_an_empty_file_is_refused_and_a_file_larger_than_declared_is_cut_off_at_20_mb(h: Harness) -> None:
    reminder, occ = await _reminded(h)
    await h.press(HEAD, reminder, f"ev:{occ}")
    (empty,) = await h.send_file(HEAD, "rong.pdf", b"")
    assert "rỗng" in empty.text and "0 byte" in empty.text
    assert evidence_rows(h) == [] and not list(h.evidence_dir.rglob("*.pdf"))

    # Declares 1 KB (message and getFile), serves 21 MB: the download stops at the limit.
    small = h.api.state.store_file(b"x" * 1024, "bien-ban.pdf", "application/pdf")
    big = h.api.state.store_file(b"\0" * (21 * 1024 * 1024), "bien-ban.pdf", "application/pdf")
    h.api.state.files_by_path[small.file_path] = big
    message = h.api.state.new_message(HEAD, h.api.state.user(HEAD), document=h.api.state.document_dict(small))
    before = len(h.api.sent)
    h.api.updates.push("message", message)
    await h.api.wait_for_sent(before + 1)
    assert "lớn hơn 20 MB" in h.api.sent[-1].text and "đường dẫn tới văn bản" in h.api.sent[-1].text
    assert evidence_rows(h) == [] and not list(h.evidence_dir.rglob("*.pdf"))

    (saved,) = await h.send_file(HEAD, "that.pdf", b"%PDF-1.4 that")  # the step is still open for a real file
    assert "Đã lưu tài liệu kiểm chứng (1)" in saved.text
