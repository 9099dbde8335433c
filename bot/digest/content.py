"""Texts of the weekly digests, split to Telegram's 4,096 characters.

Every count comes from `compute_progress` for the same day, so a digest never disagrees with /tiendo.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import OccurrenceRow, ReviewRow, TaskRow, UnitRow
from bot.digest.week import countdown_text, open_blockers, results_countdown, week_changes
from bot.engine.messages import chunk_blocks
from bot.services.metrics import describe_metrics, metric_status, metrics_summary
from bot.services.status import Counts, compute_progress
from bot.texts import days_left_text, fmt_date

HORIZON = 14  # days ahead a unit's digest lists deadlines for
SECTION_LIMIT = 3000  # a section longer than this continues in a second block (chunk_blocks would cut it)


def counts_line(c: Counts) -> str:
    """The same wording as /tiendo."""
    return f"✅ {c.done} xong · ⏳ {c.awaiting_review} chờ duyệt · 🔴 {c.overdue} quá hạn · ⬜ {c.open} đang mở"


def done_share(c: Counts) -> str:
    return f"{round(100 * c.done / c.total)}%" if c.total else "0%"


def sections(title: str, lines: list[str], limit: int = SECTION_LIMIT) -> list[str]:
    """`title` then its lines, as blocks short enough for one message each."""
    blocks, current = [], title
    for line in lines:
        if len(current) + 1 + len(line) > limit and current != title:
            blocks.append(current)
            current = f"{title.rstrip(':')} (tiếp):"
        current += "\n" + line
    blocks.append(current)
    return blocks


def _grouped(rows: list[tuple[OccurrenceRow, TaskRow]], today: date,
             reasons: dict[int, str] | None = None, countdown: bool = True) -> list[str]:
    """Lines of tasks under their deadline: many tasks share one (the 20/11 results), say it once."""
    lines: list[str] = []
    last: tuple[date, str] | None = None
    for occ, task in rows:
        if (occ.due, occ.label) != last:
            last = (occ.due, occ.label)
            left = f" ({days_left_text(occ.due, today)})" if countdown else ""
            lines.append(f"• Hạn {fmt_date(occ.due)}{left} — {occ.label}:")
        line = f"   [{occ.task_id}] {task.title}"
        if reasons is not None:
            line += f"\n      Lý do trả lại: {reasons.get(occ.id) or '(không ghi)'}"
        lines.append(line)
    return lines


def unit_digest(session: Session, unit: str, now: datetime, zone: ZoneInfo) -> list[str]:
    """To a unit's heads: overdue, returned (with the reason), due within 14 days, awaiting review."""
    today = now.astimezone(zone).date()
    horizon = today + timedelta(days=HORIZON)
    row = session.get(UnitRow, unit)
    head = f"📬 Tổng hợp tuần — {row.name if row else unit} ({unit}), ngày {fmt_date(today)}"
    rows = session.execute(select(OccurrenceRow, TaskRow).join(TaskRow, TaskRow.id == OccurrenceRow.task_id)
                           .where(OccurrenceRow.unit == unit, OccurrenceRow.retired_at.is_(None),
                                  TaskRow.retired_at.is_(None), OccurrenceRow.status != "done")
                           .order_by(OccurrenceRow.due, OccurrenceRow.task_id, OccurrenceRow.id)).all()
    returned = [(o, t) for o, t in rows if o.status == "returned"]
    overdue = [(o, t) for o, t in rows if o.status == "open" and o.due < today]
    upcoming = [(o, t) for o, t in rows if o.status == "open" and today <= o.due <= horizon]
    awaiting = [(o, t) for o, t in rows if o.status == "awaiting_review"]
    later = sum(1 for o, _ in rows if o.status == "open" and o.due > horizon)
    reasons: dict[int, str] = {}
    if returned:
        for review in session.scalars(select(ReviewRow).where(ReviewRow.occurrence_id.in_([o.id for o, _ in returned]),
                                                              ReviewRow.decision == "returned")
                                      .order_by(ReviewRow.decided_at, ReviewRow.id)):
            reasons[review.occurrence_id] = review.reason or ""
    p = compute_progress(session, today, unit)
    scope = f"Năm {p.year}" if p.year else "Toàn kế hoạch"
    blocks = [f"{scope}: {counts_line(p.total)}"]
    if not (returned or overdue or upcoming):
        blocks.append(f"✅ Không có việc nào cần làm trong {HORIZON} ngày tới: không có việc quá hạn, "
                      "sắp đến hạn hay bị trả lại.")
    for title, group, why in ((f"🔴 Quá hạn ({len(overdue)}):", overdue, None),
                              (f"↩️ Bị Văn phòng Sở trả lại, cần bổ sung ({len(returned)}):", returned, reasons),
                              (f"⏰ Đến hạn trong {HORIZON} ngày tới ({len(upcoming)}):", upcoming, None),
                              (f"📝 Đang chờ Văn phòng Sở duyệt ({len(awaiting)}):", awaiting, None)):
        if group:  # awaiting review is the office's move: no countdown for the unit
            blocks += sections(title, _grouped(group, today, why, countdown=group is not awaiting))
    if later:
        blocks.append(f"⬜ Còn {later} việc có hạn sau {fmt_date(horizon)}.")
    if returned or overdue or upcoming:
        blocks.append("Gõ /viec để báo hoàn thành, gửi minh chứng hoặc báo vướng mắc.")
    return chunk_blocks(head, blocks)


def overview_digest(session: Session, now: datetime, zone: ZoneInfo) -> list[str]:
    """To the office and leadership: counts per area and unit, the week, blockers, the 20/11 countdown, metrics."""
    today = now.astimezone(zone).date()
    p = compute_progress(session, today)
    scope = f"năm {p.year}" if p.year else "toàn kế hoạch"
    head = f"📊 Tổng hợp tuần — kế hoạch CCHC {scope} (ngày {fmt_date(today)})"
    due, days = results_countdown(session, today)
    blocks = [countdown_text(due, days),
              f"Tổng: {p.total.total} lượt việc, đã xong {done_share(p.total)}\n{counts_line(p.total)}"]
    blocks += sections("Theo lĩnh vực:", [f"{a}. {p.area_names[a]}: {counts_line(c)}" for a, c in p.areas.items()])
    blocks += sections("Theo đơn vị:", [f"{u}: {counts_line(c)}" for u, c in p.units.items()])
    blocks.append(week_changes(session, now, zone))
    blockers = open_blockers(session, zone)
    blocks += sections(f"⚠️ Vướng mắc chưa giải quyết ({len(blockers)}):", blockers) if blockers \
        else ["⚠️ Không có vướng mắc nào đang chờ giải quyết."]
    statuses = metric_status(session)
    if statuses:
        blocks += sections(f"📈 Chỉ tiêu: {metrics_summary(statuses)}", describe_metrics(statuses))
    return chunk_blocks(head, blocks)
