"""Vietnamese text of reminder bundles, escalations, catch-ups and notices (≤ 4,096 characters each)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from bot.engine.channel import Button, OutMessage
from bot.engine.outbox import Claimed
from bot.texts import VN_ZONE, days_left_text, fmt_date, fmt_local, rung_label

TELEGRAM_LIMIT = 4096
TASKS_PER_MESSAGE = 15  # at most 5 buttons a task: well under Telegram's ~100 buttons a message


def _task_block(item: Claimed, today: date) -> str:
    assert item.due is not None
    lines = [f"• [{item.task_id}] {item.title}",
             f"   Lĩnh vực {item.area}: {item.area_name}",
             f"   Nội dung: {item.label}",
             f"   Đơn vị: {item.unit_name} ({item.unit}) · Hạn: {fmt_date(item.due)} "
             f"({days_left_text(item.due, today)})"]
    if item.kind == "escalation":
        lines.insert(0, f"⚠️ {rung_label(item.rung)}")
    if item.note and item.note.startswith("no_recipient:"):
        lines.append(f"   (Đơn vị {item.note.split(':', 1)[1]} chưa có người nhận nhắc việc: Văn phòng xem giúp.)")
    if item.late:
        lines.append(f"   (Gửi muộn: lẽ ra gửi lúc {fmt_local(item.due_at)})")
    if item.uncertain:
        lines.append("   (Có thể anh/chị đã nhận tin này trước đó.)")
    return "\n".join(lines)


def reminder_header(items: list[Claimed]) -> str:
    """Heading of a bundle: how many tasks, and whether it is an escalation."""
    escalations = sum(1 for i in items if i.kind == "escalation")
    if escalations == len(items):
        return f"⚠️ Báo cáo chậm tiến độ: {len(items)} việc quá hạn cần đôn đốc"
    return f"🔔 Nhắc việc: {len(items)} việc cần hoàn thành"


def occurrence_buttons(oid: int, prefix: str = "") -> tuple[tuple[Button, ...], ...]:
    """Per-task actions as two rows (phone width); callback data stays under Telegram's 64 bytes."""
    return ((Button(f"{prefix}✅ Hoàn thành", f"done:{oid}"), Button(f"{prefix}📎 Gửi minh chứng", f"ev:{oid}")),
            (Button(f"{prefix}⏰ Nhắc lại sau", f"snz:{oid}"), Button(f"{prefix}⚠️ Báo vướng mắc", f"blk:{oid}")))


def task_buttons(item: Claimed, tag: bool) -> tuple[tuple[Button, ...], ...]:
    """The buttons of one task in a reminder; escalations (to people who cannot act) have none."""
    if item.occurrence_id is None or item.kind == "escalation":
        return ()
    prefix = f"[{item.task_id}·{item.unit}] " if tag else ""
    return occurrence_buttons(item.occurrence_id, prefix) + metric_buttons(item.metrics, prefix)


def metric_buttons(metrics: tuple[tuple[int, str], ...], prefix: str = "") -> tuple[tuple[Button, ...], ...]:
    """📈 for a task with measurable targets: one button, or one per metric (named, two a row, at most 4)."""
    if len(metrics) == 1:
        return ((Button(f"{prefix}📈 Báo số liệu", f"mt:{metrics[0][0]}"),),)
    buttons = [Button(f"{prefix}📈 {name if len(name) <= 24 else name[:23] + '…'}", f"mt:{mid}")
               for mid, name in metrics[:4]]
    return tuple(tuple(buttons[i:i + 2]) for i in range(0, len(buttons), 2))


def chunk_blocks(header: str, blocks: Iterable[str], limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Join blocks under a header, splitting into messages that fit Telegram's limit."""
    chunks: list[str] = []
    current = header
    for block in blocks:
        block = block[: limit - len(header) - 4]
        if len(current) + 2 + len(block) > limit:
            chunks.append(current)
            current = header + " (tiếp)"
        current += "\n\n" + block
    chunks.append(current)
    return chunks


def _one_per_task(items: list[Claimed]) -> list[Claimed]:
    """Two rungs of one occurrence due together (a snooze landing on a rung, a catch-up after downtime)
    make one block: the latest rung; an escalation stays apart from a plain reminder."""
    latest: dict[tuple[int, bool], Claimed] = {}
    for item in items:
        if item.occurrence_id is not None:
            key = (item.occurrence_id, item.kind == "escalation")
            if key not in latest or item.due_at >= latest[key].due_at:
                latest[key] = item
    return [i for i in items if i.occurrence_id is None
            or latest[(i.occurrence_id, i.kind == "escalation")] is i]


def render_reminders(items: list[Claimed], now: datetime) -> list[tuple[str, tuple[tuple[Button, ...], ...]]]:
    """One bundle → messages of (text, keyboard rows); keyboards list each task's buttons."""
    today = now.astimezone(VN_ZONE).date()
    items = _one_per_task(items)
    header, tag = reminder_header(items), len(items) > 1
    # A long bundle is split; each part carries the buttons of its own tasks (Telegram allows ~100 buttons).
    parts: list[list[Claimed]] = [[]]
    length = len(header)
    for item in items:
        block = len(_task_block(item, today)) + 2
        if parts[-1] and (length + block > TELEGRAM_LIMIT - 16 or len(parts[-1]) >= TASKS_PER_MESSAGE):
            parts.append([])
            length = len(header) + 8
        parts[-1].append(item)
        length += block
    out = []
    for index, part in enumerate(parts):
        title = header if index == 0 else header + " (tiếp)"
        (text,) = chunk_blocks(title, [_task_block(i, today) for i in part])[:1]
        out.append((text, tuple(row for i in part for row in task_buttons(i, tag=tag))))
    return out


def render_catch_up(items: list[Claimed], now: datetime) -> list[str]:
    """Very stale reminders folded into one summary per person."""
    today = now.astimezone(VN_ZONE).date()
    first = min(i.due_at for i in items)
    header = (f"📋 Trong thời gian bot tạm ngừng có {len(items)} lời nhắc chưa gửi được "
              f"(từ {fmt_date(first.astimezone(VN_ZONE).date())}). Các việc còn mở:")
    seen: dict[int | None, Claimed] = {}
    for item in items:
        seen[item.occurrence_id] = item
    blocks = []
    for item in seen.values():
        if item.due is None:
            blocks.append(f"• {item.body or ''}")
        else:
            blocks.append(f"• [{item.task_id}] {item.title} — {item.unit}, hạn {fmt_date(item.due)} "
                          f"({days_left_text(item.due, today)})")
    return chunk_blocks(header, blocks)


def render_notice(chat_id: int, item: Claimed) -> OutMessage:
    """A notice (review request, blocker, unreachable member...) as one message with its own buttons."""
    rows = tuple(tuple(Button(text, data) for text, data in row) for row in (item.buttons or []))
    return OutMessage(chat_id, (item.body or "")[:TELEGRAM_LIMIT], rows)
