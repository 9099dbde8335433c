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


def render_table(items: list[dict[str, Any]], lang: str = "vi") -> str:
    """A human timeline: each deadline, then its reminders indented."""
    if not items:
        return "Không có hạn nào trong khoảng đã chọn." if lang == "vi" else "No deadlines in the selected range."
    assumed = " (giả định, Văn phòng cần xác nhận)" if lang == "vi" else " (assumed, to be confirmed)"
    lines = []
    for item in items:
        due = date.fromisoformat(item["due"])
        tag = assumed if item["source"] == "assumed" else ""
        lines.append(f"{fmt_date_weekday(due, lang)}  [{item['unit']}]  {item['task_id']} {item['title']}"
                     f" — {item['label']}{tag}")
        for rem in item["reminders"]:
            at = datetime.fromisoformat(rem["at"])
            lines.append(f"    {fmt_local(at)}  {rung_label(rem['rung'], lang):<48} → {', '.join(rem['to'])}")
    return "\n".join(lines)


def summary(plan: Plan, calendar: WorkCalendar, lang: str = "vi") -> str:
    """What `nhacviec check` prints for a valid plan."""
    items = timeline(plan, calendar)
    per_year = Counter(i["due"][:4] for i in items)
    reminders = sum(len(i["reminders"]) for i in items)
    assumed = sum(1 for i in items if i["source"] == "assumed")
    tasks_per_area = Counter(t.area for t in plan.tasks)
    info = plan.plan
    if lang == "en":
        lines = [f"Plan is valid: {info.title}",
                 f"  issued by {info.issued_by}; years {', '.join(map(str, info.years))}",
                 f"  {len(plan.areas)} areas, {len(plan.tasks)} tasks, {len(plan.units)} units, "
                 f"{len(plan.groups)} groups",
                 f"  {len(items)} deadline occurrences ({assumed} assumed), {reminders} planned reminders"]
        lines += [f"  area {a.id} {a.name}: {tasks_per_area[a.id]} task(s)" for a in plan.areas]
        lines += [f"  occurrences due in {y}: {n}" for y, n in sorted(per_year.items())]
        return "\n".join(lines)
    lines = [f"Kế hoạch hợp lệ: {info.title}",
             f"  ban hành: {info.issued_by}; năm {', '.join(map(str, info.years))}",
             f"  {len(plan.areas)} lĩnh vực, {len(plan.tasks)} nhiệm vụ, {len(plan.units)} đơn vị, "
             f"{len(plan.groups)} nhóm",
             f"  {len(items)} lượt hạn ({assumed} hạn giả định cần Văn phòng xác nhận), {reminders} lời nhắc dự kiến"]
    if info.baseline:
        b = info.baseline
        lines.append(f"  mốc {b.year}: {b.score:g} điểm, xếp thứ {b.rank}/{b.of}".replace(".", ","))
    lines += [f"  lĩnh vực {a.id} — {a.name}: {tasks_per_area[a.id]} nhiệm vụ" for a in plan.areas]
    lines += [f"  hạn trong năm {y}: {n}" for y, n in sorted(per_year.items())]
    return "\n".join(lines)
