"""Documents to a neutral list of blocks: paragraphs (text) and table rows (cells), text in NFC.

Word numbering is rendered into the text ("1.", "1.1.", "a)", "-") so that the structure reader sees
the same thing whether a plan came as .docx, as text exported from a PDF, or as an Excel appendix.
"""

from __future__ import annotations

import re
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.i18n import N_

_TOO_MANY_LINES = N_("{file} has more than {limit} lines or paragraphs; a plan document has far fewer")


class ReadError(Exception):
    """A document that cannot be read; `message` is a catalog message id, `params` its fields."""

    def __init__(self, message: str, /, **params: str) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


@dataclass(frozen=True)
class Block:
    """One paragraph (`cells` empty) or one table row (`text` is the cells joined by " | ")."""

    text: str
    cells: tuple[str, ...] = ()
    heading: int = 0  # 1-6: a Word heading style of that level; 7: a short paragraph set in bold

    @property
    def is_row(self) -> bool:
        return bool(self.cells)

    @property
    def upper(self) -> bool:
        """A short line in capitals, as headings come out of a PDF ("CẢI CÁCH THỂ CHẾ")."""
        letters = [ch for ch in self.text if ch.isalpha()]
        return len(letters) >= 6 and len(self.text) < 160 and self.text.isupper()


def clean(text: str) -> str:
    """NFC (Unikey "tổ hợp" input is NFD), no control characters, single spaces."""
    text = unicodedata.normalize("NFC", text).replace("\u00a0", " ").replace("\u200b", "")
    text = "".join(ch if ch in "\t\n" or unicodedata.category(ch)[0] != "C" else " " for ch in text)
    return re.sub(r"[ \u3000]+", " ", text).strip()


# Bounds on what a plan or criteria document may be: a real one is far smaller (a 100-page plan is 1-3 MB of
# Word XML, an appendix a few hundred rows). Past them the import stops with a message, in seconds and in
# bounded memory, instead of unpacking a bomb or reading a million rows.
MAX_FILE_MB = 20  # the file as given (.docx/.xlsx compressed)
MAX_TEXT_MB = 10  # a .txt
MAX_UNPACKED_MB = 60  # all members of a .docx/.xlsx, as the zip declares them (zipfile never inflates more)
MAX_MEMBERS = 2000
MAX_ROWS = 10_000  # rows of a workbook, all sheets
MAX_LINES = 100_000  # lines of a text, paragraphs and table rows of a Word document
MAX_COLUMNS = 64
MAX_SECONDS = 30.0


class _Budget:
    """Time and count limits while reading one document."""

    def __init__(self, path: Path) -> None:
        self.path, self.until = path, time.monotonic() + MAX_SECONDS

    def check(self, count: int, limit: int, message: str) -> None:
        if count > limit:
            raise ReadError(message, file=str(self.path), limit=f"{limit:,}".replace(",", "."))
        if count % 500 == 0 and time.monotonic() > self.until:
            raise ReadError(N_("Reading {file} took more than {limit} seconds: it is not a plan document of the "
                               "usual size"), file=str(self.path), limit=f"{MAX_SECONDS:.0f}")


def _mb(size: int) -> str:
    return f"{size / 1_000_000:.0f}"


def _check_size(path: Path, limit_mb: int) -> None:
    size = path.stat().st_size
    if size > limit_mb * 1_000_000:
        raise ReadError(N_("{file} is {size} MB; a plan document may be at most {limit} MB"), file=str(path),
                        size=_mb(size), limit=str(limit_mb))


