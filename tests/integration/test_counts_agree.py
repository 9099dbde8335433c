"""One definition of state and of counts: the lists, their buttons, /quahan, /tiendo, digests and the export agree.

Issue 20 item 3: the card's button said 33 and opened 82; /tiendo said 241 where /xuat said 499; a returned task
past its date was overdue in /quahan but not in /viec.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.db.engine import make_engine, migrate
from bot.db.members import ensure_member
from bot.db.models import OccurrenceRow, TaskRow
from bot.domain.status import FILTER_STATES, OccurrenceStatus, State, state_of
from bot.domain.workdays import WorkCalendar
from bot.engine.sync import sync_plan
from bot.exports.records import load_snapshot
from bot.plans.loader import load_plan
from bot.services import queue, status
from bot.services.access import Actor, load_actor
from bot.services.occurrences import STATE_RANK_OWN, state_sql
from tests.conftest import BUNDLED_PLAN

TODAY = date(2019, 11, 14)
ADMIN, HEAD = 1, 2


def _setup(db_url: str) -> Engine:
    engine = make_engine(db_url)
    migrate(engine)
    sync_plan(engine, load_plan(BUNDLED_PLAN), WorkCalendar(), datetime(2019, 10, 1, tzinfo=UTC))
    now = datetime(2019, 10, 1, tzinfo=UTC)
    ensure_member(engine, now, chat_id=ADMIN, user_id=ADMIN, role="admin", unit="VP", name="Văn phòng")
    ensure_member(engine, now, chat_id=HEAD, user_id=HEAD, role="head", unit="TCCB", name="Trưởng TCCB")
    with Session(engine) as s, s.begin():  # every status, on both sides of today
        ids = list(s.scalars(select(OccurrenceRow.id).order_by(OccurrenceRow.id)))
        plan = [OccurrenceStatus.DONE, OccurrenceStatus.AWAITING_REVIEW, OccurrenceStatus.RETURNED,
                OccurrenceStatus.CLOSED, OccurrenceStatus.OPEN]
        for i, oid in enumerate(ids):
            if i % 3 == 0:
                s.execute(update(OccurrenceRow).where(OccurrenceRow.id == oid).values(status=str(plan[i % 5])))
    return engine


def _actor(engine: Engine, user: int) -> Actor:
    with Session(engine) as s:
        return load_actor(s, user, user)


def _all_pages(engine: Engine, fn, actor: Actor, f: str) -> list[queue.Item]:  # type: ignore[no-untyped-def]
    out: list[queue.Item] = []
    with Session(engine) as s:
        first = fn(s, actor, TODAY, f, 0)
        out += first.items
        for number in range(1, first.pages):
            out += fn(s, actor, TODAY, f, number).items
    return out


def test_state_in_sql_is_state_of(db_url: str) -> None:
    engine = _setup(db_url)
    with Session(engine) as s:
        rows = s.execute(select(OccurrenceRow.status, OccurrenceRow.due, state_sql(TODAY))).all()
    assert {st for _, _, st in rows} == {str(x) for x in State}  # every state occurs
    assert all(state_of(status_, due, TODAY) == st for status_, due, st in rows)
    assert state_of("returned", TODAY - timedelta(days=1), TODAY) == State.OVERDUE  # late is late, returned or not
    assert state_of("returned", TODAY, TODAY) == State.RETURNED
    engine.dispose()


def test_every_screen_counts_the_same_and_a_button_saying_n_opens_those_n(db_url: str) -> None:
    engine = _setup(db_url)
    admin, head = _actor(engine, ADMIN), _actor(engine, HEAD)
    with Session(engine) as s:
        watch = queue.watchlist(s, admin, TODAY, "q", 0)
        overdue = status.overdue(s, admin, TODAY)
        progress = status.compute_progress(s, TODAY)
        snapshot = load_snapshot(s, TODAY)
        mine = queue.checklist(s, head, TODAY, "o", 0)
        head_overdue = status.overdue(s, head, TODAY)
    exported = Counter(r.bucket for r in snapshot.occurrences if r.live and r.due.year == TODAY.year)
    assert watch.counts["q"] == len(overdue) == progress.total.overdue == exported["overdue"] > 0
    assert progress.total.awaiting_review == exported["awaiting_review"] == watch.counts["r"]
    assert progress.total.done == exported["done"] and progress.total.closed == exported["closed"]
    # every button's figure is what it opens, page after page
    for f in FILTER_STATES:
        for actor, fn in ((admin, queue.watchlist), (head, queue.checklist)):
            with Session(engine) as s:
                counts = fn(s, actor, TODAY, "o", 0).counts
            items = _all_pages(engine, fn, actor, f)
            assert len(items) == len({i.subject.occurrence_id for i in items}) == counts[f], (f, fn.__name__)
    assert {i.subject.occurrence_id for i in _all_pages(engine, queue.watchlist, admin, "q")} \
        == {line.occurrence_id for line in overdue}
    assert mine.counts["q"] == len(head_overdue)
    engine.dispose()


def test_own_work_first_then_contributions_and_this_year_by_default(db_url: str) -> None:
    engine = _setup(db_url)
    head = _actor(engine, HEAD)
    items = _all_pages(engine, queue.checklist, head, "o")
    flags = [i.contribution for i in items]
    assert True in flags and False in flags
    assert flags == sorted(flags)  # own items (False) all come before contributions (True)
    own = [i for i in items if not i.contribution]
    assert [STATE_RANK_OWN[State(i.state)] for i in own] == sorted(STATE_RANK_OWN[State(i.state)] for i in own)
    assert all(i.subject.due.year <= TODAY.year for i in items)  # the current period by default
    everything = _all_pages(engine, queue.checklist, head, "a")
    assert any(i.subject.due.year > TODAY.year for i in everything)  # later years under "Tất cả"
    with Session(engine) as s:  # a contribution is a unit's phối hợp share of a task another unit leads
        for item in items:
            occ = s.get(OccurrenceRow, item.subject.occurrence_id)
            task = s.get(TaskRow, occ.task_id)
            led = set(filter(None, occ.lead_units.split(",")))
            assert item.contribution == bool(led and occ.unit not in led and task.others_cooperate)
    engine.dispose()



INSTANTS = (datetime(2019, 11, 14, 1, 0, tzinfo=UTC), datetime(2019, 11, 19, 1, 0, tzinfo=UTC),
            datetime(2019, 12, 20, 1, 0, tzinfo=UTC))  # 08:00 local: the 14/11 cards of TRIAL-NOTES #4, and later


async def test_a_cards_checklist_button_says_what_the_list_it_opens_holds(db_url: str) -> None:
    """TRIAL-NOTES #4: the TCCB card said "📋 Danh sách việc (33 chưa xong)" and the list it opened said more (the
    card counted its own lines; the list holds this year's unfinished work of the reader's units)."""
    import re

    from bot.domain.clock import FixedClock
    from bot.engine.dispatcher import Dispatcher, DispatchSettings
    from bot.engine.ratelimit import NoLimit
    from bot.i18n import language
    from bot.views.checklist import checklist as checklist_view
    from tests.fakes import ScriptedChannel, confirm_all

    start = datetime(2019, 10, 1, tzinfo=UTC)
    engine = make_engine(db_url)
    migrate(engine)
    plan = load_plan(BUNDLED_PLAN)
    sync_plan(engine, plan, WorkCalendar(), start)
    ensure_member(engine, start, chat_id=ADMIN, user_id=ADMIN, role="admin", unit="VP", name="Văn phòng")
    heads = {100 + n: unit.id for n, unit in enumerate(plan.units)}
    for chat, unit in heads.items():
        ensure_member(engine, start, chat_id=chat, user_id=chat, role="head", unit=unit, name=f"Trưởng {unit}")
    confirm_all(engine, start)
    clock = FixedClock(start)
    channel = ScriptedChannel()
    dispatcher = Dispatcher(engine, channel, clock, NoLimit(), DispatchSettings(concurrency=1), worker="t")
    checked = 0
    for instant in INSTANTS:
        clock.set(instant)
        before = len(channel.sent)
        await dispatcher.sweep()
        today = instant.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).date()
        for message in channel.sent[before:]:
            if message.chat_id not in heads:
                continue
            for button in (b for row in message.buttons for b in row):
                if button.data.split(":")[:2] not in (["cl", "o"], ["cl", "q"]):
                    continue
                said = int(re.search(r"\((\d+)", button.text).group(1))  # type: ignore[union-attr]
                with Session(engine) as s:
                    page = queue.checklist(s, _actor(engine, message.chat_id), today, button.data.split(":")[1], 0)
                with language("vi"):
                    header = checklist_view(page, today, heads[message.chat_id]).blocks[0]
                shown = int(re.search(r"(?:chưa xong|quá hạn): (\d+)", header).group(1))  # type: ignore[union-attr]
                assert said == shown == page.total, (instant, heads[message.chat_id], button.text, header)
                checked += 1
    assert checked >= len(heads)  # every unit's card, at least once
    engine.dispose()
