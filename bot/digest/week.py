"""What the overview tells besides the counts: the week's changes, open blockers, the results countdown."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import AuditRow, BlockerRow, MemberRow, MetricRow, OccurrenceRow
from bot.services.metrics import fmt_value
from bot.texts import fmt_date

RESULTS_DEADLINE = "ket-qua"  # the plan's common deadline: results to the office before 20/11 (section III)
ROLE_VI = {"admin": "quản trị", "head": "trưởng đơn vị", "leader": "Lãnh đạo Sở"}
_LISTED = 8
_WEEK_ACTIONS = ("completion_submitted", "review_accepted", "review_returned", "blocker_reported",
                 "metric_reported", "member_added", "invite_accepted")


def results_countdown(session: Session, today: date) -> tuple[date, int]:
    """The next due date of the common results deadline (the 20/11 one) and the days left to it."""
    due = session.scalar(select(OccurrenceRow.due).where(OccurrenceRow.deadline_id == RESULTS_DEADLINE,
                                                         OccurrenceRow.retired_at.is_(None),
                                                         OccurrenceRow.due >= today)
                         .order_by(OccurrenceRow.due).limit(1))
    if due is None:  # no such deadline in the plan, or its years are over: the calendar 20/11
        due = date(today.year, 11, 20)
        if due < today:
            due = date(today.year + 1, 11, 20)
    return due, (due - today).days


def countdown_text(due: date, days: int) -> str:
    if days == 0:
        return f"⏳ Hôm nay ({fmt_date(due)}) là hạn gửi kết quả về Văn phòng Sở."
    return f"⏳ Còn {days} ngày đến hạn gửi kết quả về Văn phòng Sở ({fmt_date(due)})."


def _short(occ: OccurrenceRow | None, subject: str) -> str:
    return f"[{occ.task_id}] {occ.unit} (hạn {fmt_date(occ.due)})" if occ is not None else subject


def _member_id(actor: str) -> int:
    """`member:12` → 12 (0 for anything else)."""
    _, _, number = actor.partition(":")
    return int(number) if number.isdigit() else 0


def _listing(items: list[str]) -> str:
    more = f" và {len(items) - _LISTED} việc khác" if len(items) > _LISTED else ""
    return ", ".join(items[:_LISTED]) + more


def week_changes(session: Session, now: datetime, zone: ZoneInfo) -> str:
    """The audit log of the last 7 days, counted and named: completions, reviews, blockers, members."""
    since = now - timedelta(days=7)
    rows = list(session.scalars(select(AuditRow).where(AuditRow.at > since, AuditRow.at <= now,
                                                       AuditRow.action.in_(_WEEK_ACTIONS))
                                .order_by(AuditRow.at, AuditRow.id)))
    keys = {r.subject for r in rows if r.action in _WEEK_ACTIONS[:4]}
    occs = {o.key: o for o in session.scalars(select(OccurrenceRow).where(OccurrenceRow.key.in_(keys)))} \
        if keys else {}
    member_ids = [_member_id(r.actor) for r in rows if r.action == "invite_accepted"]
    names = {m.id: m for m in session.scalars(select(MemberRow).where(MemberRow.id.in_(member_ids)))} \
        if member_ids else {}
    kinds = {m.id: m for m in session.scalars(select(MetricRow))} if any(
        r.action == "metric_reported" for r in rows) else {}
    found: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        occ = occs.get(r.subject)
        if r.action == "review_returned":
            found[r.action].append(f"{_short(occ, r.subject)}, lý do: {str(r.details.get('reason', ''))[:120]}")
        elif r.action == "member_added":
            d = r.details
            where = f" {d['unit']}" if d.get("role") == "head" and d.get("unit") else ""
            found[r.action].append(f"{d.get('name') or r.subject} ({ROLE_VI.get(d.get('role', ''), '')}{where})")
        elif r.action == "invite_accepted":
            member = names.get(_member_id(r.actor))
            where = f" {member.unit}" if member is not None and member.unit else ""
            who = member.name if member is not None else r.actor
            found["member_added"].append(f"{who} ({ROLE_VI.get(str(r.details.get('role')), '')}{where})")
        elif r.action == "metric_reported":
            task, _, unit = r.subject.partition("/")
            metric = kinds.get(int(r.details.get("metric") or 0))
            value = fmt_value(metric.kind, float(r.details["value"])) if metric and "value" in r.details else "?"
            found[r.action].append(f"[{task}] {unit.rpartition('/')[2]} {value}")
        else:
            found[r.action].append(_short(occ, r.subject))
    head = f"🗓 Tuần qua ({fmt_date(since.astimezone(zone).date())} – {fmt_date(now.astimezone(zone).date())}):"
    labels = (("completion_submitted", "📝 Đơn vị báo hoàn thành"), ("review_accepted", "✔️ Văn phòng Sở duyệt"),
              ("review_returned", "↩️ Văn phòng Sở trả lại"), ("blocker_reported", "⚠️ Vướng mắc mới"),
              ("metric_reported", "📈 Số liệu chỉ tiêu được báo"), ("member_added", "👥 Thành viên mới"))
    lines = [f"{label}: {len(found[key])} — {_listing(found[key])}" for key, label in labels if found[key]]
    return "\n".join([head, *(lines or ["Không có thay đổi nào trong 7 ngày qua."])])


def open_blockers(session: Session, zone: ZoneInfo) -> list[str]:
    """Blockers not resolved yet, oldest first, with whether leadership has them."""
    rows = session.execute(select(BlockerRow, OccurrenceRow).join(OccurrenceRow,
                                                                  OccurrenceRow.id == BlockerRow.occurrence_id)
                           .where(BlockerRow.resolved_at.is_(None))
                           .order_by(BlockerRow.created_at, BlockerRow.id)).all()
    out = []
    for blocker, occ in rows:
        where = "đã chuyển Lãnh đạo Sở" if blocker.forwarded_at is not None else "chưa chuyển Lãnh đạo Sở"
        day = fmt_date(blocker.created_at.astimezone(zone).date())
        out.append(f"• [{occ.task_id}] {occ.unit} — {occ.label}\n   Báo ngày {day}, {where}: {blocker.text[:300]}")
    return out
