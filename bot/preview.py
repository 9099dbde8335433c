"""The plan's timeline as data (the public JSON contract of `nhacviec preview`) and as a table."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.deadlines import expand_plan
from bot.domain.ladder import plan_reminders
from bot.domain.plan import Plan
from bot.domain.workdays import WorkCalendar
from bot.i18n import N_, _, current_lang, language, ngettext
from bot.i18n.formats import fmt_number
from bot.texts import fmt_date_weekday, fmt_local, rung_label


def timeline(plan: Plan, calendar: WorkCalendar, start: date | None = None, end: date | None = None,
             unit: str | None = None) -> list[dict[str, Any]]:
    """One object per deadline occurrence per unit, with its reminders (see README, "preview --format json")."""
    zone = ZoneInfo(plan.plan.timezone)
    tasks = {t.id: t for t in plan.tasks}
    areas = {a.id: a for a in plan.areas}
    out = []
    for occ in expand_plan(plan, calendar, start, end, unit):
        task = tasks[occ.task_id]
        out.append({
            "task_id": occ.task_id,
            "title": task.title,
            "area": task.area,
            "area_name": areas[task.area].name,
            "deadline_id": occ.deadline_id,
            "label": occ.label,
            "unit": occ.unit,
            "lead_units": list(occ.lead_units),
            "due": occ.due.isoformat(),
            "source": occ.source,
            # An assumed date, owner or share is a draft until the office confirms it (in the database:
            # `nhacviec confirm`); from the plan file alone it is unconfirmed.
            "confirmed": occ.source != "assumed",
            "key": occ.key,
            "reminders": [
                {"at": r.at.astimezone(zone).isoformat(), "kind": r.kind, "rung": r.rung, "to": list(r.to)}
                for r in plan_reminders(plan, occ, calendar)
            ],
        })
    return out


def render_json(items: list[dict[str, Any]]) -> str:
    """The JSON array, UTF-8 (Vietnamese stays readable)."""
    return json.dumps(items, ensure_ascii=False, indent=2)


AUDIENCES = {"office": N_("the department office"), "leadership": N_("the department's leadership")}


def _audience(token: str) -> str:
    """A unit id as is; the office and leadership in words (never the role id)."""
    return _(AUDIENCES[token]) if token in AUDIENCES else token


def render_table(items: list[dict[str, Any]], lang: str | None = None) -> str:
    """A human timeline: each deadline, then its reminders indented."""
    with language(lang or current_lang()):
        if not items:
            return _("No deadlines in the selected range.")
        assumed = _(" (assumed, the office to confirm)")
        lines = []
        for item in items:
            due = date.fromisoformat(item["due"])
            tag = assumed if item["source"] == "assumed" else ""
            lines.append(f"{fmt_date_weekday(due)}  [{item['unit']}]  {item['task_id']} {item['title']}"
                         f" — {item['label']}{tag}")
            for rem in item["reminders"]:
                at = datetime.fromisoformat(rem["at"])
                to = ", ".join(map(_audience, rem["to"]))
                lines.append(f"    {fmt_local(at)}  {rung_label(rem['rung']):<48} → {to}")
        return "\n".join(lines)


def summary(plan: Plan, calendar: WorkCalendar, lang: str | None = None) -> str:
    """What `nhacviec check` prints for a valid plan."""
    with language(lang or current_lang()):
        return "\n".join(_summary_lines(plan, calendar))


def _summary_lines(plan: Plan, calendar: WorkCalendar) -> list[str]:
    items = timeline(plan, calendar)
    per_year = Counter(i["due"][:4] for i in items)
    reminders = sum(len(i["reminders"]) for i in items)
    assumed = sum(1 for i in items if i["source"] == "assumed")
    tasks_per_area = Counter(t.area for t in plan.tasks)
    info = plan.plan
    n = fmt_number
    lines = [_("Plan is valid: {title}").format(title=info.title),
             "  " + _("issued by: {issuer}; years {years}").format(issuer=info.issued_by,
                                                                  years=", ".join(map(str, info.years))),
             "  " + _("{areas} areas, {tasks} tasks, {units} units, {groups} groups").format(
                 areas=n(len(plan.areas)), tasks=n(len(plan.tasks)), units=n(len(plan.units)),
                 groups=n(len(plan.groups))),
             "  " + _("{occurrences} deadline occurrences ({assumed} assumed, the office to confirm), "
                      "{reminders} planned reminders").format(occurrences=n(len(items)), assumed=n(assumed),
                                                               reminders=n(reminders))]
    if info.baseline:
        b = info.baseline
        lines.append("  " + _("baseline {year}: {score} points, ranked {rank} of {of}").format(
            year=b.year, score=n(b.score), rank=b.rank, of=b.of))
    lines += ["  " + ngettext("area {id} — {name}: {n} task", "area {id} — {name}: {n} tasks",
                              tasks_per_area[a.id]).format(id=a.id, name=a.name, n=n(tasks_per_area[a.id]))
              for a in plan.areas]
    lines += ["  " + _("deadlines in {year}: {n}").format(year=y, n=n(c)) for y, c in sorted(per_year.items())]
    return lines
