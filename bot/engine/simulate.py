"""`nhacviec simulate`: the real engine over simulated time, in memory, recording instead of sending."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from bot.db.engine import make_engine, migrate
from bot.db.members import ensure_member
from bot.domain.clock import FixedClock
from bot.domain.plan import Plan
from bot.domain.workdays import WorkCalendar
from bot.engine import outbox
from bot.engine.channel import RecordingChannel
from bot.engine.dispatcher import Dispatcher, DispatchSettings
from bot.engine.ratelimit import NoLimit
from bot.engine.sync import sync_plan
from bot.i18n import _, ngettext
from bot.texts import head_title


@dataclass(frozen=True)
class SimulatedMessage:
    at: datetime
    chat_id: int
    to: str
    text: str
    buttons: list[list[str]]


async def simulate(plan: Plan, calendar: WorkCalendar, start: date, end: date,
                   engine: Engine | None = None) -> list[SimulatedMessage]:
    """Every message the bot would send between two dates if nobody ever confirmed anything.

    `engine`: an empty database to run in (kept afterwards, for tests to inspect); default in memory.
    """
    zone = ZoneInfo(plan.plan.timezone)
    begin = datetime.combine(start, time(0, 0), tzinfo=zone)
    finish = datetime.combine(end + timedelta(days=1), time(0, 0), tzinfo=zone)
    own_engine = engine is None
    engine = engine if engine is not None else make_engine("sqlite://")
    migrate(engine)
    clock = FixedClock(begin)
    names: dict[int, str] = {1: _("Department office (admin)"), 2: _("Department leadership")}
    ensure_member(engine, clock.now(), chat_id=1, role="admin", unit=plan.plan.office, name=names[1])
    ensure_member(engine, clock.now(), chat_id=2, role="leader", name=names[2])
    for index, unit in enumerate(plan.units, start=100):
        names[index] = head_title(unit.name)
        ensure_member(engine, clock.now(), chat_id=index, role="head", unit=unit.id, name=names[index])
    sync_plan(engine, plan, calendar, clock.now())
    channel = RecordingChannel()
    dispatcher = Dispatcher(engine, channel, clock, NoLimit(), DispatchSettings(concurrency=1), worker="simulate")
    while True:
        due = outbox.next_due(engine)
        if due is None or due >= finish:
            break
        clock.set(max(due, clock.now()))
        channel.stamp = clock.now()
        await dispatcher.sweep()
    if own_engine:
        engine.dispose()
    return [SimulatedMessage(stamp.astimezone(zone) if isinstance(stamp, datetime) else begin, m.chat_id,
                             names.get(m.chat_id, str(m.chat_id)), m.text,
                             [[b.text for b in row] for row in m.buttons])
            for m, stamp in channel.sent]


def as_json(messages: list[SimulatedMessage]) -> list[dict[str, Any]]:
    """The JSON form printed by `simulate --format json`."""
    return [{"at": m.at.isoformat(), "chat_id": m.chat_id, "to": m.to, "text": m.text, "buttons": m.buttons}
            for m in messages]


def as_text(messages: list[SimulatedMessage]) -> str:
    """The human form: time, recipient, message."""
    if not messages:
        return _("No message in this period.")
    blocks = []
    for m in messages:
        body = "\n".join("    " + line for line in m.text.splitlines())
        blocks.append(f"{m.at:%H:%M %d/%m/%Y} → {m.to}\n{body}")
    return "\n\n".join(blocks) + "\n\n" + ngettext("{count} message in all.", "{count} messages in all.",
                                                    len(messages)).format(count=len(messages))
