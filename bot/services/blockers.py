"""Blockers answered: leadership and the office give directions (💬 "give direction");
a blocker is listed until resolved.

The list (`bq:`) is the source of truth; notices through the outbox point into it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.audit import audit
from bot.db.models import BlockerReplyRow, BlockerRow, MemberRow, OccurrenceRow
from bot.db.notices import about, queue_notice
from bot.domain.text import nfc
from bot.services.access import Actor, Refused, require_known
from bot.services.queue import Subject, subject_of
from bot.services.tasks import Event, clear_state, set_state


@dataclass(frozen=True)
class Blocker:
    blocker_id: int
    subject: Subject
    text: str
    by: str
    created_at: datetime
    forwarded: bool
    replies: int


@dataclass(frozen=True)
class BlockerList:
    items: tuple[Blocker, ...]
    page: int
    pages: int
    total: int


@dataclass(frozen=True)
class Reply:
    by: str
    at: datetime
    text: str


@dataclass(frozen=True)
class BlockerCard:
    item: Blocker
    replies: tuple[Reply, ...]
    resolved: bool
    can_reply: bool
    can_forward: bool
    can_resolve: bool
    can_withdraw: bool = False  # the reporter, while nobody answered or forwarded it


def _names(session: Session) -> dict[int, str]:
    return {m.id: m.name for m in session.scalars(select(MemberRow))}


def _fact(session: Session, row: BlockerRow, occ: OccurrenceRow, names: dict[int, str]) -> Blocker:
    replies = len(session.scalars(select(BlockerReplyRow.id).where(BlockerReplyRow.blocker_id == row.id)).all())
    return Blocker(row.id, subject_of(session, occ), row.text, names.get(row.member_id, ""), row.created_at,
                   row.forwarded_at is not None, replies)


def _readable(session: Session, actor: Actor, blocker_id: int) -> tuple[BlockerRow, OccurrenceRow]:
    require_known(actor)
    row = session.get(BlockerRow, blocker_id)
    occ = session.get(OccurrenceRow, row.occurrence_id) if row is not None else None
    if row is None or occ is None:
        raise Refused("bad_request")
    if not (actor.can_read_all or occ.unit in actor.units):
        raise Refused("not_your_unit", unit=occ.unit)
    return row, occ


def open_blockers(session: Session, actor: Actor, page: int = 0, size: int = 8) -> BlockerList:
    """`/vuongmac`, `bq:`: unresolved blockers, oldest first (every unit for the office and leadership)."""
    require_known(actor)
    if not (actor.can_read_all or actor.units):
        raise Refused("not_a_head")
    rows = [(b, o) for b, o in session.execute(
        select(BlockerRow, OccurrenceRow).join(OccurrenceRow, OccurrenceRow.id == BlockerRow.occurrence_id)
        .where(BlockerRow.resolved_at.is_(None)).order_by(BlockerRow.created_at, BlockerRow.id))
        if actor.can_read_all or o.unit in actor.units]
    pages = max(1, -(-len(rows) // size))
    page = min(max(page, 0), pages - 1)
    names = _names(session)
    return BlockerList(tuple(_fact(session, b, o, names) for b, o in rows[page * size:(page + 1) * size]),
                       page, pages, len(rows))


def card(session: Session, actor: Actor, blocker_id: int) -> BlockerCard:
    """`bk:`: the blocker, its directions, and what the reader may do."""
    row, occ = _readable(session, actor, blocker_id)
    names = _names(session)
    replies = tuple(Reply(names.get(r.member_id, ""), r.created_at, r.text) for r in session.scalars(
        select(BlockerReplyRow).where(BlockerReplyRow.blocker_id == row.id).order_by(BlockerReplyRow.id)))
    return BlockerCard(_fact(session, row, occ, names), replies, row.resolved_at is not None,
                       actor.can_read_all, actor.is_admin, actor.can_read_all or occ.unit in actor.units,
                       row.member_id in actor.member_ids and not replies and row.forwarded_at is None)


def _open(session: Session, actor: Actor, blocker_id: int) -> tuple[BlockerRow, OccurrenceRow]:
    row, occ = _readable(session, actor, blocker_id)
    if row.resolved_at is not None:
        raise Refused("blocker_resolved")
    return row, occ


def start_reply(session: Session, actor: Actor, blocker_id: int, ev: Event) -> Subject:
    """💬 Give direction: the next text of this chat is the direction (leadership and the office only)."""
    if not actor.can_read_all:
        raise Refused("leaders_only")
    row, occ = _open(session, actor, blocker_id)
    set_state(session, actor.chat_id, "blocker_reply", row.id, ev.now)
    return subject_of(session, occ)


def reply(session: Session, actor: Actor, blocker_id: int, text: str, ev: Event) -> Subject:
    """Store the direction; the unit's heads and the office (or leadership, when the office answers) hear it."""
    if not actor.can_read_all:
        raise Refused("leaders_only")
    row, occ = _open(session, actor, blocker_id)
    text = nfc(text).strip()[:3000]
    if not text:
        raise Refused("empty_text")
    answer = BlockerReplyRow(blocker_id=row.id, member_id=actor.member_id, text=text, created_at=ev.now)
    session.add(answer)
    session.flush()
    clear_state(session, actor.chat_id)
    audit(session, ev.now, f"member:{actor.member_id}", "blocker_answered", occ.key,
          {"blocker_id": row.id, "reply_id": answer.id}, ev.update_id)
    subject = subject_of(session, occ)
    others = "office" if "leader" in actor.roles else ("leadership" if row.forwarded_at else "")
    target = ",".join(x for x in (occ.unit, others) if x)
    queue_notice(session, ev.now, f"blocker-reply:{answer.id}", target,
                 facts={"notice": "blocker_reply", **about(session, occ), "blocker": row.id, "name": actor.name,
                        "by": "leader" if "leader" in actor.roles else "office", "text": row.text[:500],
                        "reply": text})
    return subject


