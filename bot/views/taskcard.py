"""The task card (`tc:`): one occurrence with the plan's detail, the evidence asked and attached, metrics,
status and history, its actions and "◀ Back"; and the words every answer uses to name its object."""

from __future__ import annotations

from datetime import date

from bot.i18n import N_, _
from bot.i18n.formats import fmt_number
from bot.services.queue import Attached, Card, Subject, TaskSummary
from bot.texts import days_left_text, fmt_date, fmt_local
from bot.views.model import Action, View

STATE = {"returned": N_("returned"), "overdue": N_("overdue"), "open": N_("not done"),
         "awaiting_review": N_("awaiting review"), "done": N_("done"), "closed": N_("closed")}
ICON = {"returned": "↩️", "overdue": "🔴", "open": "⬜", "awaiting_review": "⏳", "done": "✅", "closed": "🔒"}
HISTORY = {"completion_submitted": N_("reported done"), "evidence_added": N_("supporting document added"),
           "snoozed": N_("reminder postponed"), "blocker_reported": N_("difficulty reported"),
           "blocker_forwarded": N_("difficulty forwarded to the department's leadership"),
           "review_accepted": N_("accepted by the department office"),
           "review_returned": N_("returned by the department office"),
           "blocker_answered": N_("direction given on a difficulty"), "blocker_resolved": N_("difficulty resolved"),
           "metric_reported": N_("metric figure reported")}
COMPARISON = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "="}


def state_text(state: str) -> str:
    return _(STATE.get(state, state))


def subject_text(s: Subject) -> str:
    """`<code> <title> — <unit name>, <deadline label> due <dd/mm/yyyy>` in the current language."""
    return _("{code} {title} — {unit}, {label} due {due}").format(
        code=s.task_id, title=s.title, unit=s.unit_name, label=s.label, due=fmt_date(s.due))


def days_text(due: date, today: date) -> str:
    """Working days, as every reminder counts them (bot.texts.days_left_text)."""
    return days_left_text(due, today)


