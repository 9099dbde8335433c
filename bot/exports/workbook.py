"""The summary workbook (.xlsx) for the province's PAR scoring software: tasks, evidence, areas, metrics,
and the self-scoring table when criteria are loaded. Headers and labels in the reader's language."""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.orm import Session

from bot.domain.plan import Metric
from bot.exports.records import EvidenceRecord, MetricRecord, Snapshot, area_key, load_snapshot
from bot.exports.sheet import Sheet
from bot.i18n import N_, _
from bot.i18n.formats import fmt_number
from bot.services.status import Counts
from bot.texts import VN_ZONE

BUCKET_LABELS = {"done": N_("Done"), "awaiting_review": N_("Awaiting review"), "overdue": N_("Overdue"),
                 "open": N_("Open"), "closed": N_("Closed")}
SOURCE_LABELS = {"seed": N_("Plan text"), "assumed": N_("Assumed")}
KIND_LABELS = {"document": N_("Document"), "photo": N_("Photo"), "text": N_("Text"), "link": N_("Link")}
COMPARISON_SIGN = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "="}
MISSING_NOTE = N_("(file missing on the server — see thieu-tep.txt)")
# What the province's scoring software asks of each document, in its order, next to the file name.
DOCUMENT_HEADERS = (N_("Number"), N_("Date of issue"), N_("Subject"), N_("Issued by"))


def label(table: dict[str, str], key: str) -> str:
    """A status, source or kind in the reader's language (unknown keys as they are)."""
    return _(table[key]) if key in table else key


def headers(*names: str) -> list[str]:
    return [_(name) for name in names]


def document_cells(e: EvidenceRecord) -> list[Any]:
    """Number, date of issue, subject and issuing body of one evidence item (DOCUMENT_HEADERS)."""
    return [e.doc_number, e.doc_date, e.doc_summary, e.doc_issuer]


def where_in_package(e: EvidenceRecord) -> str:
    return _(MISSING_NOTE) if e.is_file and e.disk_size is None else e.archive_path


def target_text(kind: str, comparison: str, target: float) -> str:
    """`≥ 90%`, `≤ 3`."""
    return f"{COMPARISON_SIGN.get(comparison, comparison)} {fmt_number(target)}{'%' if kind == 'percent' else ''}"


def _occurrence_sheet(ws: Worksheet, snap: Snapshot, zone: ZoneInfo) -> None:
    sheet = Sheet(ws, headers(N_("Area"), N_("Area name"), N_("Task code"), N_("Task"), N_("Deadline"),
                              N_("Unit"), N_("Unit name"), N_("Due"), N_("Deadline source"), N_("Status"),
                              N_("Completed at"), N_("Confirmed by"), N_("Reviewed by"), N_("Evidence items"),
                              N_("Plan")), zone)
    for o in snap.occurrences:
        sheet.add([o.area, o.area_name, o.task_id, o.title, o.label, o.unit, o.unit_name, o.due,
                   label(SOURCE_LABELS, o.source), label(BUCKET_LABELS, o.bucket), o.completed_at, o.confirmed_by,
                   o.reviewed_by, o.evidence_count, o.plan])
    sheet.finish()


def _evidence_sheet(ws: Worksheet, snap: Snapshot, zone: ZoneInfo) -> None:
    sheet = Sheet(ws, headers(N_("Task code"), N_("Unit"), N_("Unit name"), N_("Due"), N_("Kind"), N_("File name"),
                              *DOCUMENT_HEADERS, N_("Size (bytes)"), "SHA-256", N_("Text or link"), N_("Sent by"),
                              N_("Sent at"), N_("Path in the package")), zone)
    for e in snap.evidence:
        sheet.add([e.occurrence.task_id, e.occurrence.unit, e.occurrence.unit_name, e.occurrence.due,
                   label(KIND_LABELS, e.kind), e.file_name, *document_cells(e), e.size, e.sha256, e.text, e.sender,
                   e.created_at, where_in_package(e)])
    sheet.finish()


def area_counts(snap: Snapshot) -> tuple[dict[str, Counts], dict[str, str]]:
    """Counts per area over the whole plan, with the categories of bot.services.status (closed ones apart)."""
    counts: dict[str, Counts] = defaultdict(Counts)
    names: dict[str, str] = {}
    for o in snap.occurrences:
        area = counts.setdefault(o.area, Counts())  # an area whose every occurrence is closed still has a row
        if o.bucket != "closed":
            area.add(o.bucket)
        names[o.area] = o.area_name
    return dict(sorted(counts.items(), key=lambda kv: area_key(kv[0]))), names


def _closed(snap: Snapshot) -> dict[str, int]:
    closed: dict[str, int] = defaultdict(int)
    for o in snap.occurrences:
        if o.bucket == "closed":
            closed[o.area] += 1
    return closed


def _rate(c: Counts) -> float:
    return round(100 * c.done / c.total, 1) if c.total else 0.0


