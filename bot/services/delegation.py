"""Handing work on: a staff member of the unit for one item, an acting head for a date range, more time.

A head invites a specialist or deputy of the unit (role `staff`, invited like a head) and assigns items
to them: the assignee gets that item's reminders and may send its documents and report it done. An acting
head stands in from one date to another: reminders and rights follow them for those days. A head asks for
more time with a reason; the office grants it (the deadline and its reminders move) or
refuses it. Every step is in the audit log; granted extensions are counted apart (`extension_counts`).
"""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.audit import audit
from bot.db.models import ActingHeadRow, ExtensionRow, InviteRow, MemberRow, OccurrenceRow
from bot.db.notices import notice_text, queue_notice
from bot.domain.text import nfc
from bot.domain.workdays import WorkCalendar
from bot.services.access import Actor, Refused, own_occurrence, require_admin, require_known
from bot.services.assumptions import move_deadline
from bot.services.invites import INVITE_TTL
from bot.services.tasks import OPEN, Event

STAFF = "staff"
MAX_REASON = 500


def _who(actor: Actor) -> str:
    return f"member:{actor.member_id}"


def _require_head_of(actor: Actor, unit: str) -> None:
    require_known(actor)
    if unit not in actor.units and not actor.is_admin:
        raise Refused("not_your_unit", unit=unit)


def create_staff_invite(session: Session, actor: Actor, unit: str, ev: Event) -> InviteRow:
    """A head (or the office) invites a specialist or deputy of the unit, like a head's invite."""
    _require_head_of(actor, unit)
    invite = InviteRow(code=secrets.token_urlsafe(18), role=STAFF, unit=unit, created_by=actor.member_id,
                       created_at=ev.now, expires_at=ev.now + INVITE_TTL)
    session.add(invite)
    session.flush()
    audit(session, ev.now, _who(actor), "invite_created", unit, {"invite_id": invite.id, "role": STAFF},
          ev.update_id)
    return invite


def _unit_member(session: Session, unit: str, member_id: int) -> MemberRow:
    member = session.get(MemberRow, member_id)
    if member is None or not member.active or member.unit != unit or member.role not in (STAFF, "head"):
        raise Refused("not_a_unit_member", unit=unit)
    return member


def assign(session: Session, actor: Actor, occurrence_id: int, member_id: int | None, ev: Event) -> OccurrenceRow:
    """The head hands an item to a staff member of the unit (None: takes it back)."""
    occ = own_occurrence(session, actor, occurrence_id)
    _require_head_of(actor, occ.unit)
    if member_id is not None:
        member = _unit_member(session, occ.unit, member_id)
        facts = {"notice": "assigned", "occurrence": occ.id, "task": occ.task_id, "label": occ.label,
                 "due": occ.due.isoformat(), "by": actor.name}
        queue_notice(session, ev.now, f"assigned:{occ.id}:{member.id}", f"chat:{member.chat_id}",
                     notice_text(facts), facts=facts)
    previous, occ.assignee_id = occ.assignee_id, member_id
    audit(session, ev.now, _who(actor), "occurrence_assigned", occ.key,
          {"to": member_id, "previous": previous}, ev.update_id)
    return occ


def set_acting_head(session: Session, actor: Actor, unit: str, member_id: int, starts: date, ends: date,
                    ev: Event) -> ActingHeadRow:
    """Someone of the unit stands in for its head from `starts` to `ends` (inclusive)."""
    _require_head_of(actor, unit)
    if ends < starts:
        raise Refused("bad_range")
    _unit_member(session, unit, member_id)
    row = ActingHeadRow(unit=unit, member_id=member_id, starts=starts, ends=ends, created_by=actor.member_id,
                        created_at=ev.now)
    session.add(row)
    session.flush()
    audit(session, ev.now, _who(actor), "acting_head_set", unit,
          {"member_id": member_id, "starts": starts.isoformat(), "ends": ends.isoformat(), "id": row.id},
          ev.update_id)
    return row


def cancel_acting_head(session: Session, actor: Actor, acting_id: int, ev: Event) -> ActingHeadRow:
    """The office (or the unit's head) ends a stand-in before its time: reminders and rights go back at once."""
    row = session.get(ActingHeadRow, acting_id)
    if row is None or row.cancelled_at is not None:
        raise Refused("no_such_acting_head")
    _require_head_of(actor, row.unit)
    row.cancelled_at = ev.now
    audit(session, ev.now, _who(actor), "acting_head_cancelled", row.unit,
          {"member_id": row.member_id, "starts": row.starts.isoformat(), "ends": row.ends.isoformat(), "id": row.id},
          ev.update_id)
    return row


def acting_heads(session: Session, unit: str, today: date) -> list[ActingHeadRow]:
    """The unit's stand-ins not cancelled and not yet over (for `/quyen` without arguments)."""
    return list(session.scalars(select(ActingHeadRow).where(
        ActingHeadRow.unit == unit, ActingHeadRow.cancelled_at.is_(None), ActingHeadRow.ends >= today)
        .order_by(ActingHeadRow.starts, ActingHeadRow.id)))


def acting_units(session: Session, member_ids: tuple[int, ...], today: date) -> frozenset[str]:
    """The units these members stand in for today."""
    if not member_ids:
        return frozenset()
    return frozenset(session.scalars(select(ActingHeadRow.unit).where(
        ActingHeadRow.member_id.in_(member_ids), ActingHeadRow.cancelled_at.is_(None),
        ActingHeadRow.starts <= today, ActingHeadRow.ends >= today)))