def short(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


def value_text(kind: str, value: float) -> str:
    return fmt_number(value) + ("%" if kind == "percent" else "")


def file_text(a: Attached) -> str:
    size = _(", {kb} KB").format(kb=fmt_number(max(1, (a.size or 0) // 1024))) if a.size else ""
    return _("{name}{size} — {by}, {at}").format(name=short(a.name, 80), size=size, by=a.by or "?",
                                                 at=fmt_local(a.at))


EVIDENCE_HEADING = {"plan": N_("Supporting documents the plan asks for:"),
                    "office": N_("Supporting documents the office requires:"),
                    "suggested": N_("Suggested supporting documents (proposed by the office):")}


def _asked_block(card: Card) -> str:
    if not card.asked:
        return ""
    # An item is ticked only when a document was matched to it (its name or trích yếu), never by count.
    lines = [("☑ " if i in card.matched else "☐ ") + name for i, name in enumerate(card.asked)]
    return _(EVIDENCE_HEADING.get(card.evidence_from, EVIDENCE_HEADING["suggested"])) + "\n" + "\n".join(lines)


def _metric_lines(card: Card) -> str:
    if not card.metrics:
        return ""
    lines = []
    for metric, _unit, latest in card.metrics:
        target = f"{COMPARISON.get(metric.comparison, metric.comparison)} {value_text(metric.kind, metric.target)}"
        now = value_text(metric.kind, latest.value) if latest is not None else _("not reported")
        lines.append(_("• {name}: target {target}; now {now}").format(name=metric.name, target=target, now=now))
    return "📈 " + _("Metrics:") + "\n" + "\n".join(lines)


def task_card(card: Card, today: date, back: str) -> View:
    """The card; `back` is the callback data of the list it was opened from."""
    s, state = card.item.subject, card.item.state
    blocks = [f"📌 {s.task_id} {s.title}",
              _("Unit: {unit}").format(unit=f"{s.unit_name} ({s.unit})") + "\n"
              + _("Deadline: {label} — due {due} ({left})").format(label=s.label, due=fmt_date(s.due),
                                                                    left=days_text(s.due, today))
              + (" " + _("(assumed, awaiting the office's confirmation)") if card.assumed else "") + "\n"
              + _("Status: {state}").format(state=f"{ICON[state]} {state_text(state)}")
              + ("\n⏰ " + _("Reminder postponed until {at}").format(at=fmt_local(card.snoozed_until))
                 if card.snoozed_until and state in ("open", "overdue", "returned") else "")]
    if card.detail:
        blocks.append("📝 " + short(card.detail, 1200)
                      + ("\n" + _("(the plan, {ref})").format(ref=card.ref) if card.ref else ""))
    blocks.append(_asked_block(card))
    if card.attached:
        blocks.append("📎 " + _("Attached ({count}):").format(count=fmt_number(len(card.attached))) + "\n"
                      + "\n".join("• " + file_text(a) for a in card.attached[-8:]))
    else:
        blocks.append("📎 " + _("No supporting document attached yet."))
    blocks.append(_metric_lines(card))
    if any(h.action in HISTORY for h in card.history):
        blocks.append(_("History:") + "\n" + "\n".join(
            f"• {fmt_local(h.at)} {_(HISTORY[h.action])}"
            + (f" — {h.by}" if h.by else "") + (f": {short(h.detail, 120)}" if h.detail else "")
            for h in card.history if h.action in HISTORY))  # internal actions (sync, outbox) are not history
    rows: list[tuple[Action, ...]] = []
    oid = s.occurrence_id
    if card.can_act and state != "done":
        if state != "awaiting_review":
            done = Action("✅ " + _("Mark as done"), f"done:{oid}")
            send = Action("📎 " + _("Send documents"), f"ev:{oid}")
            # evidence first when ✅ would be refused without it: the first button is one that can succeed
            rows.append((send, done) if card.evidence_required and not card.attached else (done, send))
            rows.append((Action("⏰ " + _("Remind me later"), f"snz:{oid}"),
                         Action("⚠️ " + _("Report a difficulty"), f"blk:{oid}")))
        else:
            rows.append((Action("📎 " + _("Send documents"), f"ev:{oid}"),))
        for metric, _unit, _latest in card.metrics[:2]:
            rows.append((Action("📈 " + short(_("Report {name}").format(name=metric.name), 40), f"mt:{metric.id}"),))
    if card.blockers:
        blocks.append("⚠️ " + _("Open difficulties: {count}").format(count=fmt_number(len(card.blockers))))
        rows.append((Action("⚠️ " + _("Difficulty #{id}").format(id=card.blockers[-1]), f"bk:{card.blockers[-1]}"),))
    rows.append((Action("◀ " + _("Back"), back),))
    return View(tuple(b for b in blocks if b), tuple(rows))


UNITS_PER_PAGE = 15


def task_summary(summary: TaskSummary, page: int = 0) -> View:
    """`/nhiemvu CODE`: one line per unit with its counts (paged), the reader's own open occurrences as buttons."""
    pages = max(1, -(-len(summary.units) // UNITS_PER_PAGE))
    page = min(max(page, 0), pages - 1)
    blocks = [f"📌 {summary.task_id} {summary.title}\n"
              + _("Area {area}: {name}").format(area=summary.area, name=summary.area_name)]
    lines = []
    for u in summary.units[page * UNITS_PER_PAGE:(page + 1) * UNITS_PER_PAGE]:
        counts = " · ".join(f"{ICON[s]} {fmt_number(u.counts[s])}" for s in ICON if u.counts.get(s))
        nearest = _(" — next due {due}").format(due=fmt_date(u.next_due)) if u.next_due else ""
        lines.append(f"• {u.unit_name} ({u.unit}): {counts}{nearest}")
    title = _("Per unit ({count}):").format(count=fmt_number(len(summary.units)))
    if pages > 1:
        title += " " + _("(page {page}/{pages})").format(page=page + 1, pages=pages)
    blocks.append(title + "\n" + ("\n".join(lines) if lines else _("No occurrence for your units.")))
    blocks.append(" · ".join(f"{ICON[s]} {state_text(s)}" for s in ICON))
    rows: list[tuple[Action, ...]] = [
        (Action(f"📌 {short(i.subject.label, 30)} — {fmt_date(i.subject.due)} ({i.subject.unit})",
                f"tc:{i.subject.occurrence_id}"),) for i in summary.own[:8]]
    arrows = []
    if page > 0:
        arrows.append(Action("◀", f"nv:{summary.task_id}:{page - 1}"))
    if page + 1 < pages:
        arrows.append(Action("▶", f"nv:{summary.task_id}:{page + 1}"))
    if arrows:
        rows.append(tuple(arrows))
    return View(tuple(blocks), tuple(rows))
