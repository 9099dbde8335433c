"""The reminder card: one message per person per send instant, grouped by deadline, built as a View.

Facts in (`ReminderCard`: units, deadline groups of open tasks, what changed since the last card), a View
out. The first card of a deadline lists the nearest tasks; a later rung says what changed and what is
still open instead of the whole list again. Buttons open things: the checklist (`cl:o:0:n`), overdue tasks
(`cl:q:0:n`; `:n`: in a new message, so the card stays) and the single most urgent action; a card about
one task carries that task's own actions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.i18n import _, ngettext
from bot.texts import unit_short
from bot.views.model import TELEGRAM_MAX_BUTTONS, Action, View

FIRST_CARD_LINES = 5  # tasks listed under a deadline on its first card
REPEAT_CARD_LINES = 3  # ... and on a later rung, after what changed
MAX_GROUPS = 6  # deadlines shown in one card; the rest are counted
CARD_BUDGET = 3600  # characters for the card's own blocks: well inside Telegram's 4,096 with a summary after
TITLE_WIDTH = 64


@dataclass(frozen=True)
class DueTask:
    """One open task of a card."""

    occurrence_id: int
    task_id: str
    title: str
    unit: str
    status: str = "open"  # open, returned
    metrics: tuple[tuple[int, str], ...] = ()
    evidence_required: bool = False  # ✅ is refused until a document is attached: offer 📎 first
    contribution: bool = False  # phối hợp: another unit leads; listed after the unit's own work, under 🤝


@dataclass(frozen=True)
class Since:
    """What happened to the tasks of the previous card of the same deadline."""

    at: datetime
    done: int = 0
    awaiting_review: int = 0
    new: int = 0
    returned: int = 0  # back from the office's review, to redo


@dataclass(frozen=True)
class DeadlineGroup:
    label: str
    due: date
    working_days: int  # > 0 working days left, 0 due today, < 0 working days overdue
    tasks: tuple[DueTask, ...]
    since: Since | None = None  # None: the first card of this deadline


@dataclass(frozen=True)
class ReminderCard:
    units: tuple[tuple[str, str], ...]  # (id, name) of the units the card covers
    groups: tuple[DeadlineGroup, ...]
    late_from: datetime | None = None  # when it should have been sent (a late card says so)
    uncertain: bool = False  # a resend after a send that may have arrived
    unstaffed: tuple[str, ...] = ()  # units without a head: the office gets their reminders
    # What the reader's checklist holds per filter (bot.services.queue.checklist_counts): the 📋 and 🔴 buttons
    # open it, so they say its figures. None: no reader's checklist (no database, an e-mail, not a head).
    list_counts: dict[str, int] | None = None


def short(text: str, width: int = TITLE_WIDTH) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def fmt_day(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def fmt_moment(moment: datetime) -> str:
    return f"{moment:%H:%M} {fmt_day(moment.date())}"


def working_days_text(days: int) -> str:
    """One unit of measure: working days."""
    if days == 0:
        return _("due today")
    if days > 0:
        return ngettext("{count} working day left", "{count} working days left", days).format(count=days)
    return ngettext("{count} working day overdue", "{count} working days overdue", -days).format(count=-days)


def status_text(status: str) -> str:
    return {"returned": _("returned, to redo"), "awaiting_review": _("awaiting review"),
            "done": _("done")}.get(status, _("not done"))


def task_line(task: DueTask, with_unit: bool, names: dict[str, str] | None = None) -> str:
    """A card covering several units names each task's unit, shortly (WORDING M5: names, not codes)."""
    unit = f" ({unit_short((names or {}).get(task.unit) or task.unit, 24)})" if with_unit else ""
    return f"• {task.task_id}{unit} {short(task.title)} — {status_text(task.status)}"


def plan_order(code: str) -> tuple[tuple[int, str], ...]:
    """`2.1` before `10.1`: task codes compare part by part, numbers as numbers."""
    return tuple((int(p), "") if p.isdigit() else (0, p) for p in code.split("."))


