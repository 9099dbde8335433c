"""What a card needs beyond the claimed deliveries: the reader's language and the previous card.

"Since the last card" is derived from delivery history, not stored twice: the previous card of a deadline
for a chat is the latest sent (or possibly sent) delivery of a reminder of an occurrence under the same
deadline label and due date; the occurrences delivered at that instant are what that card listed as open.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.db.models import DeliveryRow, MemberRow, OccurrenceRow, ReminderRow
from bot.i18n import current_lang

GroupKey = tuple[str, date]  # (deadline label, due date)
SAME_CARD = timedelta(minutes=10)  # deliveries of one card are settled together; a split claim within minutes
REMINDER_KINDS = ("before", "due", "overdue")


@dataclass(frozen=True)
class Previous:
    """The last card of one deadline: when, and the occurrences it listed."""

    at: datetime
    occurrences: frozenset[int]


@dataclass
class CardHistory:
    lang: str = "vi"
    previous: dict[GroupKey, Previous] = field(default_factory=dict)
    status: dict[int, str] = field(default_factory=dict)  # current status of previous and current occurrences


def reader_lang(session: Session, chat_id: int) -> str:
    if not chat_id:
        return "vi"
    lang = session.scalar(select(MemberRow.lang).where(MemberRow.chat_id == chat_id, MemberRow.active)
                          .order_by(MemberRow.id).limit(1))
    return lang or "vi"


def card_history(engine: Engine | None, chat_id: int, address: str, groups: set[GroupKey],
                 current: set[int], before: datetime) -> CardHistory:
    """The reader's language, the previous card of each group and the status of the tasks involved."""
    found = CardHistory(lang=current_lang())  # no database (rendering tests): the current language
    if engine is None:
        return found
    with Session(engine) as session:
        found.lang = reader_lang(session, chat_id)
        if not groups:
            return found
        rows = session.execute(
            select(DeliveryRow.sent_at, OccurrenceRow.id, OccurrenceRow.label, OccurrenceRow.due)
            .join(ReminderRow, ReminderRow.id == DeliveryRow.reminder_id)
            .join(OccurrenceRow, OccurrenceRow.id == ReminderRow.occurrence_id)
            .where(DeliveryRow.chat_id == chat_id, DeliveryRow.address == address,
                   DeliveryRow.state.in_(("sent", "uncertain")), DeliveryRow.sent_at.is_not(None),
                   DeliveryRow.sent_at < before, ReminderRow.kind.in_(REMINDER_KINDS),
                   OccurrenceRow.due.in_({due for _label, due in groups}))).all()
        sent = [(at, oid, (label, due)) for at, oid, label, due in rows if at is not None]
        latest: dict[GroupKey, datetime] = {}
        for at, _oid, key in sent:
            if key in groups and (key not in latest or at > latest[key]):
                latest[key] = at
        listed: dict[GroupKey, set[int]] = {}
        for at, oid, key in sent:
            if key in latest and at >= latest[key] - SAME_CARD:
                listed.setdefault(key, set()).add(oid)
        found.previous = {k: Previous(latest[k], frozenset(v)) for k, v in listed.items()}
        wanted = set(current).union(*(p.occurrences for p in found.previous.values()))
        if wanted:
            found.status = dict(session.execute(select(OccurrenceRow.id, OccurrenceRow.status)
                                                .where(OccurrenceRow.id.in_(wanted))).all())  # type: ignore[arg-type]
    return found
