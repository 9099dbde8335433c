"""Texts of the weekly digests, split to Telegram's 4,096 characters.

Every count comes from `compute_progress` for the same day, so a digest never disagrees with /tiendo.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import OccurrenceRow, ReviewRow, TaskRow, UnitRow
from bot.digest.week import (
    countdown_text,
    open_blockers,
    results_countdown,
    unit_short_names,
    week_changes,
)
from bot.i18n import _
from bot.i18n.formats import fmt_number
from bot.services.metrics import describe_metrics, metric_status, metrics_summary
from bot.services.occurrences import counted
from bot.services.status import Counts, compute_progress
from bot.texts import days_left_text, fmt_date
from bot.views.chunks import chunk_blocks, sections

HORIZON = 14  # days ahead a unit's digest lists deadlines for


def counts_line(c: Counts) -> str:
    """The same wording as /tiendo."""
    return _("✅ {done} done · ⏳ {review} awaiting review · 🔴 {overdue} overdue · ⬜ {open} open").format(
        done=fmt_number(c.done), review=fmt_number(c.awaiting_review), overdue=fmt_number(c.overdue),
        open=fmt_number(c.open))


def done_share(c: Counts) -> str:
    return f"{fmt_number(round(100 * c.done / c.total)) if c.total else 0}%"


def _grouped(rows: list[tuple[OccurrenceRow, TaskRow]], today: date,
             reasons: dict[int, str] | None = None, countdown: bool = True) -> list[str]:
    """Lines of tasks under their deadline: many tasks share one (the 20/11 results), say it once."""
    lines: list[str] = []
    last: tuple[date, str] | None = None
    for occ, task in rows:
        if (occ.due, occ.label) != last:
            last = (occ.due, occ.label)
            left = f" ({days_left_text(occ.due, today)})" if countdown else ""
            lines.append(_("• Deadline {due}{left} — {label}:").format(
                due=fmt_date(occ.due), left=left, label=occ.label))
        line = f"   [{occ.task_id}] {task.title}"
        if reasons is not None:
            reason = reasons.get(occ.id) or _("(none given)")
            line += "\n      " + _("Reason for returning: {reason}").format(reason=reason)
        lines.append(line)
    return lines


def unit_digest(session: Session, unit: str, now: datetime, zone: ZoneInfo) -> list[str]:
    """To a unit's heads: overdue, returned (with the reason), due within 14 days, awaiting review."""
    today = now.astimezone(zone).date()
    horizon = today + timedelta(days=HORIZON)
    row = session.get(UnitRow, unit)
    head = _("📬 Weekly summary — {name} ({unit}), {day}").format(name=row.name if row else unit, unit=unit,
                                                                 day=fmt_date(today))
    rows = session.execute(select(OccurrenceRow, TaskRow).join(TaskRow, TaskRow.id == OccurrenceRow.task_id)
                           .where(OccurrenceRow.unit == unit, *counted(), OccurrenceRow.status != "done")
                           .order_by(OccurrenceRow.due, OccurrenceRow.task_id, OccurrenceRow.id)).all()
    returned = [(o, t) for o, t in rows if o.status == "returned"]
    overdue = [(o, t) for o, t in rows if o.status == "open" and o.due < today]
    upcoming = [(o, t) for o, t in rows if o.status == "open" and today <= o.due <= horizon]
    awaiting = [(o, t) for o, t in rows if o.status == "awaiting_review"]
    later = sum(1 for o, _t in rows if o.status == "open" and o.due > horizon)
    reasons: dict[int, str] = {}
    if returned:
        for review in session.scalars(select(ReviewRow).where(ReviewRow.occurrence_id.in_([o.id for o, _t in returned]),
                                                              ReviewRow.decision == "returned")
                                      .order_by(ReviewRow.decided_at, ReviewRow.id)):
            reasons[review.occurrence_id] = review.reason or ""
    p = compute_progress(session, today, unit)
    scope = _("Year {year}").format(year=p.year) if p.year else _("Whole plan")
    blocks = [f"{scope}: {counts_line(p.total)}"]
    if not (returned or overdue or upcoming):
        blocks.append(_("✅ Nothing to do in the next {days} days: nothing overdue, due soon or returned.")
                      .format(days=HORIZON))
    for title, group, why in ((_("🔴 Overdue ({n}):").format(n=fmt_number(len(overdue))), overdue, None),
                              (_("↩️ Returned by the department office, to complete ({n}):").format(
                                  n=fmt_number(len(returned))), returned, reasons),
                              (_("⏰ Due in the next {days} days ({n}):").format(
                                  days=HORIZON, n=fmt_number(len(upcoming))), upcoming, None),
                              (_("📝 Awaiting the department office's review ({n}):").format(
                                  n=fmt_number(len(awaiting))), awaiting, None)):
        if group:  # awaiting review is the office's move: no countdown for the unit
            blocks += sections(title, _grouped(group, today, why, countdown=group is not awaiting))
    if later:
        blocks.append(_("⬜ {n} more tasks due after {day}.").format(n=fmt_number(later), day=fmt_date(horizon)))
    if returned or overdue or upcoming:
        blocks.append(_("Type /viec to report completion, send evidence documents or report a blocker."))
    return chunk_blocks(head, blocks)


def overview_digest(session: Session, now: datetime, zone: ZoneInfo) -> list[str]:
    """To the office and leadership: counts per area and unit, the week, blockers, the 20/11 countdown, metrics."""
    today = now.astimezone(zone).date()
    p = compute_progress(session, today)
    scope = _("year {year}").format(year=p.year) if p.year else _("whole plan")
    head = _("📊 Weekly summary — administrative reform plan, {scope} ({day})").format(scope=scope,
                                                                                       day=fmt_date(today))
    due, days = results_countdown(session, today)
    blocks = [countdown_text(due, days),
              _("Total: {n} task occurrences, {share} done").format(n=fmt_number(p.total.total),
                                                                     share=done_share(p.total))
              + "\n" + counts_line(p.total)]
    if len(p.plans) > 1:  # several plans in one database: say which is which
        blocks += sections(_("By plan:"), [f"{t}: {counts_line(c)}" for t, c in p.plans.items()])
    blocks += sections(_("By area:"), [f"{a}. {p.area_names[a]}: {counts_line(c)}" for a, c in p.areas.items()])
    names = unit_short_names(session)  # leadership and the office read unit names, not codes (WORDING M5)
    blocks += sections(_("By unit:"), [f"{names.get(u, u)}: {counts_line(c)}" for u, c in p.units.items()])
    blocks.append(week_changes(session, now, zone))
    blockers = open_blockers(session, zone)
    blocks += sections(_("⚠️ Unresolved blockers ({n}):").format(n=fmt_number(len(blockers))), blockers) \
        if blockers else [_("⚠️ No blockers waiting to be resolved.")]
    statuses = metric_status(session)
    if statuses:
        blocks += sections(_("📈 Targets: {summary}").format(summary=metrics_summary(statuses)),
                           describe_metrics(statuses, names=names))
    return chunk_blocks(head, blocks)
