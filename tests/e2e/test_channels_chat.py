"""/lienket and /kenh over the real PTB stack against the fake Bot API."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import MemberRow
from tests.e2e.harness import ADMIN, Harness, at
from tests.e2e.test_chat_commands import HEAD, OTHER, h, invite_code, join, start, to


def _head_id(h: Harness) -> int:
    with Session(h.engine) as s:
        found = s.scalar(select(MemberRow.id).where(MemberRow.chat_id == HEAD))
        assert found is not None
        return found


async def test_a_second_telegram_account_linked_with_the_code_alone_acts_as_the_head(h: Harness) -> None:
    await join(h, "TCCB", HEAD, "Trưởng TCCB")
    (answer,) = await h.say(HEAD, "/lienket")
    assert "Mã liên kết" in answer.text and "/start " in answer.text
    code = answer.text.split("/start ")[1].split()[0]
    assert "?start=" + code.replace("-", "") in answer.text
    (stranger,) = await h.say(OTHER, "/viec")
    assert "chưa được đăng ký" in stranger.text
    (linked,) = await h.say(OTHER, code.lower())  # the code alone, typed in lower case
    assert "đã liên kết với Trưởng TCCB" in linked.text
    (checklist,) = await h.say(OTHER, "/viec")
    assert "chưa được đăng ký" not in checklist.text
    (again,) = await h.say(ADMIN, f"/start {code}")
    assert "Mã liên kết này đã được dùng" in again.text
    told = to(await h.sweep_at(at("25/10/2019", 9)), HEAD)
    assert any("liên kết với anh/chị" in m.text for m in told)
    (invites,) = await h.say(ADMIN, "/loimoi")
    assert "Không có đường dẫn mời nào" in invites.text  # the link code is not an invite


async def test_an_invite_code_typed_alone_joins_a_stranger_and_is_only_text_for_a_member(h: Harness) -> None:
    """What Zalo people do (no deep link there): the conversation core accepts the code alone from a stranger."""
    await join(h, "TCCB", HEAD, "Trưởng TCCB")
    code = await invite_code(h, "lanhdao")
    (member,) = await h.say(HEAD, code)
    assert "Bot chưa hiểu" in member.text  # a member: the short help, the invite stays unused
    (welcome,) = await h.say(OTHER, code, name="Phó Giám đốc")
    assert "Anh/chị đã được đăng ký nhận nhắc việc" in welcome.text


async def test_office_lists_channels_and_sends_reminders_of_a_head_by_email(h: Harness) -> None:
    await join(h, "TCCB", HEAD, "Trưởng TCCB")
    (listing,) = await h.say(ADMIN, "/kenh")
    assert "Trưởng TCCB" in listing.text and "Nhận tin qua: Telegram" in listing.text
    assert len(listing.text) <= 4096
    head = _head_id(h)
    (bad,) = await h.say(ADMIN, f"/kenh {head} email truong-so-gddt")
    assert "không phải địa chỉ e-mail" in bad.text
    (nobody,) = await h.say(ADMIN, "/kenh 999 zalo")
    assert "#999" in nobody.text
    (nozalo,) = await h.say(ADMIN, f"/kenh {head} zalo")
    assert "chưa có cuộc trò chuyện Zalo" in nozalo.text
    (done,) = await h.say(ADMIN, f"/kenh {head} email truong@so-gddt.vn")
    assert "e-mail truong@so-gddt.vn" in done.text
    (listing,) = await h.say(ADMIN, "/kenh TCCB")
    assert "Nhận tin qua: e-mail truong@so-gddt.vn" in listing.text
    (refused,) = await h.say(HEAD, "/kenh")
    assert "chỉ dành cho quản trị" in refused.text
    told = to(await h.sweep_at(at("25/10/2019", 9)), HEAD)
    assert any("e-mail truong@so-gddt.vn" in m.text for m in told)