def _check_zip(path: Path, unreadable: str) -> None:
    """Refuse a .docx/.xlsx whose members unpack to more than the bound (a zip bomb) before opening it."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ReadError(unreadable, file=str(path), reason="BadZipFile") from None
    unpacked = sum(m.file_size for m in members)
    if len(members) > MAX_MEMBERS or unpacked > MAX_UNPACKED_MB * 1_000_000:
        raise ReadError(N_("{file} unpacks to {size} MB in {count} parts; a plan document unpacks to at most "
                           "{limit} MB: it is not a usual Word or Excel file (a compressed bomb?)"),
                        file=str(path), size=_mb(unpacked), count=str(len(members)), limit=str(MAX_UNPACKED_MB))


def read_document(path: Path) -> list[Block]:
    """The blocks of a .docx, .txt or .xlsx file (ReadError past the bounds above)."""
    suffix = path.suffix.lower()
    if not path.exists():
        raise ReadError(N_("File not found: {file}"), file=str(path))
    if suffix == ".docx":
        _check_size(path, MAX_FILE_MB)
        _check_zip(path, _NOT_WORD)
        return _read_docx(path)
    if suffix == ".xlsx":
        _check_size(path, MAX_FILE_MB)
        _check_zip(path, _NOT_EXCEL)
        return _read_xlsx(path)
    if suffix in (".txt", ".text", ".md"):
        _check_size(path, MAX_TEXT_MB)
        return _read_txt(path)
    raise ReadError(N_("Cannot read {file}: give a .docx, .txt or .xlsx file"), file=str(path))


_NOT_WORD = N_("Cannot open {file} as a Word document: {reason}")
_NOT_EXCEL = N_("Cannot open {file} as an Excel workbook: {reason}")


# ---------------------------------------------------------------- text


_START = re.compile(r"^\s*([-+•–*]|[IVX]+\.\s|\d+\.\d+(\.\d+)*\.?\s|\d+\.\s|[a-zđ]\)\s|\(\d+\)|Nơi nhận"
                    r"|Căn cứ|Thực hiện theo|Trên đây"
                    r"|(Đơn vị|Phòng|Cơ quan)?\s*(chủ trì|phối hợp|tổng hợp|thực hiện)\s*:"
                    r"|(Thời gian|Thời hạn|Sản phẩm|Chủ trì|Phối hợp)[^:]{0,25}:)", re.IGNORECASE)
_CELL_SPLIT = re.compile(r"\t|\s\|\s|^\||\|$")


def _row_cells(line: str) -> tuple[str, ...] | None:
    """Cells of a table row flattened by a PDF export (tab- or `|`-separated), or None."""
    if "\t" not in line and line.count("|") < 2:
        return None
    cells = [clean(c) for c in re.split(r"\t|\|", line.strip().strip("|"))]
    return tuple(cells) if len([c for c in cells if c]) >= 2 and len(cells) >= 3 else None


def _read_txt(path: Path) -> list[Block]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ReadError(N_("{file} is not UTF-8 text: save it again as UTF-8"), file=str(path)) from None
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    lines = text.split("\n")
    if len(lines) > MAX_LINES:
        raise ReadError(_TOO_MANY_LINES, file=str(path), limit=f"{MAX_LINES:,}".replace(",", "."))
    filled = [ln for ln in lines if ln.strip()]
    # PDF exports often put an empty line after every line: then an empty line ends nothing.
    double_spaced = len(lines) - len(filled) >= 0.7 * len(filled)
    blocks: list[Block] = []
    current: list[str] = []

    def flush() -> None:
        if current:
            blocks.append(Block(clean(" ".join(current))))
            current.clear()

    width = _line_width(filled)
    for line in lines:
        if not line.strip():
            if not double_spaced:
                flush()
            continue
        if _PAGE_NUMBER.match(line):
            continue
        cells = _row_cells(line)
        if cells is not None:
            flush()
            blocks.append(Block(" | ".join(c for c in cells), cells))
            continue
        stripped = line.strip()
        previous = current[-1].rstrip() if current else ""
        new_sentence = previous.endswith((".", ":", "./.")) and stripped[:1].isupper()
        # A line well short of the others ended its paragraph when the next one starts a sentence.
        short = bool(previous) and len(previous) < 0.6 * width and stripped[:1].isupper()
        heading = _is_upper(stripped) != _is_upper(previous) or _is_upper(previous) and short
        if (_START.match(line) or stripped.startswith("KẾ HOẠCH") or new_sentence or short
                or (previous and heading)):
            flush()
        current.append(stripped)
    flush()
    return [Block(rejoin(b.text), b.cells) for b in blocks if b.text]


_PAGE_NUMBER = re.compile(r"^\s*(?:-\s*)?\d{1,3}(?:\s*-)?\s*$|^\s*Trang \d+(?:/\d+)?\s*$", re.IGNORECASE)


def _line_width(lines: list[str]) -> int:
    """The width a hard-wrapped text was wrapped at (its 80th-percentile line length)."""
    lengths = sorted(len(line.strip()) for line in lines)
    return lengths[int(len(lengths) * 0.8)] if lengths else 0


def _is_upper(text: str) -> bool:
    return sum(ch.isalpha() for ch in text) >= 6 and text.isupper()


def rejoin(text: str) -> str:
    """Citations a PDF export cut: "số877/QĐ-TTg", "877/ QĐ-TTg", "24/CT- UBND", "2016- 2020" become whole again."""
    text = re.sub(r"(?<=\bsố)(?=\d)", " ", text)
    text = re.sub(r"(\d+/) (?=[A-ZĐ]{2,})", r"\1", text)
    text = re.sub(r"\b((?:19|20)\d{2})- (?=(?:19|20)\d{2}\b)", r"\1-", text)  # "giai đoạn 2016- / 2020"
    return re.sub(r"(\d+/[A-ZĐ]+-) (?=[A-ZĐ]{2,}\b)", r"\1", text)


# ---------------------------------------------------------------- docx


_ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
          (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


def roman(number: int) -> str:
    out = ""
    for value, letters in _ROMAN:
        while number >= value:
            out, number = out + letters, number - value
    return out


class _Numbering:
    """Renders Word list numbering (numPr on the paragraph or its style) as text."""

    def __init__(self, document: Any) -> None:
        self.formats: dict[tuple[str, int], tuple[str, str]] = {}
        self.counters: dict[tuple[str, int], int] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        ns = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
        w = "{" + ns["w"] + "}"
        abstract = {}
        for node in root.findall("w:abstractNum", ns):
            levels = {}
            for lvl in node.findall("w:lvl", ns):
                fmt = lvl.find("w:numFmt", ns)
                text = lvl.find("w:lvlText", ns)
                levels[int(lvl.get(w + "ilvl", "0"))] = (
                    fmt.get(w + "val", "decimal") if fmt is not None else "decimal",
                    text.get(w + "val", "") if text is not None else "")
            abstract[node.get(w + "abstractNumId")] = levels
        for num in root.findall("w:num", ns):
            ref = num.find("w:abstractNumId", ns)
            if ref is not None:
                for ilvl, value in abstract.get(ref.get(w + "val"), {}).items():
                    self.formats[(num.get(w + "numId") or "", ilvl)] = value

    def label(self, paragraph: Any) -> str:
        num_id, ilvl = self._num_pr(paragraph)
        if num_id is None or num_id == "0":
            return ""
        fmt, pattern = self.formats.get((num_id, ilvl), ("bullet", ""))
        if fmt in ("bullet", "none"):
            return "- "
        key = (num_id, ilvl)
        self.counters[key] = self.counters.get(key, 0) + 1
        for (other, level) in list(self.counters):
            if other == num_id and level > ilvl:
                del self.counters[(other, level)]
        text = pattern or f"%{ilvl + 1}."
        for level in range(ilvl + 1):
            value = self.counters.get((num_id, level), 1)
            level_fmt = self.formats.get((num_id, level), ("decimal", ""))[0]
            shown = {"upperRoman": roman(value), "lowerRoman": roman(value).lower(),
                     "lowerLetter": chr(96 + min(value, 26)), "upperLetter": chr(64 + min(value, 26))}
            text = text.replace(f"%{level + 1}", shown.get(level_fmt, str(value)))
        return text + " "

    @staticmethod
    def _num_pr(paragraph: Any) -> tuple[str | None, int]:
        for holder in (paragraph._p.pPr, getattr(paragraph.style.element, "pPr", None)):
            num_pr = getattr(holder, "numPr", None) if holder is not None else None
            if num_pr is not None and num_pr.numId is not None:
                ilvl = num_pr.ilvl.val if num_pr.ilvl is not None else 0
                return str(num_pr.numId.val), int(ilvl)
        return None, 0


def _read_docx(path: Path) -> list[Block]:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except Exception as exc:  # noqa: BLE001 - python-docx raises several kinds for a damaged file
        raise ReadError(_NOT_WORD, file=str(path),
                        reason=type(exc).__name__) from None
    numbering = _Numbering(document)
    blocks: list[Block] = []
    budget = _Budget(path)
    for item in document.iter_inner_content():
        budget.check(len(blocks), MAX_LINES, _TOO_MANY_LINES)
        if isinstance(item, Paragraph):
            text = clean(item.text)
            if text:
                blocks.append(Block(clean(numbering.label(item) + text), heading=_heading_level(item, text)))
        elif isinstance(item, Table):
            blocks.extend(_table_rows(item))
    return blocks


def _heading_level(paragraph: Any, text: str) -> int:
    """1-6 for a Word heading style ("Heading 2", "Tiêu đề 2"), 7 for a short line all in bold, else 0."""
    style = paragraph.style
    while style is not None:
        found = re.match(r"^(?:heading|tiêu đề|đề mục)\s*([1-6])$", (style.name or "").strip(), re.IGNORECASE)
        if found:
            return int(found.group(1))
        style = style.base_style
    runs = [r for r in paragraph.runs if r.text.strip()]
    if runs and len(text) < 160 and all(r.bold for r in runs):
        return 7
    return 0


def _table_rows(table: Any) -> list[Block]:
    rows = []
    for row in table.rows:
        cells = tuple(clean(cell.text) for cell in row.cells)  # a merged cell repeats its text
        if any(cells):
            rows.append(Block(" | ".join(cells), cells))
    return rows


# ---------------------------------------------------------------- xlsx


def _read_xlsx(path: Path) -> list[Block]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(str(path), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - BadZipFile, KeyError, InvalidFileException...
        raise ReadError(_NOT_EXCEL, file=str(path),
                        reason=type(exc).__name__) from None
    blocks: list[Block] = []
    budget, rows = _Budget(path), 0
    for sheet in book.worksheets:
        in_table = False  # below the header row, a one-cell row is an area row merged across the table
        for values in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
            rows += 1
            try:
                budget.check(rows, MAX_ROWS, N_("{file} has more than {limit} rows; a plan or a criteria table has "
                                                "far fewer: keep only its sheet"))
            except ReadError:
                book.close()
                raise
            last = max((i for i, v in enumerate(values) if v is not None and v != ""), default=-1)
            cells = tuple(clean(_cell_text(v)) for v in values[:last + 1])
            while cells and not cells[-1]:
                cells = cells[:-1]
            filled = [c for c in cells if c]
            in_table = in_table or len(filled) >= 3
            if len(filled) == 1 and not in_table:
                blocks.append(Block(filled[0]))  # a title line above the table
            elif filled:
                blocks.append(Block(" | ".join(cells), cells))
    book.close()
    return blocks


def _cell_text(value: object) -> str:
    from datetime import date, datetime

    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
