"""Who is acting, and what a button names, on every update: one statement each, the same answers as before."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from bot.db.addresses import link
from bot.db.members import ensure_member
from bot.db.models import ActingHeadRow, MemberRow, OccurrenceRow
from bot.domain.workdays import WorkCalendar
from bot.engine.sync import sync_plan
from bot.plans.loader import load_plan
from bot.services.access import Refused, actor_rows, load_actor
from bot.services.queue import own_subject, subject_of
from bot.services.reachability import may_restore
from tests.conftest import MINI_PLAN

T0 = datetime(2019, 10, 1, 1, 0, tzinfo=timezone.utc)
TODAY = date(2019, 11, 4)


def _statements(db, fn):  # type: ignore[no-untyped-def]
    seen: list[str] = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        if not statement.startswith(("BEGIN", "PRAGMA")):
            seen.append(statement)

    event.listen(db, "before_cursor_execute", count)
    try:
        with Session(db) as session, session.begin():
            return fn(session), seen
    finally:
        event.remove(db, "before_cursor_execute", count)


def test_a_member_is_loaded_in_one_statement_with_stand_ins_and_a_stranger_in_two(db) -> None:  # type: ignore[no-untyped-def]
    sync_plan(db, load_plan(MINI_PLAN), WorkCalendar(), T0)  # the units
    head = ensure_member(db, T0, chat_id=20, user_id=20, role="head", unit="TCCB", name="Trưởng phòng")
    staff = ensure_member(db, T0, chat_id=30, user_id=30, role="staff", unit="KHTC", name="Chuyên viên")
    ensure_member(db, T0, chat_id=30, user_id=30, role="leader", unit=None, name="Chuyên viên")
    with Session(db) as s, s.begin():
        for starts, ends, cancelled in ((date(2019, 11, 1), date(2019, 11, 8), None),   # today: counts
                                        (date(2019, 11, 1), date(2019, 11, 8), T0),     # cancelled
                                        (date(2019, 11, 5), date(2019, 11, 9), None)):  # not yet
            s.add(ActingHeadRow(unit="TCCB" if cancelled is None and starts.day == 1 else "VP", member_id=staff,
                                starts=starts, ends=ends, created_by=head, created_at=T0, cancelled_at=cancelled))

    (actor, rows), statements = _statements(db, lambda s: actor_rows(s, 30, 30, TODAY))
    assert len(statements) == 1
    assert actor.units == frozenset({"TCCB"}) and actor.roles == frozenset({"staff", "leader"})
    assert actor.member_ids == tuple(sorted(actor.member_ids)) and len(actor.member_ids) == 2
    assert len(rows) == 2  # the rows it was made of, once each (the stand-in join repeats none)
    (without, _rows), _ = _statements(db, lambda s: actor_rows(s, 30, 30))
    assert without.units == frozenset()  # no day given: no stand-in

    (stranger, none), statements = _statements(db, lambda s: actor_rows(s, 99, 99, TODAY))
    assert not stranger.known and none == [] and stranger.user_id == 99 and len(statements) == 2


def test_a_linked_chat_acts_as_its_person_and_the_reachability_check_is_skipped_only_when_it_finds_nobody(db) -> None:  # type: ignore[no-untyped-def]
    ensure_member(db, T0, chat_id=20, user_id=20, role="head", unit="TCCB", name="Trưởng phòng")
    with Session(db) as s, s.begin():
        link(s, 7_000_000_001, "zalo", "za-1", 20, T0)
    with Session(db) as s:
        actor, rows = actor_rows(s, 7_000_000_001, 7_000_000_001, TODAY)
        assert actor.user_id == 20 and actor.units == frozenset({"TCCB"})
        assert load_actor(s, 7_000_000_001, 7_000_000_001) == actor
        assert may_restore(rows, actor.user_id, 7_000_000_001, 7_000_000_001)  # linked: always looks
        actor, rows = actor_rows(s, 20, 20, TODAY)
        assert not may_restore(rows, actor.user_id, 20, 20)  # reachable member, private chat: no query
        assert may_restore(rows, actor.user_id, 20, -100)  # a group chat: always looks
        s.get(MemberRow, actor.member_id).reachable = False  # type: ignore[union-attr]
        s.flush()
        actor, rows = actor_rows(s, 20, 20, TODAY)
        assert may_restore(rows, actor.user_id, 20, 20)


def test_a_buttons_subject_is_one_statement_and_refuses_as_own_occurrence_does(db) -> None:  # type: ignore[no-untyped-def]
    sync_plan(db, load_plan(MINI_PLAN), WorkCalendar(), T0)
    ensure_member(db, T0, chat_id=20, user_id=20, role="head", unit="TCCB", name="Trưởng phòng")
    with Session(db) as s:
        head = load_actor(s, 20, 20)
        own = s.scalars(select(OccurrenceRow).where(OccurrenceRow.unit == "TCCB")).first()
        other = s.scalars(select(OccurrenceRow).where(OccurrenceRow.unit == "KHTC")).first()
        assert own is not None and other is not None
        own_id, other_id, expected = own.id, other.id, subject_of(s, own)
    subject, statements = _statements(db, lambda s: own_subject(s, head, own_id))
    assert subject == expected and len(statements) == 1
    for occurrence_id, key in ((other_id, "not_your_unit"), (10**9, "no_such_task")):
        with Session(db) as s, pytest.raises(Refused) as refused:
            own_subject(s, head, occurrence_id)
        assert refused.value.key == key
    with Session(db) as s, s.begin():
        s.get(OccurrenceRow, own_id).retired_at = T0  # type: ignore[union-attr]
    with Session(db) as s, pytest.raises(Refused) as refused:
        own_subject(s, head, own_id)
    assert refused.value.key == "no_such_task"