def acting_members(session: Session, units: set[str], today: date) -> dict[str, list[int]]:
    """Unit → members standing in for its head today (the outbox adds them to the unit's recipients)."""
    out: dict[str, list[int]] = {}
    if not units:
        return out
    for unit, member in session.execute(select(ActingHeadRow.unit, ActingHeadRow.member_id).where(
            ActingHeadRow.unit.in_(units), ActingHeadRow.cancelled_at.is_(None),
            ActingHeadRow.starts <= today, ActingHeadRow.ends >= today)):
        out.setdefault(unit, []).append(member)
    return out


def request_extension(session: Session, actor: Actor, occurrence_id: int, wanted: date, reason: str,
                      ev: Event) -> ExtensionRow:
    """An extension request: the unit asks the office for a later date, with a reason."""
    occ = own_occurrence(session, actor, occurrence_id)
    if occ.status not in OPEN:
        raise Refused("already_submitted")
    reason = " ".join(nfc(reason).split())[:MAX_REASON]
    if not reason:
        raise Refused("empty_text")
    if wanted <= occ.due:
        raise Refused("extension_not_later", due=occ.due.strftime("%d/%m/%Y"))
    pending = session.scalar(select(ExtensionRow.id).where(ExtensionRow.occurrence_id == occ.id,
                                                           ExtensionRow.decision.is_(None)))
    if pending is not None:
        raise Refused("extension_pending")
    row = ExtensionRow(occurrence_id=occ.id, member_id=actor.member_id, reason=reason, old_due=occ.due,
                       wanted_due=wanted, created_at=ev.now)
    session.add(row)
    session.flush()
    audit(session, ev.now, _who(actor), "extension_requested", occ.key,
          {"extension_id": row.id, "wanted": wanted.isoformat(), "reason": reason}, ev.update_id)
    facts = {"notice": "extension_requested", "extension": row.id, "task": occ.task_id, "unit": occ.unit,
             "label": occ.label, "due": occ.due.isoformat(), "wanted": wanted.isoformat(), "reason": reason,
             "by": actor.name}
    queue_notice(session, ev.now, f"extension:{row.id}", "office", notice_text(facts),
                 [[("✔️", f"gh:ok:{row.id}"), ("✖️", f"gh:no:{row.id}")]], facts=facts)
    return row


@dataclass(frozen=True)
class Decision:
    extension: ExtensionRow
    occurrence: OccurrenceRow
    reminders_moved: int


def decide_extension(session: Session, actor: Actor, extension_id: int, grant: bool, ev: Event,
                     calendar: WorkCalendar, answer: str = "") -> Decision:
    """The office grants (the deadline and its reminders move) or refuses a request for more time."""
    require_admin(actor)
    row = session.get(ExtensionRow, extension_id)
    if row is None:
        raise Refused("no_such_task")
    if row.decision is not None:
        raise Refused("extension_decided")
    occ = session.get(OccurrenceRow, row.occurrence_id)
    if occ is None or occ.retired_at is not None:
        raise Refused("no_such_task")
    row.decision, row.decided_by, row.decided_at = ("granted" if grant else "refused"), actor.member_id, ev.now
    row.answer = " ".join(nfc(answer).split())[:MAX_REASON] or None
    moved = move_deadline(session, occ, row.wanted_due, calendar, ev.now) if grant else 0
    audit(session, ev.now, _who(actor), f"extension_{row.decision}", occ.key,
          {"extension_id": row.id, "old_due": row.old_due.isoformat(), "due": occ.due.isoformat(),
           "reminders_moved": moved}, ev.update_id)
    facts = {"notice": "extension_decided", "granted": grant, "task": occ.task_id, "label": occ.label,
             "old_due": row.old_due.isoformat(), "due": occ.due.isoformat(), "answer": row.answer or ""}
    queue_notice(session, ev.now, f"extension-decided:{row.id}", occ.unit, notice_text(facts), facts=facts)
    return Decision(row, occ, moved)


def extension_counts(session: Session) -> Counter[tuple[str, str]]:
    """(unit, decision) → requests; reports show granted extensions apart from work done on time."""
    rows = session.execute(select(OccurrenceRow.unit, ExtensionRow.decision)
                           .join(OccurrenceRow, OccurrenceRow.id == ExtensionRow.occurrence_id))
    return Counter((unit, decision or "pending") for unit, decision in rows)


def find_own(session: Session, actor: Actor, task: str, deadline: str | None = None) -> OccurrenceRow:
    """The reader's nearest open occurrence of a task (of their units, or handed to them)."""
    require_known(actor)
    query = (select(OccurrenceRow).where(OccurrenceRow.task_id == task, OccurrenceRow.retired_at.is_(None),
                                         OccurrenceRow.status.in_(OPEN),
                                         OccurrenceRow.unit.in_(actor.units)
                                         | OccurrenceRow.assignee_id.in_(actor.member_ids))
             .order_by(OccurrenceRow.due, OccurrenceRow.id))
    if deadline:
        query = query.where(OccurrenceRow.deadline_id == deadline)
    occ = session.scalars(query).first()
    if occ is None:
        raise Refused("no_such_task_id", task=task[:24])
    return occ


def unit_staff(session: Session, actor: Actor, unit: str) -> list[MemberRow]:
    """The active staff members of a unit (for the head choosing whom to hand an item to)."""
    _require_head_of(actor, unit)
    return list(session.scalars(select(MemberRow).where(MemberRow.unit == unit, MemberRow.role == STAFF,
                                                        MemberRow.active).order_by(MemberRow.id)))
