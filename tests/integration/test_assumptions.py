"""Nothing assumed goes live unconfirmed: drafts send nothing, the office confirms them (several at once)."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.engine import make_engine
from bot.db.models import AuditRow, DeliveryRow, OccurrenceRow, ReminderRow
from bot.domain.workdays import WorkCalendar
from bot.engine.simulate import simulate
from bot.engine.sync import sync_plan
from bot.plans.loader import load_plan
from bot.services.access import Actor, Refused
from bot.services.assumptions import confirm_matching, drafts, live_occurrences
from bot.services.tasks import Event
from tests.conftest import BUNDLED_PLAN

T0 = datetime(2019, 4, 20, tzinfo=timezone.utc)
NOW = datetime(2019, 11, 1, 2, 0, tzinfo=timezone.utc)
ADMIN = Actor(1, 1, (1,), frozenset({"admin"}), frozenset(), "Chánh Văn phòng", "vi")
HEAD = Actor(2, 2, (2,), frozenset({"head"}), frozenset({"TCCB"}), "Trưởng phòng", "vi")


def test_bundled_plan_as_shipped_sends_nothing_about_an_unconfirmed_assumption(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'sim.db'}")
    plan = load_plan(BUNDLED_PLAN)
    messages = asyncio.run(simulate(plan, WorkCalendar(), date(2019, 11, 14), date(2019, 11, 29), engine))
    with Session(engine) as s:
        sent = s.execute(select(ReminderRow.kind, OccurrenceRow.confirmed, func.count())
                         .join(DeliveryRow, DeliveryRow.reminder_id == ReminderRow.id)
                         .join(OccurrenceRow, OccurrenceRow.id == ReminderRow.occurrence_id)
                         .group_by(ReminderRow.kind, OccurrenceRow.confirmed)).all()
        held = s.scalar(select(func.count()).select_from(ReminderRow).where(ReminderRow.note == "unconfirmed"))
        assumed = s.scalar(select(func.count()).select_from(OccurrenceRow).where(OccurrenceRow.source == "assumed"))
    engine.dispose()
    by_kind = {(kind, confirmed): n for kind, confirmed, n in sent}
    # Confirmed deadlines still remind, are overdue and escalate in this fortnight...
    assert by_kind.get(("overdue", True), 0) > 0 and by_kind.get(("escalation", True), 0) > 0
    # ...but no delivery at all concerns a draft, though many drafts had rungs due then.
    assert not [k for k in by_kind if k[1] is False] and held and assumed
    texts = "\n".join(m.text for m in messages)
    assert "phần mềm chấm điểm" not in texts  # the office's own share: the seed sets no date for it
    assert "Gửi báo cáo CCHC năm" not in texts  # 1.1 bc-nam, an assumed report date due 18/11


def test_office_confirms_several_drafts_at_once_and_they_go_live(db) -> None:  # type: ignore[no-untyped-def]
    sync_plan(db, load_plan(BUNDLED_PLAN), WorkCalendar(), T0)
    with Session(db) as s:
        before = drafts(s, task="1.1", deadline="bc-nam")
        live = s.scalar(select(func.count()).select_from(OccurrenceRow).where(live_occurrences()))
    assert len(before) == 24
    with Session(db) as s, s.begin():
        try:
            confirm_matching(s, HEAD, Event(NOW), WorkCalendar(), task="1.1")
            raise AssertionError("a head confirmed an assumption")
        except Refused as exc:
            assert exc.key == "admin_only"
        result = confirm_matching(s, ADMIN, Event(NOW, 5), WorkCalendar(), task="1.1", deadline="bc-nam")
    assert len(result.confirmed) == 24 and result.due is None
    with Session(db) as s:
        assert drafts(s, task="1.1", deadline="bc-nam") == []
        assert s.scalar(select(func.count()).select_from(OccurrenceRow).where(live_occurrences())) == live + 24
        assert s.scalar(select(func.count()).select_from(AuditRow)
                        .where(AuditRow.action == "assumption_confirmed")) == 24


def test_a_date_the_office_sets_moves_the_ladder_and_survives_a_sync(db) -> None:  # type: ignore[no-untyped-def]
    plan = load_plan(BUNDLED_PLAN)
    sync_plan(db, plan, WorkCalendar(), T0)
    with Session(db, expire_on_commit=False) as s, s.begin():
        result = confirm_matching(s, ADMIN, Event(NOW), WorkCalendar(), task="1.1", deadline="ket-qua", unit="VP",
                                  due=date(2019, 12, 10))
    assert len(result.confirmed) == 2 and result.reminders_moved > 0  # 2019 and 2020
    sync_plan(db, plan, WorkCalendar(), NOW)
    with Session(db) as s:
        occ = s.scalar(select(OccurrenceRow).where(OccurrenceRow.key == "1.1/ket-qua/VP/2019"))
        assert occ is not None and occ.due == date(2019, 12, 10) and occ.confirmed
        rungs = {r.rung: r.due_at for r in s.scalars(select(ReminderRow).where(ReminderRow.occurrence_id == occ.id))}
    assert rungs["due"] == datetime(2019, 12, 10, 1, 0, tzinfo=timezone.utc)  # 08:00 in Hà Nội on the new date
    assert rungs["before-1"] == datetime(2019, 12, 9, 1, 0, tzinfo=timezone.utc)


def test_confirm_from_the_command_line_lists_then_confirms(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    from pathlib import Path

    from bot.cli import EXIT_OK, EXIT_USAGE, main

    config = Path(tmp_path) / "config.yaml"
    config.write_text(f"plan: {BUNDLED_PLAN}\ndatabase:\n  url: sqlite:///{tmp_path / 'bot.db'}\n"
                      "clock:\n  start: 2019-11-01T08:00:00+07:00\n", encoding="utf-8")
    assert main(["sync", "--config", str(config)]) == EXIT_OK
    capsys.readouterr()
    assert main(["confirm", "--config", str(config)]) == EXIT_OK
    listing = capsys.readouterr().out
    assert "hạn giả định đang ở dạng dự thảo" in listing and "1.1 bc-nam" in listing
    assert main(["confirm", "1.1", "bc-nam", "tccb", "--config", str(config)]) == EXIT_OK
    assert "Đã xác nhận 2 hạn" in capsys.readouterr().out  # TCCB's 2019 and 2020 shares
    assert main(["confirm", "1.1", "bc-nam", "khong-co", "--config", str(config)]) == EXIT_USAGE
    assert "khong-co" in capsys.readouterr().err
    assert main(["confirm", "--evidence", "1.2", "--config", str(config)]) == EXIT_OK
    assert "1.2" in capsys.readouterr().out


def test_the_leadership_rung_reaches_the_deputy_in_charge_and_the_office(db) -> None:  # type: ignore[no-untyped-def]
    from bot.db.members import ensure_member
    from bot.engine.outbox import resolve
    from bot.services.invites import accept_invite, create_invite

    admin = ensure_member(db, T0, chat_id=1, user_id=1, role="admin", unit="VP", name="Văn phòng")
    ensure_member(db, T0, chat_id=2, user_id=2, role="leader", name="Giám đốc")
    office = Actor(1, 1, (admin,), frozenset({"admin"}), frozenset(), "Văn phòng", "vi")
    with Session(db) as s, s.begin():
        code = create_invite(s, office, "lanhdao:pgd-1", Event(NOW)).code
    with Session(db) as s, s.begin():
        accept_invite(s, code, 3, 3, "Phó Giám đốc Bình", Event(NOW))
    with Session(db) as s:
        chats = {r.chat_id for r in resolve(s, "pgd-1,office", ())}
        everyone = {r.chat_id for r in resolve(s, "leadership", ())}
    assert chats == {1, 3}  # the deputy in charge and the office, not the whole leadership
    assert everyone == {2, 3}


def test_after_confirming_all_tccbs_card_of_14_11_2019_lists_its_own_items_first(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Issue 20's measure: chủ trì / thực hiện items before phối hợp ones, which come under their own heading."""
    from bot.db.engine import migrate
    from bot.services.occurrences import is_contribution
    from tests.fakes import confirm_all

    engine = make_engine(f"sqlite:///{tmp_path / 'sim.db'}")
    plan = load_plan(BUNDLED_PLAN)
    migrate(engine)
    sync_plan(engine, plan, WorkCalendar(), T0)
    assert confirm_all(engine, T0) > 0
    messages = asyncio.run(simulate(plan, WorkCalendar(), date(2019, 11, 14), date(2019, 11, 14), engine))
    tccb = 100 + [u.id for u in plan.units].index("TCCB")  # simulate's head chats: 100 + the unit's place
    card = [m for m in messages if m.chat_id == tccb and m.text.startswith("🔔")][-1]  # 08:00's card
    with Session(engine) as s:
        from bot.db.models import TaskRow

        rows = s.execute(select(OccurrenceRow.task_id, OccurrenceRow.lead_units, TaskRow.others_cooperate)
                         .join(TaskRow, TaskRow.id == OccurrenceRow.task_id)
                         .where(OccurrenceRow.unit == "TCCB", OccurrenceRow.due == date(2019, 11, 19))).all()
    engine.dispose()
    helps = {task for task, lead, cooperate in rows if is_contribution("TCCB", lead, cooperate)}
    own = {task for task, _lead, _c in rows} - helps
    assert own and helps  # both kinds are due on 19/11/2019
    (block,) = [b for b in card.text.split("\n\n") if b.startswith("📅 Hạn 19/11/2019")]
    lines = block.splitlines()
    heading = next((i for i, line in enumerate(lines) if line.startswith("🤝")), len(lines))
    before = [line.split()[1] for line in lines[:heading] if line.startswith("• ")]
    after = [line.split()[1] for line in lines[heading:] if line.startswith("• ")]
    assert before and set(before) <= own and set(after) <= helps  # own work first; contributions only under 🤝
    assert "1.2" in helps and "1.2" not in before  # TCCB helps with 1.2 (propaganda): not among its first lines
