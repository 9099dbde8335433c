"""Outbox operations: reminders become per-chat deliveries; deliveries are claimed, sent, settled.

Claims are safe with several dispatchers: SQLite serialises writers with BEGIN
IMMEDIATE; PostgreSQL uses SELECT ... FOR UPDATE SKIP LOCKED. Every claim is a
conditional UPDATE whose row count is checked.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import CursorResult, Engine, Result
from sqlalchemy.orm import Session

from bot.db.addresses import fallback_address
from bot.db.audit import audit
from bot.db.models import (
    ActingHeadRow,
    DeliveryRow,
    MemberRow,
    MetricRow,
    OccurrenceRow,
    ReminderRow,
    TaskRow,
    UnitRow,
)
from bot.db.notices import queue_notice as queue_notice  # its home; re-exported for older callers
from bot.services.occurrences import is_contribution

CLOSED_STATUSES = ("done", "awaiting_review", "closed")
_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")  # closed: by the office, bot.services.closing


@dataclass(frozen=True)
class Recipient:
    chat_id: int
    member_id: int | None
    note: str | None = None
    address: str = ""  # an e-mail address (then chat_id is 0)


@dataclass(frozen=True)
class EmailRouting:
    """Who gets e-mail: units' addresses from the plan, the office's and leadership's from the config.

    Digests always go by e-mail too; reminders only when `reminders` is set.
    """

    office: tuple[str, ...] = ()
    leadership: tuple[str, ...] = ()
    reminders: bool = False

    def wants(self, kind: str) -> bool:
        return kind == "digest" or (self.reminders and kind in ("before", "due", "overdue", "escalation"))


def email_recipients(session: Session, target: str, routing: EmailRouting) -> list[Recipient]:
    """E-mail addresses for a target (units with an address, "office", "leadership")."""
    tokens = [t for t in target.split(",") if t]
    units = [t for t in tokens if t not in ("office", "leadership") and not t.startswith("chat:")]
    found: list[str] = []
    if units:
        found += [e for e in session.scalars(select(UnitRow.email).where(UnitRow.id.in_(units))) if e]
    if "office" in tokens:
        found += routing.office
    if "leadership" in tokens:
        found += routing.leadership
    return [Recipient(0, None, None, address) for address in dict.fromkeys(a.strip().lower() for a in found)]


@dataclass(frozen=True)
class Claimed:
    """A claimed delivery with what the message needs to say."""

    delivery_id: int
    chat_id: int
    kind: str
    rung: str
    due_at: datetime
    late: bool
    uncertain: bool
    attempts: int
    note: str | None
    body: str | None
    buttons: list[list[list[str]]] | None
    occurrence_id: int | None
    task_id: str | None
    title: str | None
    area: str | None
    area_name: str | None
    unit: str | None
    unit_name: str | None
    label: str | None
    due: date | None
    metrics: tuple[tuple[int, str], ...] = ()  # (metric row id, name) of the task: a 📈 button each
    address: str = ""  # e-mail deliveries
    facts: dict[str, Any] | None = None  # a notice's kind and parameters, rendered when sent
    evidence_required: bool = False  # the task's ✅ needs a document first (the card offers 📎 first)
    contribution: bool = False  # phối hợp: another unit leads, this one helps (the card lists it after own work)


def _locking(session: Session, stmt: Select) -> Select:  # type: ignore[type-arg]
    if session.get_bind().dialect.name == "postgresql":
        return stmt.with_for_update(skip_locked=True)
    return stmt


def _insert(session: Session):  # type: ignore[no-untyped-def]
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


class Directory:
    """Active admins, leaders and the heads of `units` as recipients, read in one query (plain rows, not ORM
    objects): a sweep resolves anything from a handful to a thousand targets.

    With e-mail on (`email`), a member the office set to e-mail (`receive_by`), or one whose chat is
    unreachable, is a recipient at their address (their own, else their unit's); without one, an unreachable
    member is left out as before.
    """

    def __init__(self, session: Session, units: set[str], email: bool = False, today: date | None = None) -> None:
        wanted: ColumnElement[bool] = MemberRow.role.in_(("admin", "leader"))
        if units:
            wanted = or_(wanted, and_(MemberRow.role == "head", MemberRow.unit.in_(units)))
        reach = [] if email else [MemberRow.reachable]
        rows = session.execute(select(MemberRow.id, MemberRow.chat_id, MemberRow.role, MemberRow.unit,
                                      MemberRow.reachable, MemberRow.email, MemberRow.receive_by,
                                      UnitRow.email.label("unit_email"))
                               .outerjoin(UnitRow, UnitRow.id == MemberRow.unit)
                               .where(MemberRow.active, *reach, wanted).order_by(MemberRow.id)).all()
        self.admins: list[Recipient] = []
        self.leaders: list[Recipient] = []
        self.leaders_by_role: dict[str, list[Recipient]] = {}  # a leader invited for a role (a PGĐ in charge)
        self.heads: dict[str | None, list[Recipient]] = {}
        for m in rows:
            rec = _member_recipient(m, email)
            if rec is None:
                continue
            if m.role == "admin":
                self.admins.append(rec)
            elif m.role == "leader":
                self.leaders.append(rec)
                if m.unit:
                    self.leaders_by_role.setdefault(m.unit, []).append(rec)
            else:
                self.heads.setdefault(m.unit, []).append(rec)
        if today is not None and units:  # whoever stands in for a unit's head today gets its messages too
            self._add_acting(session, units, email, today)

    def _add_acting(self, session: Session, units: set[str], email: bool, today: date) -> None:
        rows = session.execute(select(ActingHeadRow.unit, MemberRow.id, MemberRow.chat_id, MemberRow.role,
                                      MemberRow.unit.label("member_unit"), MemberRow.reachable, MemberRow.email,
                                      MemberRow.receive_by, UnitRow.email.label("unit_email"))
                               .join(MemberRow, MemberRow.id == ActingHeadRow.member_id)
                               .outerjoin(UnitRow, UnitRow.id == ActingHeadRow.unit)
                               .where(ActingHeadRow.unit.in_(units), ActingHeadRow.cancelled_at.is_(None),
                                      ActingHeadRow.starts <= today, ActingHeadRow.ends >= today,
                                      MemberRow.active)).all()
        for m in rows:
            rec = _member_recipient(m, email)
            if rec is not None and rec not in self.heads.get(m.unit, []):
                self.heads.setdefault(m.unit, []).append(rec)


def _member_recipient(m: Any, email: bool) -> Recipient | None:
    if email and (m.receive_by == "email" or not m.reachable):
        address = fallback_address(m.email, m.unit_email)
        if address:
            return Recipient(0, m.id, None, address)
    return Recipient(m.chat_id, m.id) if m.reachable else None


def _units(target: str) -> set[str]:
    return {t for t in target.split(",") if t and t not in ("leadership", "office") and not t.startswith("chat:")}


def resolve(session: Session, target: str, leadership_chats: tuple[int, ...],
            directory: Directory | None = None) -> list[Recipient]:
    """Chats (or members' e-mail addresses) for a comma-separated target of unit ids, role ids
    ("leadership") and "office" (admins)."""
    members = directory or Directory(session, _units(target))
    out: dict[tuple[int, str], Recipient] = {}
    for token in filter(None, target.split(",")):
        if token.startswith("chat:"):
            found = [Recipient(int(token[5:]), None)]
        elif token == "leadership":
            found = members.leaders + [Recipient(c, None) for c in leadership_chats]
        elif token == "office":
            found = list(members.admins)
        elif token in members.leaders_by_role:
            found = list(members.leaders_by_role[token])
        else:
            found = list(members.heads.get(token, []))
            if not found:  # nobody to tell at the unit: the office hears instead, never silence
                found = [replace(m, note=f"no_recipient:{token}") for m in members.admins]
        for rec in found:
            out.setdefault((rec.chat_id, rec.address), rec)
    return list(out.values())


def _assignees(session: Session, ids: set[int | None], email: bool) -> dict[int, Recipient]:
    """Staff members items were handed to, as recipients (inactive or unreachable ones left out)."""
    if not ids:
        return {}
    out = {}
    for m in session.execute(select(MemberRow.id, MemberRow.chat_id, MemberRow.role, MemberRow.unit,
                                    MemberRow.reachable, MemberRow.email, MemberRow.receive_by,
                                    UnitRow.email.label("unit_email"))
                             .outerjoin(UnitRow, UnitRow.id == MemberRow.unit)
                             .where(MemberRow.id.in_([i for i in ids if i]), MemberRow.active)).all():
        rec = _member_recipient(m, email)
        if rec is not None:
            out[m.id] = rec
    return out


def materialize(engine: Engine, now: datetime, late_after: timedelta, leadership_chats: tuple[int, ...],
                limit: int = 1000, email: EmailRouting | None = None) -> int:
    """Turn due reminders into pending deliveries (one per recipient chat); returns how many."""
    with Session(engine) as session, session.begin():
        stmt = (select(ReminderRow).where(ReminderRow.state == "pending", ReminderRow.due_at <= now)
                .order_by(ReminderRow.due_at).limit(limit))
        reminders = session.scalars(_locking(session, stmt)).all()
        if not reminders:
            return 0
        # Few round trips however many are due: occurrences and members are read once, deliveries
        # inserted in one statement (1,000 due reminders took ~3,000 queries and 2-4 s before).
        occurrence_ids = {r.occurrence_id for r in reminders if r.occurrence_id is not None}
        occurrences = {o.id: o for o in session.scalars(select(OccurrenceRow)
                                                        .where(OccurrenceRow.id.in_(occurrence_ids)))} \
            if occurrence_ids else {}
        directory = Directory(session, set().union(*(_units(r.target) for r in reminders)), email is not None,
                              now.astimezone(_ZONE).date())  # acting heads by the plan's calendar day
        assignees = _assignees(session, {o.assignee_id for o in occurrences.values() if o.assignee_id},
                               email is not None)
        resolved: dict[str, list[Recipient]] = {}
        rows: list[dict[str, object]] = []
        created = 0
        for rem in reminders:
            if rem.occurrence_id is not None:
                occ = occurrences.get(rem.occurrence_id)
                if occ is None or occ.retired_at is not None or occ.status in CLOSED_STATUSES:
                    rem.state, rem.note = "skipped", f"status:{occ.status if occ else 'missing'}"
                    continue
                if not occ.confirmed:  # an assumption the office has not confirmed: no reminder, no escalation
                    rem.state, rem.note = "skipped", "unconfirmed"
                    continue
                if (occ.snoozed_until is not None and rem.due_at < occ.snoozed_until
                        and rem.kind in ("before", "due", "overdue")):
                    rem.state, rem.note = "skipped", "snoozed"  # escalations are never snoozed
                    continue
            if rem.target not in resolved:
                resolved[rem.target] = resolve(session, rem.target, leadership_chats, directory)
            recipients = resolved[rem.target]
            occ = occurrences.get(rem.occurrence_id) if rem.occurrence_id is not None else None
            if occ is not None and occ.assignee_id in assignees and rem.kind != "escalation":
                recipients = recipients + [assignees[occ.assignee_id]]  # the staff member the head handed it to
            if email is not None and email.wants(rem.kind):
                mailed = {r.address for r in recipients if r.address}  # a member's fallback may be the unit's
                recipients = recipients + [r for r in email_recipients(session, rem.target, email)
                                           if r.address not in mailed]
            if not recipients:
                rem.state, rem.note = "no_recipient", "no admin registered"
                audit(session, now, "system", "reminder_no_recipient", rem.key)
                continue
            rows += [dict(reminder_id=rem.id, chat_id=r.chat_id, address=r.address, member_id=r.member_id,
                          state="pending",
                          next_at=now, attempts=0, uncertain=False, late=(now - rem.due_at) > late_after,
                          error=r.note) for r in recipients]
            rem.state = "queued"
            created += len(recipients)
        if rows:
            session.execute(_insert(session)(DeliveryRow)
                            .on_conflict_do_nothing(index_elements=["reminder_id", "chat_id", "address"]), rows)
        return created


def recover(engine: Engine, now: datetime, real_now: datetime | None = None) -> int:
    """Return abandoned claims to the queue; a send that was in flight is flagged uncertain.

    `real_now` (wall-clock time, never the rehearsal clock): only claims whose lease (`hold_until`) ran out
    before it; None: every claim (the only polling instance is starting).
    """
    with Session(engine) as session, session.begin():
        stale = [or_(DeliveryRow.hold_until.is_(None), DeliveryRow.hold_until < real_now)] \
            if real_now is not None else []
        a = _count(session.execute(update(DeliveryRow).where(DeliveryRow.state == "claimed", *stale)
                                   .values(state="pending", claimed_by=None, hold_until=None)))
        b = _count(session.execute(update(DeliveryRow).where(DeliveryRow.state == "sending", *stale)
                                   .values(state="pending", claimed_by=None, uncertain=True, hold_until=None,
                                           error="crash_during_send")))
        if a or b:
            audit(session, now, "system", "outbox_recovered", "", {"claimed": a, "in_flight": b})
        return (a or 0) + (b or 0)


def release(engine: Engine, worker: str, ids: list[int] | None = None) -> int:
    """Shutdown: hand this worker's unsent claims back to the queue at once (`ids`, or all of them).

    A claim never sent goes back unflagged; one in `sending` (its request cut off, or part of its bundle
    already out) may have been delivered: flagged uncertain, so that its resend says so.
    """
    with Session(engine) as session, session.begin():
        mine = [DeliveryRow.claimed_by == worker] + ([DeliveryRow.id.in_(ids)] if ids is not None else [])
        flagged = _count(session.execute(update(DeliveryRow).where(*mine, DeliveryRow.state == "sending")
                                         .values(state="pending", claimed_by=None, hold_until=None, uncertain=True,
                                                 error="stopped_during_send")))
        released = _count(session.execute(update(DeliveryRow).where(*mine, DeliveryRow.state == "claimed")
                                          .values(state="pending", claimed_by=None, hold_until=None)))
        return flagged + released


def _count(result: Result[Any]) -> int:
    """Rows an UPDATE touched (typed: `Session.execute` returns a CursorResult for DML)."""
    return cast("CursorResult[Any]", result).rowcount or 0


def claim(engine: Engine, now: datetime, worker: str, limit: int, real_now: datetime | None = None,
          lease: timedelta = timedelta(minutes=2)) -> list[Claimed]:
    """Claim due deliveries for this worker (conditional UPDATE, row count checked).

    Due on the plan clock (`now`: `next_at`), out of back-off on the real clock (`real_now`: `hold_until`); the
    lease runs until `real_now + lease` (real time: a rehearsal clock at 60x must not shorten it).
    """
    real_now = real_now or now
    with Session(engine) as session, session.begin():
        stmt = (select(DeliveryRow.id).where(DeliveryRow.state == "pending", DeliveryRow.next_at <= now,
                                             or_(DeliveryRow.hold_until.is_(None), DeliveryRow.hold_until <= real_now))
                .order_by(DeliveryRow.next_at, DeliveryRow.id).limit(limit))
        ids = list(session.scalars(_locking(session, stmt)))
        if not ids:
            return []
        result = session.execute(update(DeliveryRow).where(DeliveryRow.id.in_(ids), DeliveryRow.state == "pending")
                                 .values(state="claimed", claimed_by=worker, claimed_at=now,
                                         hold_until=real_now + lease))
        if _count(result) != len(ids):  # another worker got there first: keep only ours
            ids = list(session.scalars(select(DeliveryRow.id).where(DeliveryRow.id.in_(ids),
                                                                    DeliveryRow.claimed_by == worker,
                                                                    DeliveryRow.state == "claimed")))
        rows = session.execute(
            select(DeliveryRow, ReminderRow, OccurrenceRow, TaskRow, UnitRow)
            .join(ReminderRow, ReminderRow.id == DeliveryRow.reminder_id)
            .outerjoin(OccurrenceRow, OccurrenceRow.id == ReminderRow.occurrence_id)
            .outerjoin(TaskRow, TaskRow.id == OccurrenceRow.task_id)
            .outerjoin(UnitRow, UnitRow.id == OccurrenceRow.unit)
            .where(DeliveryRow.id.in_(ids)).order_by(DeliveryRow.chat_id, ReminderRow.due_at)).all()
        task_ids = {t.id for _, _, _, t, _ in rows if t is not None}
        metrics: dict[str, list[tuple[int, str]]] = {}  # one query: a reminder of a task with targets asks for them
        if task_ids:
            for metric_id, task_id, name in session.execute(
                    select(MetricRow.id, MetricRow.task_id, MetricRow.name)
                    .where(MetricRow.task_id.in_(task_ids), MetricRow.retired.is_(False)).order_by(MetricRow.id)):
                metrics.setdefault(task_id, []).append((metric_id, name))
        out, closed = [], []
        for d, r, o, t, u in rows:
            if o is not None and (o.status in CLOSED_STATUSES or o.retired_at is not None):
                closed.append(d.id)
                continue
            out.append(Claimed(d.id, d.chat_id, r.kind, r.rung, r.due_at, d.late, d.uncertain, d.attempts, d.error,
                               r.body, r.buttons,
                               o.id if o else None, t.id if t else None, t.title if t else None,
                               t.area if t else None, t.area_name if t else None, o.unit if o else None,
                               u.name if u else None, o.label if o else None, o.due if o else None,
                               tuple(metrics.get(t.id, ())) if t else (), d.address, r.facts,
                               bool(t.evidence_required) if t else False,
                               bool(o and t and is_contribution(o.unit, o.lead_units, t.others_cooperate))))
        if closed:
            session.execute(update(DeliveryRow).where(DeliveryRow.id.in_(closed))
                            .values(state="skipped", error="task closed before sending"))
        return out


def mark(engine: Engine, ids: list[int], now: datetime, **values: object) -> None:
    """Set fields on deliveries (state transitions after a send attempt)."""
    with Session(engine) as session, session.begin():
        session.execute(update(DeliveryRow).where(DeliveryRow.id.in_(ids)).values(**values))
        state = values.get("state")
        if state in ("sent", "failed", "uncertain"):
            audit(session, now, "system", f"delivery_{state}", ",".join(map(str, ids)),
                  {k: v for k, v in values.items() if k in ("message_id", "error", "uncertain")})


def reschedule(engine: Engine, ids: list[int], next_at: datetime, error: str, uncertain: bool | None = None,
               hold_until: datetime | None = None) -> None:
    """Back to the queue at `next_at` (plan clock), not before `hold_until` (real clock), counting the attempt."""
    values: dict[str, object] = dict(state="pending", next_at=next_at, claimed_by=None, error=error,
                                     attempts=DeliveryRow.attempts + 1, hold_until=hold_until)
    if uncertain:
        values["uncertain"] = True
    with Session(engine) as session, session.begin():
        session.execute(update(DeliveryRow).where(DeliveryRow.id.in_(ids)).values(**values))


def mark_unreachable(engine: Engine, chat_id: int, ids: list[int], reason: str, now: datetime,
                     email: EmailRouting | None = None) -> list[str]:
    """Fail the deliveries, mark the chat's members unreachable, queue a notice to the office.

    With e-mail on (`email`), each active member of the chat with an address (their own, else their
    unit's) gets the failed deliveries again by e-mail, and so do their next messages (`Directory`) until
    they open the bot again; the notice says where they now go, or that there is no address to fall back on.
    """
    with Session(engine) as session, session.begin():
        session.execute(update(DeliveryRow).where(DeliveryRow.id.in_(ids))
                        .values(state="failed", error=f"unreachable: {reason}"))
        members = session.scalars(select(MemberRow).where(MemberRow.chat_id == chat_id)).all()
        names = []
        for m in members:
            m.reachable = False
            names.append(f"{m.name or m.chat_id} ({m.unit or m.role})")
        fallback = _email_fallback(session, [m for m in members if m.active], ids, now) if email is not None else {}
        addresses = list(dict.fromkeys(fallback.values()))
        audit(session, now, "system", "member_unreachable", str(chat_id),
              {"reason": reason, "members": names, "fallback": addresses})
        who = ", ".join(names) or f"chat {chat_id}"
        facts = {"notice": "unreachable", "who": who, "reason": reason, "email": email is not None,
                 "fallback": ", ".join(addresses)}
        queue_notice(session, now, f"unreachable:{chat_id}", "office", facts=facts)
        return names


def _email_fallback(session: Session, members: list[MemberRow], ids: list[int], now: datetime) -> dict[int, str]:
    """Queue the failed deliveries again as e-mails to the members' addresses; returns member id → address."""
    units = {m.unit for m in members if m.unit}
    unit_emails: dict[str, str | None] = {
        unit: address for unit, address in session.execute(select(UnitRow.id, UnitRow.email)
                                                          .where(UnitRow.id.in_(units)))} if units else {}
    found = {m.id: fallback_address(m.email, unit_emails.get(m.unit or "")) for m in members}
    found = {member: address for member, address in found.items() if address}
    if not found or not ids:
        return found
    rows: dict[tuple[int, str], dict[str, object]] = {}
    failed = session.execute(select(DeliveryRow.reminder_id, DeliveryRow.member_id, DeliveryRow.late)
                             .where(DeliveryRow.id.in_(ids), DeliveryRow.chat_id != 0)).all()
    for reminder_id, member_id, late in failed:
        # The delivery's own member, if they have an address; else every member of this chat who has one.
        for member in ([member_id] if member_id in found else list(found)):
            rows.setdefault((reminder_id, found[member]), dict(
                reminder_id=reminder_id, chat_id=0, address=found[member], member_id=member, state="pending",
                next_at=now, attempts=0, uncertain=False, late=late, error=None))
    if rows:
        session.execute(_insert(session)(DeliveryRow)
                        .on_conflict_do_nothing(index_elements=["reminder_id", "chat_id", "address"]),
                        list(rows.values()))
        audit(session, now, "system", "email_fallback_queued", ",".join(sorted(set(found.values()))),
              {"deliveries": len(rows), "members": sorted(found)})
    return found


def mark_address_refused(engine: Engine, address: str, ids: list[int], reason: str, now: datetime) -> None:
    """An e-mail address the server refuses: fail its deliveries and tell the office."""
    with Session(engine) as session, session.begin():
        session.execute(update(DeliveryRow).where(DeliveryRow.id.in_(ids))
                        .values(state="failed", error=f"address refused: {reason}"))
        audit(session, now, "system", "email_refused", address, {"reason": reason})
        facts = {"notice": "email_refused", "address": address, "reason": reason}
        queue_notice(session, now, f"email-refused:{address}", "office", facts=facts)


def pending_counts(engine: Engine) -> dict[str, int]:
    """Deliveries per state (for logs and tests)."""
    with Session(engine) as session:
        return {state: n for state, n in
                session.execute(select(DeliveryRow.state, func.count()).group_by(DeliveryRow.state)).all()}


def next_due(engine: Engine) -> datetime | None:
    """The earliest instant something becomes due (for simulated time, where one clock is plan and real time)."""
    held = case((DeliveryRow.hold_until > DeliveryRow.next_at, DeliveryRow.hold_until), else_=DeliveryRow.next_at)
    with Session(engine) as session:
        a = session.scalar(select(func.min(ReminderRow.due_at)).where(ReminderRow.state == "pending"))
        b = session.scalar(select(func.min(held)).where(DeliveryRow.state == "pending"))
    found = [x for x in (a, b) if x is not None]
    return min(found) if found else None
