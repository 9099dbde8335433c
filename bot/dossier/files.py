"""The files the office hands in: the dossier workbook (.xlsx) in the criteria's order, a ZIP with one folder per
criterion, and a draft of the annual CCHC report (.docx) for the office to finish in Word.

Every cell a person wrote (names, giai trinh, so/ky hieu, trich yeu…) is written as text: a value such as
"=HYPERLINK(…)" stays a string and never becomes a formula.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from bot.dossier.facts import Document
from bot.dossier.outline import Outline, OutlineRow, area_of
from bot.i18n import _
from bot.i18n.formats import fmt_number
from bot.texts import cut_at_word, fmt_date

WORKBOOK, BUNDLE, REPORT = "ho-so-tu-danh-gia.xlsx", "tai-lieu-kiem-chung.zip", "du-thao-bao-cao-cchc.docx"
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')
_WIDTHS = (10, 48, 10, 10, 40, 20, 13, 48, 28, 16, 30, 12)


def _headers() -> list[str]:
    return [_("Code"), _("Criterion"), _("Maximum"), _("Self-score"), _("Explanation"),
            _("Number and sign"), _("Date of issue"), _("Subject"), _("Issuing body"),
            _("Section/page"), _("File name"), _("Unit")]


def _text_cell(cell: Cell, value: str | None) -> None:
    """A person's words as a string cell, whatever they start with."""
    if value:
        cell.value = value
        cell.data_type = "s"


