"""A list of people to invite, from .xlsx or .csv: name, unit, title, phone or e-mail (columns found by their
header, in Vietnamese or English); each row's problem named, nothing invented."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass

from bot.domain.text import nfc

COLUMNS = {
    "name": ("ho ten", "ho va ten", "ten", "name", "full name"),
    "unit": ("don vi", "ma don vi", "unit", "phong"),
    "title": ("chuc vu", "chuc danh", "title", "position"),
    "contact": ("dien thoai", "so dien thoai", "sdt", "email", "e-mail", "thu dien tu", "phone", "lien he",
                "dien thoai hoac email", "phone or e-mail"),
}
MAX_ROWS = 2000


class RosterError(Exception):
    """A file that cannot be read as a list: `key` names the sentence (console catalog), `why` the detail."""

    def __init__(self, key: str, why: str = "") -> None:
        super().__init__(key)
        self.key = key
        self.why = why


@dataclass(frozen=True)
class Person:
    line: int
    name: str
    unit: str
    title: str
    contact: str


def _plain(text: str) -> str:
    # "\u0111" (d with stroke) has no decomposition: replaced by hand
    text = unicodedata.normalize("NFD", text.strip().lower()).replace("\u0111", "d")
    return re.sub(r"\s+", " ", "".join(c for c in text if unicodedata.category(c) != "Mn")).strip(" :*")


def _rows_csv(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RosterError("encoding") from None
    dialect = csv.excel_tab if text.count("\t") > text.count(",") and text.count("\t") > text.count(";") else None
    delimiter = ";" if dialect is None and text.count(";") > text.count(",") else ","
    reader = csv.reader(io.StringIO(text), dialect) if dialect else csv.reader(io.StringIO(text), delimiter=delimiter)
    return [list(row) for row in reader]


def _rows_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise RosterError("unreadable", type(exc).__name__) from None
    sheet = book.worksheets[0]
    rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True,
                                                                                    max_row=MAX_ROWS + 20)]
    book.close()
    return rows


def _header(rows: list[list[str]]) -> tuple[int, dict[str, int]]:
    """The header row among the first 10 (it names at least the name and the unit) and its columns."""
    for index, row in enumerate(rows[:10]):
        found: dict[str, int] = {}
        for col, cell in enumerate(row):
            plain = _plain(cell)
            for field, words in COLUMNS.items():
                if field not in found and plain in words:
                    found[field] = col
        if "name" in found and "unit" in found:
            return index, found
    raise RosterError("header")


def read_roster(name: str, data: bytes) -> list[Person]:
    """The people of a .csv or .xlsx list (header row found among the first 10 rows)."""
    lower = name.lower()
    rows = _rows_xlsx(data) if lower.endswith(".xlsx") else _rows_csv(data) if lower.endswith(".csv") else None
    if rows is None:
        raise RosterError("type")
    index, found = _header(rows)
    people = []
    for number, row in enumerate(rows[index + 1:index + 1 + MAX_ROWS], start=index + 2):
        def cell(field: str, row: list[str] = row) -> str:
            col = found.get(field)
            return nfc(row[col]).strip()[:200] if col is not None and col < len(row) else ""

        if not any(c.strip() for c in row):
            continue
        people.append(Person(number, cell("name"), cell("unit"), cell("title"), cell("contact")))
    return people
