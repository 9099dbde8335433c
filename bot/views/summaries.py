"""Summaries for people who watch others (lead units, the office, leadership), and the catch-up summary.

One message per person per instant: counts per unit and deadline, the worst cases first (about ten),
and a button into the full watch list (`wl:q:0:n`, paged by the chat). Never one row per occurrence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.i18n import _, ngettext
from bot.texts import unit_short
from bot.views.cards import fmt_day, short, working_days_text
from bot.views.model import Action, View

WORST_ROWS = 10


@dataclass(frozen=True)
class WatchRow:
    """Late tasks of one unit under one deadline."""

    unit: str
    unit_name: str
    label: str
    due: date
    count: int
    working_days: int  # < 0: working days overdue


@dataclass(frozen=True)
class WatchSummary:
    rows: tuple[WatchRow, ...]
    to_leadership: bool = False  # the rung: lead unit / office, or leadership


def worst_first(rows: tuple[WatchRow, ...]) -> list[WatchRow]:
    return sorted(rows, key=lambda r: (r.working_days, -r.count, r.due, r.unit))


def _unit_name(row: WatchRow) -> str:
    """The unit's name in full where it fits the line, else its short form (WORDING M5: names, never codes)."""
    name = row.unit_name or row.unit
    return name if len(name) <= 40 else unit_short(name, 40)


def build_summary(summary: WatchSummary) -> View:
    rows = worst_first(summary.rows)
    total = sum(r.count for r in rows)
    units = len({r.unit for r in rows})
    if summary.to_leadership:  # the seed: to Lãnh đạo Sở "thông qua Văn phòng Sở"
        head = ngettext("⚠️ Behind schedule, to report to the department leadership (through the office): "
                        "{count} task at {units} unit(s)",
                        "⚠️ Behind schedule, to report to the department leadership (through the office): "
                        "{count} tasks at {units} unit(s)", total)
    else:
        head = ngettext("⚠️ Units behind schedule in the area your unit leads: {count} task at {units} unit(s)",
                        "⚠️ Units behind schedule in the area your unit leads: {count} tasks at {units} unit(s)",
                        total)
    head = head.format(count=total, units=units)
    lines = [head, _("The worst first:")]
    for row in rows[:WORST_ROWS]:
        lines.append(ngettext("• {unit} — {count} task due {date}, {late}",
                              "• {unit} — {count} tasks due {date}, {late}", row.count)
                     .format(unit=_unit_name(row), count=row.count, date=fmt_day(row.due),
                             late=working_days_text(row.working_days)))
    if len(rows) > WORST_ROWS:
        rest = rows[WORST_ROWS:]
        count = sum(r.count for r in rest)
        lines.append(ngettext("… and {count} more task at {units} other unit(s)",
                              "… and {count} more tasks at {units} other unit(s)", count)
                     .format(count=count, units=len({r.unit for r in rest} - {r.unit for r in rows[:WORST_ROWS]})
                             or len({r.unit for r in rest})))
    labels = sorted({(r.due, r.label) for r in rows})
    deadlines = [_("Deadlines:")] + [f"{fmt_day(due)}: {short(label, 120)}" for due, label in labels[:3]]
    if len(labels) > 3:
        deadlines.append(_("… and {count} more deadlines").format(count=len(labels) - 3))
    action = Action(_("📋 Full list ({count} tasks)").format(count=total), "wl:q:0:n")
    return View(("\n".join(lines), "\n".join(deadlines)), ((action,),))


@dataclass(frozen=True)
class CatchUpLine:
    task_id: str | None
    title: str | None
    unit: str | None
    due: date | None
    text: str | None = None  # a notice without a task
    unit_name: str | None = None  # what the line shows (WORDING M5); the code when unknown


@dataclass(frozen=True)
class CatchUp:
    missed: int  # reminders not sent while the bot was down
    since: datetime
    lines: tuple[CatchUpLine, ...]  # one per open task
    open_total: int  # the reader's own open tasks (0: a watcher, whose button opens the watch list)


CATCH_UP_LINES = 8


def build_catch_up(catch_up: CatchUp, today: date) -> View:
    """Stale reminders folded into one compact summary: one line per task, the nearest first."""
    head = (ngettext("📋 While the bot was paused, {count} reminder could not be sent (from {date}). Tasks still open:",
                     "📋 While the bot was paused, {count} reminders could not be sent (from {date}). Tasks still open:",  # noqa: E501
                     catch_up.missed).format(count=catch_up.missed, date=fmt_day(catch_up.since.date())))
    lines = [head]
    ordered = sorted(catch_up.lines, key=lambda x: (x.due or today, x.task_id or "", x.unit or ""))
    for line in ordered[:CATCH_UP_LINES]:
        if line.due is None:
            lines.append(f"• {short(line.text or '', 120)}")
        else:
            lines.append(_("• {code} {title} — {unit}, due {date}").format(
                code=line.task_id, title=short(line.title or "", 56),
                unit=unit_short(line.unit_name or line.unit or "", 24), date=fmt_day(line.due)))
    if len(ordered) > CATCH_UP_LINES:
        lines.append(ngettext("… and {count} more task", "… and {count} more tasks", len(ordered) - CATCH_UP_LINES)
                     .format(count=len(ordered) - CATCH_UP_LINES))
    if catch_up.open_total:
        action = Action(_("📋 Task list ({count} not done)").format(count=catch_up.open_total), "cl:o:0:n")
    else:
        action = Action(_("📋 Full list ({count} tasks)").format(count=len(ordered)), "wl:q:0:n")
    actions = ((action,),) if ordered else ()
    return View(("\n".join(lines),), actions)
