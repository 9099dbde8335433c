"""What the dispatcher sends: one card per person per instant, watch summaries, catch-ups and notices.

Claimed deliveries become facts (`bot/views/cards.py`, `bot/views/summaries.py`), the facts a View in the
reader's language, and the View the channel's parts (Telegram: ≤ 4,096 characters, ≤ 12 buttons).
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.db.notices import notice_buttons, notice_text
from bot.domain.workdays import WorkCalendar
from bot.engine.channel import Button, OutMessage
from bot.engine.history import CardHistory, card_history
from bot.engine.outbox import Claimed
from bot.i18n import _, language
from bot.services import queue
from bot.services.access import load_actor
from bot.views.cards import (
    DeadlineGroup,
    DueTask,
    ReminderCard,
    Since,
    build_card,
    combine,
    task_actions,
)
from bot.views.model import (
    TELEGRAM_MAX_BUTTONS,
    TELEGRAM_TEXT_LIMIT,
    Action,
    View,
    telegram_parts,
)
from bot.views.summaries import (
    CatchUp,
    CatchUpLine,
    WatchRow,
    WatchSummary,
    build_catch_up,
    build_summary,
)

TELEGRAM_LIMIT = TELEGRAM_TEXT_LIMIT
Rows = tuple[tuple[Button, ...], ...]
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


@lru_cache(maxsize=1)
def _calendar() -> WorkCalendar:
    return WorkCalendar()


def to_buttons(actions: tuple[tuple[Action, ...], ...]) -> Rows:
    return tuple(tuple(Button(a.label, a.data) for a in row) for row in actions)


def draw(view: View) -> tuple[str, Rows]:
    """A View drawn for Telegram: text and keyboard rows."""
    text, actions = telegram_parts(view)
    return text, to_buttons(actions)


def occurrence_buttons(oid: int, prefix: str = "") -> Rows:
    """A task's actions (✅ 📎 ⏰ ⚠️) as two rows; callback data stays under Telegram's 64 bytes."""
    rows = task_actions(DueTask(oid, "", "", ""))
    return tuple(tuple(Button(prefix + a.label, a.data) for a in row) for row in rows)


def _one_per_task(items: list[Claimed]) -> list[Claimed]:
    """Two rungs of one occurrence due together (a snooze landing on a rung, a catch-up after downtime)
    make one line: the latest rung; an escalation stays apart from a plain reminder."""
    latest: dict[tuple[int, bool], Claimed] = {}
    for item in items:
        if item.occurrence_id is not None:
            key = (item.occurrence_id, item.kind == "escalation")
            if key not in latest or item.due_at >= latest[key].due_at:
                latest[key] = item
    return [i for i in items if i.occurrence_id is None
            or latest[(i.occurrence_id, i.kind == "escalation")] is i]


def list_counts(engine: Engine | None, chat_id: int, now: datetime) -> dict[str, int] | None:
    """What the reader's checklist holds now (the card's 📋 button opens it): the one count, as the reader's
    `cl:` would load them (bot.conversation.router: user and chat, acting heads that day). None: no database,
    an e-mail, or a reader without units of their own (the office hearing for a unit without a head)."""
    if engine is None or not chat_id:
        return None
    today = now.astimezone(ZONE).date()
    with Session(engine) as session:
        actor = load_actor(session, chat_id, chat_id, today)
        if not actor.member_ids or not actor.units:
            return None
        return queue.checklist_counts(session, actor, today)


def _card(own: list[Claimed], history: CardHistory, now: datetime,
          counts: dict[str, int] | None = None) -> ReminderCard:
    today = now.astimezone(ZONE).date()
    groups: dict[tuple[str, object], list[Claimed]] = {}
    for item in own:
        groups.setdefault((item.label or "", item.due), []).append(item)
    built = []
    for (label, _due), members in groups.items():
        assert members[0].due is not None
        tasks = tuple(DueTask(i.occurrence_id or 0, i.task_id or "", i.title or "", i.unit or "",
                              history.status.get(i.occurrence_id or 0, "open"), i.metrics, i.evidence_required,
                              i.contribution)
                      for i in members)
        previous = history.previous.get((label, members[0].due))
        since = None
        if previous is not None:
            now_ids = {t.occurrence_id for t in tasks}
            gone = [history.status.get(o, "open") for o in previous.occurrences - now_ids]
            back = [t.status for t in tasks if t.occurrence_id not in previous.occurrences]
            since = Since(previous.at.astimezone(ZONE), done=gone.count("done"),
                          awaiting_review=gone.count("awaiting_review"),
                          new=len(back) - back.count("returned"), returned=back.count("returned"))
        built.append(DeadlineGroup(label, members[0].due, _calendar().working_days_between(today, members[0].due),
                                   tasks, since))
    units = tuple(dict.fromkeys((i.unit or "", i.unit_name or "") for i in own))
    late = [i.due_at for i in own if i.late]
    unstaffed = tuple(dict.fromkeys(i.note.split(":", 1)[1] for i in own
                                    if i.note and i.note.startswith("no_recipient:")))
    return ReminderCard(units, tuple(built), min(late).astimezone(ZONE) if late else None,
                        any(i.uncertain for i in own), unstaffed, counts)


def _summary(watch: list[Claimed], now: datetime) -> WatchSummary:
    today = now.astimezone(ZONE).date()
    counts: dict[tuple[str, str, str, object], set[int]] = {}
    for item in watch:
        key = (item.unit or "", item.unit_name or "", item.label or "", item.due)
        counts.setdefault(key, set()).add(item.occurrence_id or 0)
    rows = tuple(WatchRow(unit, name, label, due, len(ids), _calendar().working_days_between(today, due))  # type: ignore[arg-type]
                 for (unit, name, label, due), ids in counts.items())
    return WatchSummary(rows, any(i.rung.startswith("escalation-leadership") for i in watch))


def reminder_view(items: list[Claimed], now: datetime, engine: Engine | None = None) -> View:
    """Everything due to one chat at one instant as one View: own tasks (card), others' (summary)."""
    items = _one_per_task(items)
    own = [i for i in items if i.kind != "escalation" and i.due is not None]
    watch = [i for i in items if i.kind == "escalation" and i.due is not None]
    first = items[0]
    history = card_history(engine, first.chat_id, first.address, {(i.label or "", i.due) for i in own if i.due},
                           {i.occurrence_id for i in own if i.occurrence_id}, now)
    with language(history.lang):
        views = []
        if own:
            views.append(build_card(_card(own, history, now, list_counts(engine, first.chat_id, now))))
        if watch:
            views.append(build_summary(_summary(watch, now)))
        return combine(*views) if views else View((_("🔔 Reminder"),))