def _summary_sheet(ws: Worksheet, snap: Snapshot, zone: ZoneInfo) -> None:
    sheet = Sheet(ws, headers(N_("Area"), N_("Name"), N_("Total"), N_("Done"), N_("Awaiting review"), N_("Overdue"),
                              N_("Open"), N_("Completion rate (%)"), N_("Closed")), zone)
    counts, names = area_counts(snap)
    closed = _closed(snap)
    total = Counts()
    for area, c in counts.items():
        sheet.add([area, names[area], c.total, c.done, c.awaiting_review, c.overdue, c.open, _rate(c),
                   closed.get(area, 0)])
        for name in ("done", "awaiting_review", "overdue", "open"):
            setattr(total, name, getattr(total, name) + getattr(c, name))
    sheet.add([_("Grand total"), "", total.total, total.done, total.awaiting_review, total.overdue, total.open,
               _rate(total), sum(closed.values())], bold=True)
    for (cell,) in ws.iter_rows(min_row=2, min_col=8, max_col=8):
        cell.number_format = "0.0"
    sheet.finish(filter_rows=len(counts))


def _verdict(m: MetricRecord) -> str:
    if m.value is None:
        return _("Not reported")
    rule = Metric.model_construct(id="m", name=m.name, kind=m.kind, target=m.target, comparison=m.comparison)
    return _("Met") if rule.is_met(m.value) else _("Not met")


def _metric_sheet(ws: Worksheet, snap: Snapshot, zone: ZoneInfo) -> None:
    sheet = Sheet(ws, headers(N_("Task code"), N_("Metric"), N_("Target"), N_("Unit"), N_("Unit name"),
                              N_("Latest value"),
                              N_("Numerator"), N_("Denominator"), N_("Result"), N_("Reported by"),
                              N_("Reported at")), zone)
    for m in snap.metrics:
        sheet.add([m.task_id, m.name, target_text(m.kind, m.comparison, m.target), m.unit, m.unit_name,
                   m.value, m.numerator,
                   m.denominator, _verdict(m), m.reported_by, m.reported_at])
    for (cell,) in ws.iter_rows(min_row=2, min_col=6, max_col=6):
        cell.number_format = "General"
    sheet.finish()


def _scoring_sheet(ws: Worksheet, snap: Snapshot, zone: ZoneInfo) -> None:
    """The self-scoring table: one bold row per criterion (self-score, maximum, explanation), then its evidence."""
    sheet = Sheet(ws, headers(N_("Criterion code"), N_("Criterion"), N_("Maximum points"), N_("Self-score"),
                              N_("Explanation"), N_("Tasks"), N_("Unit"), N_("Unit name"), N_("File name"),
                              *DOCUMENT_HEADERS,
                              N_("Path in the package"), N_("Scored by"), N_("Scored at")), zone)
    for c in snap.criteria:
        sheet.add([c.code, c.name, c.max_points, c.score, c.explanation, ", ".join(c.task_ids), "", "", "",
                   None, None, None, None, "", c.scored_by, c.scored_at], bold=True)
        if not c.evidence:
            sheet.add([c.code, "", None, None, "", ", ".join(c.task_ids), "", "", _("(no evidence yet)"),
                       None, None, None, None, "", "", None])
        for e in c.evidence:
            sheet.add([c.code, "", None, None, "", e.occurrence.task_id, e.occurrence.unit,
                       e.occurrence.unit_name, e.file_name or (e.text or "")[:200], *document_cells(e),
                       where_in_package(e), "", None])
    sheet.finish()


SheetFill = Callable[[Worksheet, Snapshot, ZoneInfo], None]
SHEETS: tuple[tuple[str, SheetFill], ...] = (
    (N_("Occurrences"), _occurrence_sheet), (N_("Evidence"), _evidence_sheet),
    (N_("Summary by area"), _summary_sheet), (N_("Metrics"), _metric_sheet))
SCORING_SHEET = N_("Self-scoring table")  # only when criteria are loaded: plans without them export as before


def render_workbook(snap: Snapshot, zone: ZoneInfo = VN_ZONE) -> bytes:
    """The .xlsx bytes of a snapshot."""
    wb = Workbook()
    wb.remove(wb.active)  # type: ignore[arg-type]
    sheets = SHEETS + (((SCORING_SHEET, _scoring_sheet),) if snap.criteria else ())
    for title, fill in sheets:
        fill(wb.create_sheet(_(title)[:31]), snap, zone)
    wb.properties.creator = "nhacviec"
    wb.properties.title = _("Implementation of the PAR plan as of {day}").format(day=f"{snap.today:%d/%m/%Y}")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def build_workbook(session: Session, today: date, zone: ZoneInfo = VN_ZONE) -> bytes:
    """The summary workbook of the whole plan as of `today`."""
    return render_workbook(load_snapshot(session, today), zone)