def resolve(session: Session, actor: Actor, blocker_id: int, ev: Event) -> Subject:
    """`bkd:`: the blocker leaves the list; the unit (and the office, if leadership closed it) hear it."""
    row, occ = _open(session, actor, blocker_id)
    row.resolved_at, row.resolved_by, row.status = ev.now, actor.member_id, "resolved"
    audit(session, ev.now, f"member:{actor.member_id}", "blocker_resolved", occ.key, {"blocker_id": row.id},
          ev.update_id)
    subject = subject_of(session, occ)
    target = [occ.unit] if occ.unit not in actor.units else []
    if not actor.is_admin:
        target.append("office")
    if target:
        queue_notice(session, ev.now, f"blocker-resolved:{row.id}", ",".join(target),
                     facts={"notice": "blocker_resolved", **about(session, occ), "name": actor.name,
                            "text": row.text[:500]})
    return subject


def withdraw(session: Session, actor: Actor, blocker_id: int, ev: Event) -> Subject:
    """`bkw:`: the head who reported a difficulty takes it back while nobody has answered or forwarded it.

    It leaves the list as withdrawn (not resolved); the office, which was told of it, hears it was withdrawn.
    """
    row, occ = _open(session, actor, blocker_id)
    if row.member_id not in actor.member_ids:
        raise Refused("blocker_not_yours")
    answered = session.scalar(select(BlockerReplyRow.id).where(BlockerReplyRow.blocker_id == row.id).limit(1))
    if answered is not None or row.forwarded_at is not None:
        raise Refused("blocker_answered")
    row.resolved_at, row.resolved_by, row.status = ev.now, actor.member_id, "withdrawn"
    audit(session, ev.now, f"member:{actor.member_id}", "blocker_withdrawn", occ.key, {"blocker_id": row.id},
          ev.update_id)
    queue_notice(session, ev.now, f"blocker-withdrawn:{row.id}", "office",
                 facts={"notice": "blocker_withdrawn", **about(session, occ), "name": actor.name,
                        "text": row.text[:500]})
    return subject_of(session, occ)