def nearest(tasks: tuple[DueTask, ...]) -> list[DueTask]:
    """The unit's own work first (it leads or carries out), contributions after; in each, returned tasks, then
    open ones, in plan order."""
    return sorted(tasks, key=lambda t: (t.contribution, t.status != "returned", plan_order(t.task_id), t.unit))


def card_header(card: ReminderCard) -> str:
    names = [name for _id, name in card.units]
    shown = ", ".join(names[:3]) + (_(" and {count} more units").format(count=len(names) - 3) if len(names) > 3 else "")
    total = sum(len(g.tasks) for g in card.groups)
    head = _("🔔 Reminder: {units}").format(units=shown) if shown else _("🔔 Reminder")
    if card.groups:  # the working days left (or overdue) of the most urgent deadline
        head += " — " + working_days_text(min(g.working_days for g in card.groups))
    if len(card.groups) < 2:  # one deadline: its own line counts the tasks
        return head
    return head + "\n" + ngettext("{count} task to finish", "{count} tasks to finish", total).format(count=total)


def since_text(since: Since) -> str:
    parts = []
    if since.done:
        parts.append(ngettext("{count} task done", "{count} tasks done", since.done).format(count=since.done))
    if since.awaiting_review:
        parts.append(_("{count} awaiting review").format(count=since.awaiting_review))
    if since.returned:
        parts.append(_("{count} returned by the office").format(count=since.returned))
    if since.new:
        parts.append(_("{count} new").format(count=since.new))
    when = fmt_day(since.at.date())
    if not parts:
        return _("Since the last reminder ({date}): no change.").format(date=when)
    return _("Since the last reminder ({date}): {changes}.").format(date=when, changes=", ".join(parts))


def group_block(group: DeadlineGroup, with_unit: bool, most: int | None = None, alone: bool = False,
                names: dict[str, str] | None = None) -> str:
    """A deadline written once (the days left are in the header when it is the card's only one), then its tasks."""
    due = (_("📅 Due {date}").format(date=fmt_day(group.due)) if alone else
           _("📅 Due {date} · {left}").format(date=fmt_day(group.due), left=working_days_text(group.working_days)))
    lines = [due, short(group.label, 160)]
    ordered = nearest(group.tasks)
    count = len(ordered)
    if group.since is None:
        room = FIRST_CARD_LINES if most is None else min(most, FIRST_CARD_LINES)
        shown = room if count > room + 1 else count
        lines.append(ngettext("{count} task:", "{count} tasks:", count).format(count=count))
    else:
        room = REPEAT_CARD_LINES if most is None else min(most, REPEAT_CARD_LINES)
        shown = room if count > room + 1 else count
        lines.append(since_text(group.since))
        lines.append(_("1 task still not done:") if count == 1 else  # no "the nearest" before a single task
                     ngettext("{count} task still not done, the nearest:", "{count} tasks still not done, the nearest:",
                              count).format(count=count))
    for index, task in enumerate(ordered[:shown]):
        if task.contribution and (index == 0 or not ordered[index - 1].contribution):
            lines.append(_("🤝 Contributions (the unit cooperates; another unit leads):"))
        lines.append(task_line(task, with_unit, names))
    if count > shown:
        lines.append(ngettext("… and {count} more task", "… and {count} more tasks", count - shown)
                     .format(count=count - shown))
    return "\n".join(lines)


def task_actions(task: DueTask) -> tuple[tuple[Action, ...], ...]:
    """A one-task card carries the task's own actions (two a row: phone width), then its metrics."""
    done = Action(_("✅ Done"), f"done:{task.occurrence_id}")
    send = Action(_("📎 Send evidence"), f"ev:{task.occurrence_id}")
    rows = ((send, done) if task.evidence_required else (done, send),
            (Action(_("⏰ Remind me later"), f"snz:{task.occurrence_id}"),
             Action(_("⚠️ Report a blocker"), f"blk:{task.occurrence_id}")))
    return rows + metric_actions(task.metrics)


