"""The checklist (`cl:`) and the watch list (`wl:`): one message, a page of tasks, ◀ ▶ and filters."""

from __future__ import annotations

from datetime import date

from bot.i18n import N_, _
from bot.i18n.formats import fmt_number
from bot.services.queue import FILTERS, Page
from bot.texts import fmt_date, unit_short
from bot.views.model import Action, View
from bot.views.taskcard import ICON, short, state_text

FILTER = {"o": N_("Not done"), "q": N_("Overdue"), "r": N_("Awaiting review"), "a": N_("All")}


def back_data(page: Page) -> str:
    return f"{page.kind}:{page.filter}:{page.page}"


def card_data(occurrence_id: int, page: Page) -> str:
    """`tc:<occ>:<list>:<filter>:<page>`: the task card knows where "◀ Back" goes."""
    return f"tc:{occurrence_id}:{back_data(page)}"


def checklist(page: Page, today: date, scope: str) -> View:
    """`scope` names whose tasks these are (the unit, or "all units")."""
    title = "📋 " if page.kind == "cl" else "👀 "
    title += _("{scope} — {filter}: {count}").format(scope=scope, filter=_(FILTER[page.filter]).lower(),
                                                      count=fmt_number(page.total))
    if page.pages > 1:
        title += " " + _("(page {page}/{pages})").format(page=page.page + 1, pages=page.pages)
    blocks = [title]
    group: tuple[str, date] | None = None
    lines: list[str] = []
    contributing = False
    for number, item in enumerate(page.items, start=1):  # the buttons carry the same numbers
        s = item.subject
        # own work first; what the unit helps with after, marked (a unit's own list: the office's watch list
        # holds every unit's items in the order of urgency, where one heading would split it at random)
        if page.kind == "cl" and item.contribution and not contributing:
            if lines:
                blocks.append("\n".join(lines))
            blocks.append(_("🤝 Contributions (the unit cooperates; another unit leads):"))
            contributing, group, lines = True, None, []
        if (s.label, s.due) != group:
            if lines:
                blocks.append("\n".join(lines))
            group, lines = (s.label, s.due), [_("🗓 {label} — due {due}:").format(label=s.label, due=fmt_date(s.due))]
        unit = f" ({unit_short(s.unit_name or s.unit)})" if page.kind == "wl" else ""  # leadership: names (M5)
        lines.append(f"{number}. {ICON[item.state]} {s.task_id} {short(s.title, 70)}{unit} — {state_text(item.state)}")
    if lines:
        blocks.append("\n".join(lines))
    if not page.items:
        blocks.append(_("Nothing here. 👍"))
    rows: list[tuple[Action, ...]] = []
    for number, item in enumerate(page.items, start=1):
        s = item.subject
        # the due date tells apart one task's several deadlines ("1.1 · 19/11")
        where = f" {unit_short(s.unit_name or s.unit, 22)}" if page.kind == "wl" else ""
        label = (f"{number}. {s.task_id} · {s.due:%d/%m}" + where
                 + f" {short(s.title, 20)}")
        rows.append((Action(label, card_data(s.occurrence_id, page)),))
    arrows = []
    if page.page > 0:
        arrows.append(Action("◀", f"{page.kind}:{page.filter}:{page.page - 1}"))
    if page.page + 1 < page.pages:
        arrows.append(Action("▶", f"{page.kind}:{page.filter}:{page.page + 1}"))
    if arrows:
        rows.append(tuple(arrows))
    rows.append(tuple(Action(f"{_(FILTER[f])} ({fmt_number(page.counts[f])})", f"{page.kind}:{f}:0")
                      for f in FILTERS if f != page.filter))
    return View(tuple(blocks), tuple(rows))