def render_workbook(outline: Outline) -> bytes:
    """One row per criterion in the province's order, its documents on the rows under it."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = _("Dossier")[:31]
    ws.append(_headers())
    for cell in ws[1]:
        cell.font, cell.fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="1F4E78")
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    line = 1
    for row in outline.rows:
        line += 1
        node = row.node
        _text_cell(ws.cell(line, 1), node.code)
        _text_cell(ws.cell(line, 2), node.name)
        ws.cell(line, 3).value = node.max_points
        if row.score is not None:
            ws.cell(line, 4).value = row.score.score
            _text_cell(ws.cell(line, 5), row.score.explanation)
        if node.depth == 0:
            for col in range(1, 6):
                ws.cell(line, col).font = Font(bold=True)
        for doc in row.documents:
            line += 1
            _text_cell(ws.cell(line, 1), node.code)
            _document_cells(ws, line, doc)
    for i, width in enumerate(_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _document_cells(ws: Any, line: int, doc: Document) -> None:
    _text_cell(ws.cell(line, 6), doc.number)
    if doc.issued_on is not None:
        ws.cell(line, 7).value = doc.issued_on
        ws.cell(line, 7).number_format = "dd/mm/yyyy"
    _text_cell(ws.cell(line, 8), doc.summary)
    _text_cell(ws.cell(line, 9), doc.issuer)
    _text_cell(ws.cell(line, 10), doc.section)
    _text_cell(ws.cell(line, 11), doc.file_name)
    _text_cell(ws.cell(line, 12), doc.unit or _("Office"))


def safe_name(text: str, limit: int = 60, words: bool = False) -> str:
    """A folder or file name any unzip tool accepts (no separators, no control characters, not too long); with
    `words` (a folder) cut after a whole word, never on a joining word (TRIAL-NOTES #32)."""
    name = " ".join(_UNSAFE.sub(" ", text).strip(" .").split())
    return (cut_at_word(name, limit) if words else name[:limit]).rstrip(" .") or "_"


@dataclass(frozen=True)
class BundleResult:
    path: Path
    files: int
    missing: tuple[str, ...]  # "<folder>/<name>": documents whose file is not on disk (or has none)


def write_bundle(outline: Outline, path: Path) -> BundleResult:
    """One folder per criterion holding its documents' files, each once per folder."""
    files, missing = 0, []
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for row in outline.rows:
            if not row.documents:
                continue
            folder = safe_name(f"{row.node.code} {row.node.name}", words=True)
            used: set[str] = set()
            seen: set[tuple[int | None, int | None]] = set()
            for doc in row.documents:
                if (doc.evidence_id, doc.office_document_id) in seen:
                    continue
                seen.add((doc.evidence_id, doc.office_document_id))
                name = safe_name(doc.file_name or f"{doc.number or doc.evidence_id}", 100)
                if name.lower() in used:
                    name = f"{doc.evidence_id or doc.office_document_id}-{name}"
                used.add(name.lower())
                source = Path(doc.stored_path) if doc.stored_path else None
                if source is None or not source.is_file():
                    missing.append(f"{folder}/{name}")
                    continue
                zf.write(source, f"{folder}/{name}")
                files += 1
    return BundleResult(path, files, tuple(missing))


def _doc_line(doc: Document) -> str:
    parts = [doc.number or _("(no number)"),
             _("dated {day}").format(day=fmt_date(doc.issued_on)) if doc.issued_on else _("(no date)"),
             doc.summary or doc.file_name or "", doc.issuer or ""]
    where = _("section/page: {where}").format(where=doc.section) if doc.section else ""
    return "; ".join(p for p in parts + [where] if p)


def render_report(outline: Outline, today: date) -> bytes:
    """A draft annual CCHC report: per area what was done and its evidence, then difficulties and proposals."""
    from docx import Document as Docx

    doc = Docx()
    year = outline.set.year
    doc.add_heading(_("Report on administrative reform in {year} (draft)").format(year=year), level=0)
    doc.add_paragraph(_("Draft prepared on {day} from the dossier; the office completes it.").format(
        day=fmt_date(today)))
    areas = area_of(outline.rows)
    by_area: dict[int, list[OutlineRow]] = {}
    for row in outline.rows:
        by_area.setdefault(areas[row.node.id], []).append(row)
    doc.add_heading(_("I. Results by area"), level=1)
    for row in outline.rows:
        if row.node.depth != 0:
            continue
        doc.add_heading(f"{row.node.code}. {row.node.name}", level=2)
        members = by_area.get(row.node.id, [])
        done, due = sum(r.done for r in members), sum(r.due for r in members)
        doc.add_paragraph(_("Tasks done and accepted: {done} of {due}.").format(done=fmt_number(done),
                                                                                due=fmt_number(due)))
        for member in members[1:]:
            if member.score is not None:
                doc.add_paragraph(_("{code} {name}: self-score {score} of {max}. {explanation}").format(
                    code=member.node.code, name=member.node.name, score=fmt_number(member.score.score),
                    max=fmt_number(member.node.max_points), explanation=member.score.explanation).strip(),
                    style="List Bullet")
        evidence = [(m.node.code, d) for m in members for d in m.documents]
        doc.add_paragraph(_("Evidence:"))
        if not evidence:
            doc.add_paragraph(_("(no document yet)"), style="List Bullet")
        for code, d in evidence:
            doc.add_paragraph(f"{code}: {_doc_line(d)}", style="List Bullet")
    doc.add_heading(_("II. Difficulties"), level=1)
    if not outline.difficulties:
        doc.add_paragraph(_("(no difficulty reported)"))
    for item in outline.difficulties:
        doc.add_paragraph(_("{area} — task {task}, {unit}: {text}").format(
            area=item.area_code, task=item.task_id, unit=item.unit, text=item.text), style="List Bullet")
    doc.add_heading(_("III. Proposals"), level=1)
    lost = [r for r in outline.rows if r.score is not None and r.score.score < r.node.max_points]
    for r in lost:
        doc.add_paragraph(_("{code} {name}: {lost} point(s) below the maximum; to improve next year.").format(
            code=r.node.code, name=r.node.name, lost=fmt_number(r.node.max_points - r.score.score)
            if r.score else ""), style="List Bullet")
    doc.add_paragraph(_("(the office adds its proposals here)"))
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


@dataclass(frozen=True)
class Written:
    workbook: Path
    bundle: BundleResult
    report: Path


def write_all(outline: Outline, out_dir: Path, today: date) -> Written:
    """The three files into `out_dir` (made when missing)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    workbook = out_dir / WORKBOOK
    workbook.write_bytes(render_workbook(outline))
    bundle = write_bundle(outline, out_dir / BUNDLE)
    report = out_dir / REPORT
    report.write_bytes(render_report(outline, today))
    return Written(workbook, bundle, report)
