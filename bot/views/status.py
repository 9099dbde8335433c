"""Status texts built from the read models, in the current language (split to Telegram's 4,096 characters).

Channel-neutral words for /tiendo, /quahan, /thanhvien (were bot/telegram/render.py)."""

from __future__ import annotations

from datetime import date

from bot.db.models import MemberRow, UnitRow
from bot.i18n import N_, _
from bot.services.metrics import MetricStatus, describe_metrics, metrics_summary
from bot.services.status import Counts, Line, Progress
from bot.texts import fmt_date, unit_short
from bot.views.chunks import chunk_blocks, sections
from bot.views.taskcard import days_text

ROLE = {"admin": N_("Admin (department office)"), "head": N_("Head of unit"), "leader": N_("Department leadership"),
        "staff": N_("Staff member of a unit (the items the head assigns)")}


def counts_text(c: Counts) -> str:
    closed = _(" · 🔒 {count} closed").format(count=c.closed) if c.closed else ""
    return _("✅ {done} done · ⏳ {review} awaiting review · 🔴 {overdue} overdue · ⬜ {open} open").format(
        done=c.done, review=c.awaiting_review, overdue=c.overdue, open=c.open) + closed


UNITS_PER_PAGE = 25  # /tiendo's per-unit list: a page of units per message at any plan size (◀ ▶: `td:`)


def unit_pages(p: Progress) -> int:
    return max(1, -(-len(p.units) // UNITS_PER_PAGE))


def progress_text(p: Progress, today: date, metrics: list[MetricStatus] | None = None,
                  unit_page: int | None = None) -> list[str]:
    """`/tiendo`: totals, per area, per unit (one page of units when `unit_page` is given); then the metrics."""
    scope = _("year {year}").format(year=p.year) if p.year else _("the whole plan")
    head = "📊 " + _("Progress of {scope}").format(scope=scope)
    if p.unit:
        head += " " + _("— unit {unit}").format(unit=p.unit_names.get(p.unit) or p.unit)
    head += " " + _("(on {day})").format(day=fmt_date(today))
    blocks = [_("Total: {count} task occurrences").format(count=p.total.total) + "\n" + counts_text(p.total),
              _("Per area:") + "\n" + "\n".join(f"{a}. {p.area_names[a]}: {counts_text(c)}"
                                               for a, c in p.areas.items())]
    if len(p.plans) > 1:  # several plans in one database: say which is which
        blocks.insert(1, _("By plan:") + "\n" + "\n".join(f"{t}: {counts_text(c)}" for t, c in p.plans.items()))
    if not p.unit:
        units = list(p.units.items())
        title = _("Per unit:")
        if unit_page is not None:
            pages = unit_pages(p)
            unit_page = min(max(unit_page, 0), pages - 1)
            units = units[unit_page * UNITS_PER_PAGE:(unit_page + 1) * UNITS_PER_PAGE]
            if pages > 1:
                title += " " + _("(page {page}/{pages})").format(page=unit_page + 1, pages=pages)
        blocks.append(title + "\n" + "\n".join(f"{unit_short(p.unit_names.get(u) or u)}: {counts_text(c)}"
                                               for u, c in units))
    if metrics:
        blocks += sections("📈 " + _("Metrics: {summary}").format(summary=metrics_summary(metrics)),
                           describe_metrics(metrics, names={u: unit_short(n) for u, n in p.unit_names.items()}))
    return chunk_blocks(head, blocks)


def _state(line: Line, today: date) -> str:
    if line.status in ("open", "returned") and line.due < today:
        return _("overdue")
    return {"open": _("open"), "returned": _("returned"), "awaiting_review": _("awaiting review"),
            "done": _("done"), "closed": _("closed")}.get(line.status, line.status)


def line_text(line: Line, today: date) -> str:
    extra = " · " + _("supporting documents required") if line.evidence_required else ""
    return (f"• {line.task_id} {line.title}\n   {line.label}\n   "
            + _("Unit {unit} · Due {due} ({left}) · {state}").format(
                unit=line.unit, due=fmt_date(line.due), left=days_text(line.due, today), state=_state(line, today))
            + extra)


def overdue_text(lines: list[Line], today: date) -> list[str]:
    return chunk_blocks("🔴 " + _("Overdue tasks ({count}) — on {day}").format(count=len(lines), day=fmt_date(today)),
                        [line_text(x, today) for x in lines])


def members_text(members: list[MemberRow], uncovered: list[UnitRow], names: dict[str, str] | None = None) -> list[str]:
    """`/thanhvien`: members per unit (the unit's short name, WORDING M5), then units nobody can be reminded at."""
    names = names or {}
    blocks = []
    for m in members:
        state = " " + _("(unreachable)") if not m.reachable else ""
        where = f" — {unit_short(names.get(m.unit) or m.unit)}" if m.unit else ""
        blocks.append(f"{m.name or m.chat_id}: {_(ROLE[m.role]) if m.role in ROLE else m.role}{where}{state}")
    text = chunk_blocks("👥 " + _("Members ({count})").format(count=len(members)), blocks)
    if uncovered:
        text += chunk_blocks("⚠️ " + _("Units with no head of unit receiving reminders:"),
                             [f"• {u.id} — {u.name}" for u in uncovered])
    return text
