"""Migration 0008 keeps members (and what hangs on them) and adds chat addresses and the fallback e-mail."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

from bot.db import addresses
from bot.db.engine import make_engine
from bot.db.models import ChatAddressRow
from bot.services.access import load_actor
from tests.unit.test_migration_0005 import _upgrade

NOW = datetime(2019, 11, 14, 1, 0, tzinfo=UTC)


def test_members_at_0007_stay_and_a_zalo_chat_linked_to_one_acts_as_that_person(db_url: str) -> None:
    engine = make_engine(db_url)
    _upgrade(engine, "0007")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO units (id, name, retired) VALUES ('TCCB', 'Phòng Tổ chức cán bộ', false)"))
        conn.execute(text("INSERT INTO members (user_id, chat_id, name, role, unit, reachable, active, lang, "
                          "created_at, link_version) VALUES (55, 55, 'An', 'head', 'TCCB', true, true, 'vi', :now, 3)"),
                     {"now": NOW})
    _upgrade(engine, "0008")
    with engine.begin() as conn:
        row = conn.execute(text("SELECT user_id, chat_id, name, link_version, email FROM members")).one()
        assert tuple(row) == (55, 55, "An", 3, None)
    assert {"key", "channel", "address", "user_id", "menu"} <= {c["name"] for c in
                                                             inspect(engine).get_columns("chat_addresses")}
    _upgrade(engine, "head")  # the models below are today's
    with Session(engine) as session, session.begin():
        key = addresses.zalo_key(session, "8f3a2c", "An trên Zalo", NOW)
        assert addresses.channel_of(key) == "zalo" and addresses.channel_of(55) == "telegram"
        assert addresses.zalo_key(session, "8f3a2c", "", NOW) == key  # stable
        assert load_actor(session, key, key).units == frozenset()  # not linked yet: a stranger
        addresses.link(session, key, "zalo", "8f3a2c", 55, NOW)
        assert load_actor(session, key, key).units == frozenset({"TCCB"})
        assert session.get(ChatAddressRow, key) is not None
    engine.dispose()
