"""What the overview tells besides the counts: the week's changes, open blockers, the results countdown."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import AuditRow, BlockerRow, MemberRow, MetricRow, OccurrenceRow, UnitRow
from bot.domain.workdays import WorkCalendar
from bot.i18n import N_, _, ngettext
from bot.i18n.formats import fmt_number
from bot.services.metrics import fmt_value
from bot.texts import fmt_date, unit_short

RESULTS_DEADLINE = "ket-qua"  # the plan's common deadline: results to the office before 20/11 (section III)
ROLES = {"admin": N_("administrator"), "head": N_("head of unit"), "leader": N_("the department's leadership")}
_LISTED = 8
_WEEK_ACTIONS = ("completion_submitted", "review_accepted", "review_returned", "blocker_reported",
                 "metric_reported", "member_added", "invite_accepted", "extension_granted")


def results_countdown(session: Session, today: date) -> tuple[date, int]:
    """The next due date of the common results deadline (the 20/11 one) and the days left to it."""
    due = session.scalar(select(OccurrenceRow.due).where(OccurrenceRow.deadline_id == RESULTS_DEADLINE,
                                                         OccurrenceRow.retired_at.is_(None),
                                                         OccurrenceRow.due >= today)
                         .order_by(OccurrenceRow.due).limit(1))
    if due is None:  # no such deadline in the plan, or its years are over: the calendar 20/11
        due = date(today.year, 11, 20)
        if due < today:
            due = date(today.year + 1, 11, 20)
    return due, WorkCalendar().working_days_between(today, due)  # working days, as every reminder counts


def countdown_text(due: date, days: int) -> str:
    if days == 0:
        return _("⏳ Today ({due}) is the deadline for sending results to the department office.").format(
            due=fmt_date(due))
    return ngettext("⏳ {n} working day left until the deadline for sending results to the department office "
                    "({due}).",
                    "⏳ {n} working days left until the deadline for sending results to the department office "
                    "({due}).", days).format(n=fmt_number(days), due=fmt_date(due))


def _role(role: object) -> str:
    return _(ROLES[str(role)]) if str(role) in ROLES else ""


def unit_short_names(session: Session) -> dict[str, str]:
    """Code → short name: the digest goes to leadership and the office, who read names, not codes (M5)."""
    return {code: unit_short(name) for code, name in session.execute(select(UnitRow.id, UnitRow.name))}


def _short(occ: OccurrenceRow | None, subject: str, names: dict[str, str]) -> str:
    if occ is None:
        return subject
    return _("[{task}] {unit} (due {due})").format(task=occ.task_id, unit=names.get(occ.unit, occ.unit),
                                                   due=fmt_date(occ.due))


def _member_id(actor: str) -> int:
    """`member:12` → 12 (0 for anything else)."""
    number = actor.partition(":")[2]
    return int(number) if number.isdigit() else 0


def _listing(items: list[str], people: bool = False) -> str:
    extra = len(items) - _LISTED
    more = "" if extra <= 0 else (
        ngettext(" and {n} other person", " and {n} other people", extra) if people
        else ngettext(" and {n} other", " and {n} others", extra)).format(n=fmt_number(extra))
    return ", ".join(items[:_LISTED]) + more


def week_changes(session: Session, now: datetime, zone: ZoneInfo) -> str:
    """The audit log of the last 7 days, counted and named: completions, reviews, blockers, members."""
    since = now - timedelta(days=7)
    rows = list(session.scalars(select(AuditRow).where(AuditRow.at > since, AuditRow.at <= now,
                                                       AuditRow.action.in_(_WEEK_ACTIONS))
                                .order_by(AuditRow.at, AuditRow.id)))
    keys = {r.subject for r in rows if r.action in (*_WEEK_ACTIONS[:4], "extension_granted")}
    occs = {o.key: o for o in session.scalars(select(OccurrenceRow).where(OccurrenceRow.key.in_(keys)))} \
        if keys else {}
    member_ids = [_member_id(r.actor) for r in rows if r.action == "invite_accepted"]
    names = {m.id: m for m in session.scalars(select(MemberRow).where(MemberRow.id.in_(member_ids)))} \
        if member_ids else {}
    kinds = {m.id: m for m in session.scalars(select(MetricRow))} if any(
        r.action == "metric_reported" for r in rows) else {}
    found: dict[str, list[str]] = defaultdict(list)
    units = unit_short_names(session)
    for r in rows:
        occ = occs.get(r.subject)
        if r.action == "extension_granted":  # counted apart from work done on time
            old, new = (fmt_date(date.fromisoformat(str(r.details.get(k)))) for k in ("old_due", "due"))
            found[r.action].append(_("[{task}] {unit}: {old} → {due}").format(
                task=occ.task_id if occ else r.subject, unit=units.get(occ.unit, occ.unit) if occ else "", old=old,
                due=new))
        elif r.action == "review_returned":
            found[r.action].append(_("{task}, reason: {reason}").format(
                task=_short(occ, r.subject, units), reason=str(r.details.get("reason", ""))[:120]))
        elif r.action == "member_added":
            d = r.details
            where = f", {units.get(d['unit'], d['unit'])}" if d.get("role") == "head" and d.get("unit") else ""
            found[r.action].append(f"{d.get('name') or r.subject} ({_role(d.get('role', ''))}{where})")
        elif r.action == "invite_accepted":
            member = names.get(_member_id(r.actor))
            where = f", {units.get(member.unit, member.unit)}" if member is not None and member.unit else ""
            who = member.name if member is not None else r.actor
            found["member_added"].append(f"{who} ({_role(r.details.get('role'))}{where})")
        elif r.action == "metric_reported":
            task, _sep, unit = r.subject.partition("/")
            metric = kinds.get(int(r.details.get("metric") or 0))
            value = fmt_value(metric.kind, float(r.details["value"])) if metric and "value" in r.details else "?"
            code = unit.rpartition('/')[2]
            found[r.action].append(f"[{task}] {units.get(code, code)} {value}")
        else:
            found[r.action].append(_short(occ, r.subject, units))
    head = _("🗓 The past week ({start} – {end}):").format(start=fmt_date(since.astimezone(zone).date()),
                                                           end=fmt_date(now.astimezone(zone).date()))
    labels = (("completion_submitted", N_("📝 Completions reported by units")),
              ("review_accepted", N_("✔️ Accepted by the department office")),
              ("review_returned", N_("↩️ Returned by the department office")),
              ("blocker_reported", N_("⚠️ New blockers")),
              ("metric_reported", N_("📈 Target figures reported")), ("member_added", N_("👥 New members")),
              ("extension_granted", N_("⏳ More time granted by the department office")))
    lines = [f"{_(label)}: {fmt_number(len(found[key]))} — {_listing(found[key], key == 'member_added')}"
             for key, label in labels if found[key]]
    return "\n".join([head, *(lines or [_("No changes in the past 7 days.")])])


def open_blockers(session: Session, zone: ZoneInfo) -> list[str]:
    """Blockers not resolved yet, oldest first, with whether leadership has them."""
    rows = session.execute(select(BlockerRow, OccurrenceRow).join(OccurrenceRow,
                                                                  OccurrenceRow.id == BlockerRow.occurrence_id)
                           .where(BlockerRow.resolved_at.is_(None))
                           .order_by(BlockerRow.created_at, BlockerRow.id)).all()
    out = []
    units = unit_short_names(session) if rows else {}
    for blocker, occ in rows:
        where = _("forwarded to the department's leadership") if blocker.forwarded_at is not None \
            else _("not forwarded to the department's leadership")
        day = fmt_date(blocker.created_at.astimezone(zone).date())
        out.append(f"• [{occ.task_id}] {units.get(occ.unit, occ.unit)} — {occ.label}\n   "
                   + _("Reported on {day}, {where}: {text}").format(day=day, where=where, text=blocker.text[:300]))
    return out
