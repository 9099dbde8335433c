"""A worksheet written row by row: bold header on blue, frozen, filtered, columns sized to their contents."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

DATE_FORMAT, DATETIME_FORMAT = "dd/mm/yyyy", "dd/mm/yyyy hh:mm"
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
_MAX_WIDTH = 66  # a SHA-256 in full
FORMULA_LEADS = ("=", "+", "-", "@")  # what a spreadsheet may read as the start of a formula


class Sheet:
    """A sheet written row by row, tracking column widths as it goes."""

    def __init__(self, ws: Worksheet, headers: Sequence[str], zone: ZoneInfo) -> None:
        self.ws, self.zone = ws, zone
        self.widths = [len(h) for h in headers]
        ws.append(list(headers))
        self.rows = 1
        for cell in ws[1]:
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_LEADS):
                cell.data_type = "s"
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
            if isinstance(value, str) and value.startswith(FORMULA_LEADS):
                # User-written text (evidence, names) is data, never a formula: openpyxl would store "=…" as one.
                self.ws.cell(self.rows, col).data_type = "s"
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
