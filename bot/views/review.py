"""Queues that wait for a decision: reviews (`rq:`, `rv:`) and blockers (`bq:`, `bk:`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.i18n import _
from bot.i18n.formats import fmt_number
from bot.services.review import Queue, ReviewCard
from bot.texts import fmt_date, fmt_local, unit_short
from bot.views import actions
from bot.views.model import Action, View
from bot.views.taskcard import file_text, short, subject_text

if TYPE_CHECKING:
    from bot.services.blockers import BlockerCard, BlockerList

MAX_FILES = 8  # ✔️ ↩️ + 8 files + back = 11 buttons


def _arrows(prefix: str, page: int, pages: int) -> tuple[Action, ...]:
    arrows = []
    if page > 0:
        arrows.append(Action("◀", f"{prefix}:{page - 1}"))
    if page + 1 < pages:
        arrows.append(Action("▶", f"{prefix}:{page + 1}"))
    return tuple(arrows)


def _title(text: str, total: int, page: int, pages: int) -> str:
    title = text.format(count=fmt_number(total))
    if pages > 1:
        title += " " + _("(page {page}/{pages})").format(page=page + 1, pages=pages)
    return title


def review_queue(q: Queue) -> View:
    blocks = ["📝 " + _title(_("Completions awaiting review: {count}"), q.total, q.page, q.pages)]
    rows: list[tuple[Action, ...]] = []
    for number, p in enumerate(q.items, start=1):
        blocks.append(f"{number}. " + subject_text(p.subject) + "\n   " + _(
            "sent {at} by {by}; {count} supporting documents").format(
            at=fmt_local(p.submitted_at), by=p.submitted_by or "?", count=fmt_number(p.evidence)))
        where = unit_short(p.subject.unit_name or p.subject.unit, 18)
        rows.append((Action(f"{number}. {p.subject.task_id} {where} {short(p.subject.title, 20)}",
                            f"rv:{p.review_id}"),))
    if not q.items:
        blocks.append(_("Nothing waits for review. 👍"))
    arrows = _arrows("rq", q.page, q.pages)
    if arrows:
        rows.append(arrows)
    return View(tuple(blocks), tuple(rows))


def review_card(card: ReviewCard) -> View:
    p = card.pending
    s = p.subject
    blocks = ["📝 " + _("Request to accept a completion"),
              f"{s.task_id} {s.title}\n" + _("Unit: {unit}").format(unit=s.unit_name or s.unit) + "\n"
              + _("Deadline: {label}, due {due}").format(label=s.label, due=fmt_date(s.due)) + "\n"
              + _("Sent {at} by {by}").format(at=fmt_local(p.submitted_at), by=p.submitted_by or "?")]
    files = [a for a in card.attached if a.kind in ("document", "photo")]
    notes = [a for a in card.attached if a.kind not in ("document", "photo")]
    if card.attached:
        lines = [f"{i}. " + ("🖼 " if a.kind == "photo" else "📄 ") + file_text(a) for i, a in enumerate(files, 1)]
        lines += [("🔗 " if a.kind == "link" else "💬 ") + short(a.name, 300) for a in notes]
        blocks.append(_("Supporting documents ({count}):").format(count=fmt_number(len(card.attached))) + "\n"
                      + "\n".join(lines))
    else:
        blocks.append(_("No supporting document attached."))
    if len(files) > MAX_FILES:
        blocks.append(_("The other files are in the /xuat package."))
    rows: list[tuple[Action, ...]] = []
    if card.decision is None:
        rows.append((Action("✔️ " + _("Accept"), f"rvok:{p.review_id}"),
                     Action("↩️ " + _("Return"), f"rvret:{p.review_id}")))
    else:
        blocks.append(_("Already accepted.") if card.decision == "accepted"
                      else _("Already returned: {reason}").format(reason=card.reason or ""))
    pair: list[Action] = []
    for i, a in enumerate(files[:MAX_FILES], start=1):
        pair.append(Action(f"{'🖼' if a.kind == 'photo' else '📄'} {i}. {short(a.name, 18)}", f"rvf:{a.evidence_id}"))
        if len(pair) == 2:
            rows.append(tuple(pair))
            pair = []
    if pair:
        rows.append(tuple(pair))
    rows.append((Action("◀ " + _("Review queue"), "rq:0"),))
    return View(tuple(blocks), tuple(rows))


def confirm_return(card: ReviewCard) -> View:
    """↩️ asks first: returning reopens the task and tells the unit."""
    return View(("↩️ " + _("Return this completion to the unit?"), subject_text(card.pending.subject),
                 _("The unit will be told, with the reason you type next.")),
                ((Action("↩️ " + _("Yes, return it"), f"rvrc:{card.pending.review_id}"),
                  Action("◀ " + _("No"), f"rv:{card.pending.review_id}")),))


def blocker_list(b: BlockerList) -> View:
    blocks = ["⚠️ " + _title(_("Open difficulties: {count}"), b.total, b.page, b.pages)]
    rows: list[tuple[Action, ...]] = []
    for number, item in enumerate(b.items, start=1):
        state = _("answered") if item.replies else (_("forwarded to leadership") if item.forwarded else _("new"))
        blocks.append(f"{number}. " + subject_text(item.subject) + "\n   " + _("{at}, {by}: {text} ({state})").format(
            at=fmt_local(item.created_at), by=item.by or "?", text=short(item.text, 120), state=state))
        where = unit_short(item.subject.unit_name or item.subject.unit, 18)
        rows.append((Action(f"{number}. {item.subject.task_id} {where} {short(item.text, 20)}",
                            f"bk:{item.blocker_id}"),))
    if not b.items:
        blocks.append(_("No open difficulty. 👍"))
    arrows = _arrows("bq", b.page, b.pages)
    if arrows:
        rows.append(arrows)
    return View(tuple(blocks), tuple(rows))


def blocker_card(c: BlockerCard) -> View:
    item = c.item
    blocks = ["⚠️ " + _("Difficulty reported"), subject_text(item.subject),
              _("{at}, {by}:").format(at=fmt_local(item.created_at), by=item.by or "?") + "\n" + item.text]
    if item.forwarded:
        blocks.append(_("Forwarded to the department's leadership."))
    for r in c.replies:
        blocks.append("💬 " + _("Direction from {by}, {at}:").format(by=r.by or "?", at=fmt_local(r.at)) + "\n"
                      + r.text)
    if c.resolved:
        blocks.append("✔️ " + _("Resolved."))
    rows: list[tuple[Action, ...]] = []
    if not c.resolved:
        first: list[Action] = []
        if c.can_reply:
            # the office (which forwards) answers and advises; only leadership gives a direction
            first.append(Action("💬 " + (_("Answer / advise") if c.can_forward else _("Give direction")),
                                f"bkr:{item.blocker_id}"))
        if c.can_forward and not item.forwarded:
            first.append(Action("➡️ " + _("Forward to leadership"), f"fwd:{item.blocker_id}"))
        if first:
            rows.append(tuple(first))
        if c.can_resolve:
            rows.append((Action("✔️ " + _("Mark resolved"), f"bkd:{item.blocker_id}"),))
        if c.can_withdraw:
            rows.append((Action("↩️ " + _("Withdraw the difficulty"), actions.blocker_withdraw(item.blocker_id)),))
    rows.append((Action("◀ " + _("Open difficulties"), "bq:0"),))
    return View(tuple(blocks), tuple(rows))