def render_reminders(items: list[Claimed], now: datetime, engine: Engine | None = None) -> list[tuple[str, Rows]]:
    """One bundle → one message (text, keyboard rows)."""
    return [draw(reminder_view(items, now, engine))]


def catch_up_view(items: list[Claimed], now: datetime, engine: Engine | None = None) -> View:
    first = min(i.due_at for i in items)
    seen: dict[int | None, Claimed] = {}
    for item in items:
        seen[item.occurrence_id] = item
    history = card_history(engine, items[0].chat_id, items[0].address, set(), set(), now)
    lines = tuple(CatchUpLine(i.task_id, i.title, i.unit, i.due, i.body, i.unit_name) for i in seen.values())
    own = sum(1 for i in seen.values() if i.kind != "escalation" and i.due is not None)
    counts = list_counts(engine, items[0].chat_id, now) if own else None
    own = own if counts is None else counts["o"]  # the button opens the checklist: its count
    with language(history.lang):
        return build_catch_up(CatchUp(len(items), first.astimezone(ZONE), lines, own),
                              now.astimezone(ZONE).date())


def render_catch_up(items: list[Claimed], now: datetime, engine: Engine | None = None) -> list[tuple[str, Rows]]:
    """Very stale reminders folded into one summary per person."""
    return [draw(catch_up_view(items, now, engine))]


def render_notice(chat_id: int, item: Claimed, engine: Engine | None = None) -> OutMessage:
    """A notice (review request, blocker, unreachable member...) as one message with its own buttons.

    A notice with facts is written now, in the reader's language; one without uses its stored text. A
    review request also opens the review card (`rv:<review>`, the queue is the source of truth).
    """
    with language(card_history(engine, chat_id, item.address, set(), set(), item.due_at).lang):
        stored = [[(str(text), str(data)) for text, data in row] for row in (item.buttons or [])]
        rows = [[Action(text[:64], data) for text, data in row] for row in notice_buttons(item.facts, stored)]
    reviews = [a.data.split(":", 1)[1] for row in rows for a in row if a.data.startswith("rvok:")]
    if reviews and not any(a.data.startswith("rv:") for row in rows for a in row):  # notices stored before 📝
        rows.append([Action(_("🔎 Open the review"), f"rv:{reviews[0]}")])
    kept: list[tuple[Action, ...]] = []
    for row in rows:
        if sum(len(r) for r in kept) + len(row) <= TELEGRAM_MAX_BUTTONS:
            kept.append(tuple(row))
    with language(card_history(engine, chat_id, item.address, set(), set(), item.due_at).lang):
        body = notice_text(item.facts, item.body or "")
        text, actions = draw(View((body[:TELEGRAM_LIMIT],), tuple(kept)))
    return OutMessage(chat_id, text, actions)
