"""The summary workbook (.xlsx) for the province's PAR scoring software: tasks, evidence, areas, metrics."""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.orm import Session

from bot.domain.plan import Metric
from bot.exports.records import Snapshot, area_key, load_snapshot
from bot.services.status import Counts
from bot.texts import VN_ZONE

BUCKET_VI = {"done": "Đã xong", "awaiting_review": "Chờ duyệt", "overdue": "Quá hạn", "open": "Đang mở"}
SOURCE_VI = {"seed": "Văn bản gốc", "assumed": "Giả định"}
KIND_VI = {"document": "Tài liệu", "photo": "Ảnh", "text": "Văn bản", "link": "Đường link"}
COMPARISON_SIGN = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "="}
DATE_FORMAT, DATETIME_FORMAT = "dd/mm/yyyy", "dd/mm/yyyy hh:mm"
MISSING_NOTE = "(thiếu tệp trên máy chủ — xem thieu-tep.txt)"

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
_MAX_WIDTH = 66  # a SHA-256 in full


class _Sheet:
    """A sheet written row by row, tracking column widths as it goes."""

    def __init__(self, ws: Worksheet, headers: Sequence[str], zone: ZoneInfo) -> None:
        self.ws, self.zone = ws, zone
        self.widths = [len(h) for h in headers]
        ws.append(list(headers))
        self.rows = 1
        for cell in ws[1]:
            cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
            cell.alignment = Alignment(vertical="center", wrap_text=True)

    def add(self, values: Iterable[Any], bold: bool = False) -> None:
        row = []
        for i, value in enumerate(values):
            if isinstance(value, datetime):  # Excel has no time zones: local wall-clock time
                value = value.astimezone(self.zone).replace(tzinfo=None)
            row.append(value)
            self.widths[i] = max(self.widths[i], 16 if isinstance(value, datetime) else
                                 11 if isinstance(value, date) else len(str(value)) if value is not None else 0)
        self.ws.append(row)
        self.rows += 1  # ws.max_row scans every cell: quadratic over a sheet
        for col, value in enumerate(row, start=1):
            if isinstance(value, date) or bold:
                cell = self.ws.cell(self.rows, col)
                if isinstance(value, date):
                    cell.number_format = DATETIME_FORMAT if isinstance(value, datetime) else DATE_FORMAT
                if bold:
                    cell.font = Font(bold=True)

    def finish(self, filter_rows: int | None = None) -> None:
        """Frozen header, autofilter over the data (not a total row below it), widths."""
        last_col = get_column_letter(len(self.widths))
        last_row = filter_rows + 1 if filter_rows is not None else self.rows
        self.ws.freeze_panes = "A2"
        self.ws.auto_filter.ref = f"A1:{last_col}{max(last_row, 1)}"
        for i, width in enumerate(self.widths, start=1):
            self.ws.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 8), _MAX_WIDTH)


def target_text(kind: str, comparison: str, target: float) -> str:
    """`≥ 90%`, `≤ 3`."""
    number = f"{target:g}".replace(".", ",")
    return f"{COMPARISON_SIGN.get(comparison, comparison)} {number}{'%' if kind == 'percent' else ''}"


def _occurrence_sheet(ws: Worksheet, snap: Snapshot, zone: ZoneInfo) -> None:
    sheet = _Sheet(ws, ["Lĩnh vực", "Tên lĩnh vực", "Mã nhiệm vụ", "Nhiệm vụ", "Nội dung hạn", "Đơn vị", "Hạn",
                        "Nguồn hạn", "Trạng thái", "Hoàn thành lúc", "Người xác nhận", "Người duyệt",
                        "Số minh chứng"], zone)
    for o in snap.occurrences:
        sheet.add([o.area, o.area_name, o.task_id, o.title, o.label, o.unit, o.due, SOURCE_VI.get(o.source, o.source),
                   BUCKET_VI[o.bucket], o.completed_at, o.confirmed_by, o.reviewed_by, o.evidence_count])
    sheet.finish()


