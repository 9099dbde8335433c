"""Weekly digests through the durable outbox: one row per audience and week, rendered when sent.

Rendering at send time keeps every figure equal to /tiendo at that instant; the
unique key `digest:<date>:<audience>` means a restart never sends one twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.db.models import AuditRow, MemberRow, ReminderRow, UnitRow
from bot.engine.channel import OutMessage
from bot.engine.history import reader_lang
from bot.engine.outbox import Claimed
from bot.i18n import _, language

Renderer = Callable[[int, Claimed, datetime], list[OutMessage]]


@dataclass(frozen=True)
class DigestSchedule:
    """Default: Friday 16:00 local; `chats` are extra group chats that get the overview."""

    weekday: int = 4
    at: time = time(16, 0)
    zone: ZoneInfo = ZoneInfo("Asia/Ho_Chi_Minh")
    chats: tuple[int, ...] = ()
    catch_up: timedelta = timedelta(days=7)

    def latest(self, now: datetime) -> datetime:
        """The most recent scheduled instant at or before `now`."""
        local = now.astimezone(self.zone)
        day = local.date() - timedelta(days=(local.weekday() - self.weekday) % 7)
        instant = datetime.combine(day, self.at, tzinfo=self.zone)
        if instant > local:
            instant -= timedelta(days=7)
        return instant


def schedule_digests(engine: Engine, now: datetime, schedule: DigestSchedule) -> int:
    """Queue this week's digests once; a missed one (bot down) still goes out, late, within a week."""
    instant = schedule.latest(now)
    if now - instant > schedule.catch_up:
        return 0
    prefix = f"digest:{instant.date().isoformat()}"
    with Session(engine) as session, session.begin():
        if session.scalar(select(ReminderRow.id).where(ReminderRow.key == f"{prefix}:overview")) is not None:
            return 0
        first_sync = session.scalar(select(func.min(AuditRow.at)).where(AuditRow.action == "plan_sync"))
        if first_sync is None or instant < first_sync:
            return 0  # installed after that Friday: nothing was missed
        heads = set(session.scalars(select(MemberRow.unit).where(MemberRow.role == "head", MemberRow.active,
                                                                 MemberRow.reachable)))
        units = [u for u in session.scalars(select(UnitRow.id).where(UnitRow.retired.is_(False))) if u in heads]
        rows = [ReminderRow(key=f"{prefix}:unit:{u}", occurrence_id=None, kind="digest", rung=f"unit:{u}",
                            target=u, due_at=instant, state="pending") for u in units]
        targets = ",".join(["office", "leadership", *(f"chat:{c}" for c in schedule.chats)])
        rows.append(ReminderRow(key=f"{prefix}:overview", occurrence_id=None, kind="digest", rung="overview",
                                target=targets, due_at=instant, state="pending"))
        session.add_all(rows)
        return len(rows)


def digest_renderer(engine: Engine, zone: ZoneInfo) -> Renderer:
    """Builds the digest messages for one claimed digest delivery (text chunks, then the chart)."""

    def render(chat_id: int, item: Claimed, now: datetime) -> list[OutMessage]:
        with Session(engine) as session:
            lang = reader_lang(session, chat_id)
        with language(lang):  # the reader's language, as far as the digest's words are in the catalogs
            return [OutMessage(chat_id, text, photo=photo)
                    for text, photo in build_digest(engine, item.rung, now, zone)]

    return render


def build_digest(engine: Engine, audience: str, now: datetime, zone: ZoneInfo) -> list[tuple[str, bytes | None]]:
    """`unit:<U>` → that unit's digest; `overview` → the office/leadership digest and its chart."""
    from bot.digest.chart import overview_chart
    from bot.digest.content import overview_digest, unit_digest

    with Session(engine) as session:
        if audience.startswith("unit:"):
            return [(text, None) for text in unit_digest(session, audience[5:], now, zone)]
        texts = overview_digest(session, now, zone)
        chart = overview_chart(session, now, zone)
    return [(text, None) for text in texts] + [(_("📊 Progress chart by area and unit"), chart)]