def metric_actions(metrics: tuple[tuple[int, str], ...]) -> tuple[tuple[Action, ...], ...]:
    """📈 for a task with measurable targets: one button, or one per metric (named, two a row, at most 4)."""
    if not metrics:
        return ()
    if len(metrics) == 1:
        return ((Action(_("📈 Report figures"), f"mt:{metrics[0][0]}"),),)
    buttons = [Action(f"📈 {short(name, 24)}", f"mt:{mid}") for mid, name in metrics[:4]]
    return tuple(tuple(buttons[i:i + 2]) for i in range(0, len(buttons), 2))


def card_actions(card: ReminderCard) -> tuple[tuple[Action, ...], ...]:
    tasks = [t for g in card.groups for t in g.tasks]
    if len(tasks) == 1:
        return task_actions(tasks[0])
    if not tasks:
        return ()
    counts = card.list_counts
    task_list = _("📋 Task list ({count} not done)").format(count=len(tasks) if counts is None else counts["o"])
    rows: list[tuple[Action, ...]] = [(Action(task_list, "cl:o:0:n"),)]
    overdue = sum(len(g.tasks) for g in card.groups if g.working_days < 0)
    if overdue and counts is not None:
        overdue = counts["q"]  # the list it opens, which holds the card's overdue tasks and the reader's others
    urgent_group = min(card.groups, key=lambda g: (g.working_days, g.due))
    urgent = nearest(urgent_group.tasks)[0]
    # The one action must be able to succeed, and say which of the task's deadlines it acts on.
    which = f"{urgent.task_id} · {urgent_group.due:%d/%m}"
    second: list[Action] = [
        Action(_("📎 Evidence: {code}").format(code=which), f"ev:{urgent.occurrence_id}") if urgent.evidence_required
        else Action(_("✅ Done: {code}").format(code=which), f"done:{urgent.occurrence_id}")]
    if overdue:
        second.insert(0, Action(_("🔴 Overdue ({count})").format(count=overdue), "cl:q:0:n"))
    rows.append(tuple(second))
    return tuple(rows)


def card_blocks(card: ReminderCard) -> list[str]:
    with_unit = len(card.units) > 1
    names = {code: name for code, name in card.units if name}
    groups = sorted(card.groups, key=lambda g: (g.working_days, g.due, g.label))
    blocks = [card_header(card)]
    if card.late_from is not None:
        blocks.append(_("⏱ Sent late: it was due at {moment}.").format(moment=fmt_moment(card.late_from)))
    if card.uncertain:
        blocks.append(_("(You may have received this message before.)"))
    for unit in card.unstaffed:
        blocks.append(_("ℹ️ Unit {unit} has nobody receiving reminders yet: the office please see to it.")
                      .format(unit=unit_short(names.get(unit) or unit)))
    budget = CARD_BUDGET - sum(len(b) + 2 for b in blocks)
    # Many deadlines at once: fewer lines under each, then fewer deadlines, until the card fits.
    for most, shown in ((None, MAX_GROUPS), (3, MAX_GROUPS), (1, MAX_GROUPS), (1, 3), (0, 2), (0, 1)):
        parts = [group_block(g, with_unit, most, alone=len(groups) == 1, names=names) for g in groups[:shown]]
        if sum(len(p) + 2 for p in parts) <= budget:
            break
    blocks += parts
    if len(groups) > shown:
        rest = groups[shown:]
        count = sum(len(g.tasks) for g in rest)
        blocks.append(ngettext("… and {count} task under {groups} later deadlines",
                               "… and {count} tasks under {groups} later deadlines", count)
                      .format(count=count, groups=len(rest)))
    return blocks


def build_card(card: ReminderCard) -> View:
    """The card as a View (blocks + at most 12 actions)."""
    actions = card_actions(card)
    assert sum(len(r) for r in actions) <= TELEGRAM_MAX_BUTTONS
    return View(tuple(card_blocks(card)), actions)


def combine(*views: View) -> View:
    """Several views due to one person at one instant as one message (actions capped at 12)."""
    rows: list[tuple[Action, ...]] = []
    used = 0
    for view in views:
        for row in view.actions:
            if used + len(row) > TELEGRAM_MAX_BUTTONS:
                continue
            rows.append(row)
            used += len(row)
    return View(tuple(b for v in views for b in v.blocks), tuple(rows))