def _evidence_sheet(ws: Worksheet, snap: Snapshot, zone: ZoneInfo) -> None:
    sheet = _Sheet(ws, ["Mã nhiệm vụ", "Đơn vị", "Hạn", "Loại", "Tên tệp", "Kích thước (byte)", "SHA-256",
                        "Nội dung/đường link", "Người gửi", "Thời điểm", "Đường dẫn trong gói"], zone)
    for e in snap.evidence:
        where = MISSING_NOTE if e.is_file and e.disk_size is None else e.archive_path
        sheet.add([e.occurrence.task_id, e.occurrence.unit, e.occurrence.due, KIND_VI.get(e.kind, e.kind),
                   e.file_name, e.size, e.sha256, e.text, e.sender, e.created_at, where])
    sheet.finish()


def area_counts(snap: Snapshot) -> tuple[dict[str, Counts], dict[str, str]]:
    """Counts per area over the whole plan, with the categories of bot.services.status."""
    counts: dict[str, Counts] = defaultdict(Counts)
    names: dict[str, str] = {}
    for o in snap.occurrences:
        counts[o.area].add(o.bucket)
        names[o.area] = o.area_name
    return dict(sorted(counts.items(), key=lambda kv: area_key(kv[0]))), names


def _rate(c: Counts) -> float:
    return round(100 * c.done / c.total, 1) if c.total else 0.0


def _summary_sheet(ws: Worksheet, snap: Snapshot, zone: ZoneInfo) -> None:
    sheet = _Sheet(ws, ["Lĩnh vực", "Tên", "Tổng", "Đã xong", "Chờ duyệt", "Quá hạn", "Đang mở",
                        "Tỷ lệ hoàn thành (%)"], zone)
    counts, names = area_counts(snap)
    total = Counts()
    for area, c in counts.items():
        sheet.add([area, names[area], c.total, c.done, c.awaiting_review, c.overdue, c.open, _rate(c)])
        for name in ("done", "awaiting_review", "overdue", "open"):
            setattr(total, name, getattr(total, name) + getattr(c, name))
    sheet.add(["Tổng cộng", "", total.total, total.done, total.awaiting_review, total.overdue, total.open,
               _rate(total)], bold=True)
    for (cell,) in ws.iter_rows(min_row=2, min_col=8, max_col=8):
        cell.number_format = "0.0"
    sheet.finish(filter_rows=len(counts))


def _metric_sheet(ws: Worksheet, snap: Snapshot, zone: ZoneInfo) -> None:
    sheet = _Sheet(ws, ["Mã nhiệm vụ", "Chỉ tiêu", "Mục tiêu", "Đơn vị", "Giá trị mới nhất", "Kết quả",
                        "Người báo cáo", "Thời điểm"], zone)
    for m in snap.metrics:
        if m.value is None:
            verdict = "Chưa báo cáo"
        else:
            rule = Metric.model_construct(id="m", name=m.name, kind=m.kind, target=m.target, comparison=m.comparison)
            verdict = "Đạt" if rule.is_met(m.value) else "Chưa đạt"
        sheet.add([m.task_id, m.name, target_text(m.kind, m.comparison, m.target), m.unit, m.value, verdict,
                   m.reported_by, m.reported_at])
    for (cell,) in ws.iter_rows(min_row=2, min_col=5, max_col=5):
        cell.number_format = "General"
    sheet.finish()


SHEETS = (("Lượt việc", _occurrence_sheet), ("Minh chứng", _evidence_sheet),
          ("Tổng hợp lĩnh vực", _summary_sheet), ("Chỉ tiêu", _metric_sheet))


def render_workbook(snap: Snapshot, zone: ZoneInfo = VN_ZONE) -> bytes:
    """The .xlsx bytes of a snapshot."""
    wb = Workbook()
    wb.remove(wb.active)  # type: ignore[arg-type]
    for title, fill in SHEETS:
        fill(wb.create_sheet(title), snap, zone)
    wb.properties.creator = "nhacviec"
    wb.properties.title = f"Tổng hợp thực hiện kế hoạch CCHC đến ngày {snap.today:%d/%m/%Y}"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def build_workbook(session: Session, today: date, zone: ZoneInfo = VN_ZONE) -> bytes:
    """The summary workbook of the whole plan as of `today`."""
    return render_workbook(load_snapshot(session, today), zone)
