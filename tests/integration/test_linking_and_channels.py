"""Linking a second channel (/lienket) and the office choosing where reminders go (/kenh), on SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db import addresses
from bot.db.members import ensure_member
from bot.db.models import AuditRow, MemberRow, ReminderRow
from bot.db.notices import notice_text
from bot.engine import outbox
from bot.services import channels, invites, linking
from bot.services.access import Refused, load_actor
from bot.services.tasks import Event

NOW = datetime(2019, 10, 25, 2, 0, tzinfo=timezone.utc)
ADMIN, HEAD, STRANGER = 1, 20, 77


def _members(db) -> None:  # type: ignore[no-untyped-def]
    ensure_member(db, NOW, chat_id=ADMIN, role="admin", name="Văn phòng")  # config-seeded: no user id
    ensure_member(db, NOW, chat_id=HEAD, user_id=HEAD, role="head", unit="TCCB", name="Trưởng TCCB")


def _code(db, user: int = HEAD) -> linking.LinkCode:  # type: ignore[no-untyped-def]
    with Session(db) as s, s.begin():
        return linking.create_link_code(s, load_actor(s, user, user), Event(NOW, 1))


def _zalo(db) -> int:  # type: ignore[no-untyped-def]
    with Session(db) as s, s.begin():
        return addresses.zalo_key(s, "zalo-user-1", "Anh Tuấn", NOW)


def _accept(db, code: str, key: int, at: datetime = NOW):  # type: ignore[no-untyped-def]
    with Session(db) as s, s.begin():
        return invites.accept_invite(s, code, key, key, "Zalo user", Event(at, 2))


def _refusal(db, code: str, key: int, at: datetime = NOW) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(Refused) as err:
        _accept(db, code, key, at)
    return err.value.key


def test_a_zalo_chat_linked_with_the_code_acts_as_the_person_and_they_are_told(db) -> None:  # type: ignore[no-untyped-def]
    _members(db)
    code, key = _code(db), _zalo(db)
    linked = _accept(db, code.shown.lower(), key)  # typed by hand: case and dash do not matter
    assert linked == linking.Linked(key, "zalo", "Trưởng TCCB")
    with Session(db) as s:
        head_id = s.scalar(select(MemberRow.id).where(MemberRow.chat_id == HEAD))
        assert load_actor(s, key, key).member_ids == (head_id,)
        audit = s.scalar(select(AuditRow).where(AuditRow.action == "channel_linked"))
        assert audit is not None and audit.details["user_id"] == HEAD and audit.details["channel"] == "zalo"
        notice = s.scalar(select(ReminderRow).where(ReminderRow.target == f"chat:{HEAD}"))
        assert notice is not None and "Zalo" in notice_text(notice.facts, notice.body or "")
    assert _refusal(db, code.code, STRANGER) == "link_used"


def test_codes_expire_in_a_day_and_die_with_their_member_and_never_link_the_same_chat(db) -> None:  # type: ignore[no-untyped-def]
    _members(db)
    assert _refusal(db, _code(db).code, STRANGER, NOW + timedelta(days=1, minutes=1)) == "link_expired"
    assert _refusal(db, _code(db).code, HEAD) == "link_same_chat"
    assert _refusal(db, _code(db).code, ADMIN) == "link_taken"  # a member in its own right
    code = _code(db)
    with Session(db) as s, s.begin():
        admin = load_actor(s, ADMIN, ADMIN)
        head_id = s.scalar(select(MemberRow.id).where(MemberRow.chat_id == HEAD))
        invites.remove_member(s, admin, head_id, Event(NOW, 3))
    assert _refusal(db, code.code, STRANGER) == "link_revoked"


def test_link_codes_are_not_listed_as_invites(db) -> None:  # type: ignore[no-untyped-def]
    _members(db)
    _code(db, ADMIN)
    with Session(db) as s:
        assert invites.open_invites(s, load_actor(s, ADMIN, ADMIN), NOW) == []


def _set(db, member: int, word: str, address: str = "") -> channels.ChannelSet:  # type: ignore[no-untyped-def]
    with Session(db) as s, s.begin():
        return channels.set_channel(s, load_actor(s, ADMIN, ADMIN), member, word, address, Event(NOW, 4))


def _head(db) -> MemberRow:  # type: ignore[no-untyped-def]
    with Session(db) as s:
        row = s.scalar(select(MemberRow).where(MemberRow.name == "Trưởng TCCB"))
        assert row is not None
        return row


def test_office_moves_reminders_to_zalo_then_email_and_back(db) -> None:  # type: ignore[no-untyped-def]
    _members(db)
    key = _zalo(db)
    _accept(db, _code(db).code, key)
    head = _head(db)
    _set(db, head.id, "zalo")
    assert _head(db).chat_id == key
    with Session(db) as s:
        assert outbox.resolve(s, "TCCB", ()) == [outbox.Recipient(key, head.id)]
        (person,) = [p for p in channels.people(s, load_actor(s, ADMIN, ADMIN)) if p.member_ids == (head.id,)]
        assert person.receives == "zalo" and person.telegram and person.zalo == "Anh Tuấn"
        assert load_actor(s, HEAD, HEAD).member_ids == (head.id,)  # still recognised on Telegram
    for bad in ("truong", "a@b", "x y@so-gddt.vn"):
        with pytest.raises(Refused) as err:
            _set(db, head.id, "email", bad)
        assert err.value.key == "bad_email"
    _set(db, head.id, "email", "Truong@So-GDDT.vn")
    assert (_head(db).receive_by, _head(db).email, _head(db).chat_id) == ("email", "truong@so-gddt.vn", key)
    with Session(db) as s:
        assert outbox.resolve(s, "TCCB", (), outbox.Directory(s, {"TCCB"}, email=True)) == [
            outbox.Recipient(0, head.id, None, "truong@so-gddt.vn")]
        assert outbox.resolve(s, "TCCB", ()) == [outbox.Recipient(key, head.id)]  # e-mail off: the chat
    _set(db, head.id, "telegram")
    assert (_head(db).receive_by, _head(db).chat_id) == (None, HEAD)
    with Session(db) as s:
        actions = [a.action for a in s.scalars(select(AuditRow).where(AuditRow.action == "channel_set"))]
    assert len(actions) == 3


def test_office_revokes_web_links_and_bad_requests_are_refused(db) -> None:  # type: ignore[no-untyped-def]
    _members(db)
    head = _head(db)
    _set(db, head.id, "thuhoi")
    assert _head(db).link_version == head.link_version + 1
    for member, word, key in ((999, "zalo", "kenh_no_member"), (head.id, "fax", "kenh_usage"),
                              (head.id, "zalo", "no_channel"), (head.id, "email", "email_missing")):
        with pytest.raises(Refused) as err:
            _set(db, member, word)
        assert err.value.key == key
    with Session(db) as s, pytest.raises(Refused) as err:
        channels.set_channel(s, load_actor(s, HEAD, HEAD), head.id, "zalo", "", Event(NOW, 5))
    assert err.value.key == "admin_only"
