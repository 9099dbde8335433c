"""LinkMaker: the personal page address of a member or of a unit's head, signed, fresh, revocable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.db.members import ensure_member
from bot.db.models import MemberRow
from bot.domain.clock import FixedClock
from bot.engine.channel import OutMessage
from bot.web.links import LinkError, read_link
from bot.web.personal import LinkMaker

T0 = datetime(2019, 11, 12, 2, 0, tzinfo=UTC)
SECRET = b"test-secret-0123456789"
BASE = "https://nhacviec.sogd.example.vn"


def _token(url: str) -> str:
    assert url.startswith(BASE + "/p/"), url
    return url.removeprefix(BASE + "/p/")


def _deactivate(db: Engine, member_id: int) -> None:
    with Session(db) as s, s.begin():
        member = s.get(MemberRow, member_id)
        assert member is not None
        member.active = False


def test_a_members_link_is_signed_for_them_and_expires_after_the_days_given(db: Engine) -> None:
    member_id = ensure_member(db, T0, chat_id=20, user_id=20, role="head", unit="TCCB", name="B")
    clock = FixedClock(T0)
    url = LinkMaker(db, SECRET, BASE + "/", clock, days=7).for_member(member_id)
    claims = read_link(SECRET, _token(url), T0)
    assert claims.member_id == member_id and claims.version == 0
    assert claims.expires == int((T0 + timedelta(days=7)).timestamp())
    with pytest.raises(LinkError):
        read_link(SECRET, _token(url), T0 + timedelta(days=7, seconds=1))
    with pytest.raises(LinkError):
        read_link(b"another-secret", _token(url), T0)


def test_a_revoked_member_gets_a_link_of_the_new_version_and_an_inactive_one_none(db: Engine) -> None:
    member_id = ensure_member(db, T0, chat_id=20, user_id=20, role="head", unit="TCCB", name="B")
    maker = LinkMaker(db, SECRET, BASE, FixedClock(T0))
    with Session(db) as s, s.begin():
        member = s.get(MemberRow, member_id)
        assert member is not None
        member.link_version = 3
    assert read_link(SECRET, _token(maker.for_member(member_id)), T0).version == 3
    _deactivate(db, member_id)
    assert maker.for_member(member_id) == ""
    assert maker.for_member(9999) == ""


def test_a_units_link_is_its_first_active_head_and_none_without_one(db: Engine) -> None:
    ensure_member(db, T0, chat_id=1, user_id=1, role="admin", unit="TCCB", name="Office")
    first = ensure_member(db, T0, chat_id=20, user_id=20, role="head", unit="TCCB", name="B")
    second = ensure_member(db, T0, chat_id=21, user_id=21, role="head", unit="TCCB", name="C")
    maker = LinkMaker(db, SECRET, BASE, FixedClock(T0))
    assert read_link(SECRET, _token(maker.for_unit("TCCB")), T0).member_id == first
    _deactivate(db, first)
    assert read_link(SECRET, _token(maker.for_unit("TCCB")), T0).member_id == second
    _deactivate(db, second)
    assert maker.for_unit("TCCB") == ""
    assert maker.for_unit("KHTC") == ""


def test_a_message_carries_no_link_unless_given_one() -> None:
    assert OutMessage(1, "x").link == ""
    assert OutMessage(1, "x", link=BASE + "/p/t").link == BASE + "/p/t"
