"""A task card names who uploaded and who acted, loading only those members (bench_page: it loaded all, twice)."""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from bot.db.members import ensure_member
from bot.db.models import AuditRow, EvidenceRow, MemberRow, OccurrenceRow
from bot.domain.workdays import WorkCalendar
from bot.engine.sync import sync_plan
from bot.plans.loader import load_plan
from bot.services.access import load_actor
from bot.services.queue import card
from tests.conftest import MINI_PLAN

T0 = datetime(2019, 10, 1, 1, 0, tzinfo=timezone.utc)
TODAY = date(2019, 11, 4)


def test_the_card_names_the_uploader_and_the_actor_and_loads_no_other_member(db) -> None:  # type: ignore[no-untyped-def]
    sync_plan(db, load_plan(MINI_PLAN), WorkCalendar(), T0)
    head = ensure_member(db, T0, chat_id=20, user_id=20, role="head", unit="TCCB", name="Trần Thị Bình")
    for n in range(5):  # members of other units, whom the card has no reason to read
        ensure_member(db, T0, chat_id=40 + n, user_id=40 + n, role="head", unit="KHTC", name=f"Người khác {n}")
    with Session(db) as s, s.begin():
        occ = s.scalars(select(OccurrenceRow).where(OccurrenceRow.unit == "TCCB")).first()
        assert occ is not None
        s.add(EvidenceRow(occurrence_id=occ.id, member_id=head, kind="document", file_name="Báo cáo.pdf",
                          size=10, created_at=T0))
        s.add(AuditRow(at=T0, actor=f"member:{head}", action="evidence", subject=occ.key, details={}))
        s.add(AuditRow(at=T0, actor="system", action="remind", subject=occ.key, details={}))
        occ_id = occ.id
    with Session(db) as s:
        actor = load_actor(s, 20, 20, TODAY)
    loaded: list[MemberRow] = []

    def count(target: MemberRow, _context: object) -> None:
        loaded.append(target)

    event.listen(MemberRow, "load", count)
    try:
        with Session(db) as s:
            facts = card(s, actor, occ_id, TODAY)
    finally:
        event.remove(MemberRow, "load", count)
    assert [f.by for f in facts.attached] == ["Trần Thị Bình"]
    assert sorted(e.by for e in facts.history) == ["", "Trần Thị Bình"]
    assert loaded == []  # names read by id, not every member row of the Sở
