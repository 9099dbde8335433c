"""Chat texts built from the read models (Vietnamese; split to Telegram's 4,096 characters)."""

from __future__ import annotations

from datetime import date

from bot.db.models import MemberRow, UnitRow
from bot.digest.content import sections
from bot.engine.messages import chunk_blocks
from bot.i18n import _
from bot.services.metrics import MetricStatus, describe_metrics, metrics_summary
from bot.services.status import Counts, Details, Line, Progress, bucket
from bot.texts import days_left_text, fmt_date, fmt_local

STATUS_VI = {"open": "đang mở", "returned": "bị trả lại", "awaiting_review": "chờ duyệt", "done": "đã xong",
             "overdue": "quá hạn", "closed": "đóng"}
ROLE_VI = {"admin": "Quản trị (Văn phòng Sở)", "head": "Trưởng đơn vị", "leader": "Lãnh đạo Sở"}
ACTION_VI = {"completion_submitted": "báo hoàn thành", "evidence_added": "thêm minh chứng", "snoozed": "hẹn nhắc lại",
             "blocker_reported": "báo vướng mắc", "blocker_forwarded": "chuyển vướng mắc lên Lãnh đạo Sở",
             "review_accepted": "Văn phòng duyệt", "review_returned": "Văn phòng trả lại"}


def counts_text(c: Counts) -> str:
    closed = _(" · 🔒 {count} closed").format(count=c.closed) if c.closed else ""
    return f"✅ {c.done} xong · ⏳ {c.awaiting_review} chờ duyệt · 🔴 {c.overdue} quá hạn · ⬜ {c.open} đang mở{closed}"


def progress_text(p: Progress, today: date, metrics: list[MetricStatus] | None = None) -> list[str]:
    """`/tiendo`: totals, per area, per unit; then the metrics against their targets when given."""
    scope = f"năm {p.year}" if p.year else "toàn kế hoạch"
    head = f"📊 Tiến độ {scope}" + (f" — đơn vị {p.unit}" if p.unit else "") + f" (ngày {fmt_date(today)})"
    blocks = [f"Tổng: {p.total.total} lượt việc\n{counts_text(p.total)}",
              "Theo lĩnh vực:\n" + "\n".join(f"{a}. {p.area_names[a]}: {counts_text(c)}" for a, c in p.areas.items())]
    if len(p.plans) > 1:  # several plans in one database: say which is which
        blocks.insert(1, _("By plan:") + "\n" + "\n".join(f"{t}: {counts_text(c)}" for t, c in p.plans.items()))
    if not p.unit:
        blocks.append("Theo đơn vị:\n" + "\n".join(f"{u}: {counts_text(c)}" for u, c in p.units.items()))
    if metrics:
        blocks += sections(f"📈 Chỉ tiêu: {metrics_summary(metrics)}", describe_metrics(metrics))
    return chunk_blocks(head, blocks)


def line_text(line: Line, today: date) -> str:
    overdue = line.status in ("open", "returned") and line.due < today
    status = STATUS_VI["overdue"] if overdue else STATUS_VI[line.status]
    extra = " · cần minh chứng" if line.evidence_required else ""
    return (f"• [{line.task_id}] {line.title}\n   {line.label}\n   Đơn vị {line.unit} · Hạn {fmt_date(line.due)} "
            f"({days_left_text(line.due, today)}) · {status}{extra}")


def overdue_text(lines: list[Line], today: date) -> list[str]:
    return chunk_blocks(f"🔴 Việc quá hạn ({len(lines)}) — ngày {fmt_date(today)}",
                        [line_text(x, today) for x in lines])


def details_text(d: Details, today: date, names: dict[int, str]) -> list[str]:
    """`/nhiemvu`: the task, each occurrence with status, evidence, reviews; recent history."""
    task = d.task
    head = f"📌 [{task.id}] {task.title}\nLĩnh vực {task.area}: {task.area_name}"
    if task.evidence_required:
        head += "\nCần minh chứng khi báo hoàn thành."
    blocks = []
    for occ in d.occurrences:
        lines = [f"• {occ.label} — {occ.unit}, hạn {fmt_date(occ.due)}: {STATUS_VI[bucket(occ, today)]}"]
        for ev in d.evidence.get(occ.id, []):
            what = ev.file_name or (ev.text or "")[:80]
            size = f", {ev.size // 1024} KB" if ev.size else ""
            lines.append(f"   📎 {what}{size} — {names.get(ev.member_id, '?')}, {fmt_local(ev.created_at)}")
        for rev in d.reviews.get(occ.id, []):
            verdict = {"accepted": "đã duyệt", "returned": f"trả lại: {rev.reason}", None: "chờ duyệt"}[rev.decision]
            lines.append(f"   📝 gửi duyệt {fmt_local(rev.submitted_at)} — {verdict}")
        blocks.append("\n".join(lines))
    if not d.occurrences:
        blocks.append("(Không có lượt việc nào của đơn vị anh/chị.)")
    if d.history:
        blocks.append("Lịch sử gần đây:\n" + "\n".join(
            f"  {fmt_local(h.at)} {ACTION_VI.get(h.action, h.action)} {h.subject}" for h in d.history))
    return chunk_blocks(head, blocks)


def members_text(members: list[MemberRow], uncovered: list[UnitRow]) -> list[str]:
    """`/thanhvien`: members per unit, then units nobody can be reminded at."""
    blocks = []
    for m in members:
        state = "" if m.reachable else " (không liên lạc được)"
        where = f" — {m.unit}" if m.unit else ""
        blocks.append(f"#{m.id} {m.name or m.chat_id}: {ROLE_VI.get(m.role, m.role)}{where}{state}")
    text = chunk_blocks(f"👥 Thành viên ({len(members)})", blocks)
    if uncovered:
        text += chunk_blocks("⚠️ Đơn vị chưa có trưởng đơn vị nhận nhắc việc:",
                             [f"• {u.id} — {u.name}" for u in uncovered])
    return text
