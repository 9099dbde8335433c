"""The province's criteria appendix (.xlsx or .docx table) to a criteria file in format 2 (CRITERIA-FORMAT.md).

The table: STT | Lĩnh vực / tiêu chí / tiêu chí thành phần | Điểm tối đa | Phương pháp đánh giá | Tài liệu kiểm
chứng, numbered in any mix of I, 1, 1.1, 1.1.1, a. The first three numbering styles met, in order, are the
three levels; a deeper row (an "a)" under a sub-criterion) is a band of its parent's scoring method and is
folded into it. Every guess is listed in the row's `guessed`; sums are checked against the document.
The column names and words are vocabulary: the Vietnamese the importer reads.
"""

from __future__ import annotations

import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.i18n import N_, _
from bot.importer.reading import Block, ReadError, read_document
from bot.importer.structure import plan_years
from bot.importer.tables import header_row
from bot.importer.writing import document

LEVELS = ("linh_vuc", "tieu_chi", "tieu_chi_thanh_phan")
_COLUMNS = (("code", r"^(stt|tt|số tt|mã|mã số|ký hiệu)$"),
            ("points", r"điểm tối đa|điểm chuẩn|thang điểm|^điểm$|số điểm"),
            ("method", r"phương pháp|cách (chấm|tính|đánh giá)|hướng dẫn|cách thức"),
            ("evidence", r"kiểm chứng|minh chứng"),
            ("name", r"lĩnh vực|tiêu chí|nội dung"))
_STYLES = (("roman", r"[IVXL]+"), ("dotted3", r"\d+\.\d+\.\d+"), ("dotted2", r"\d+\.\d+"), ("arabic", r"\d+"),
           ("letter", r"[a-zđ]"))
_CODE_IN_NAME = re.compile(r"^((?:[IVXL]+|\d+(?:\.\d+){0,2}|[a-zđ]))[.)]?\s+(?=\S)")
_TOTAL = re.compile(r"^(tổng|cộng|tổng cộng|tổng số|tổng điểm)\b", re.IGNORECASE)
_SURVEY = re.compile(r"điều tra xã hội học|đtxhh|khảo sát|mức độ hài lòng|chỉ số hài lòng|sipas", re.IGNORECASE)
_NUMBERING_ROW = re.compile(r"^\(?\d{1,2}\)?$")
MAX_CODE = 32


@dataclass
class CriterionRead:
    code: str
    doc_code: str
    level: str
    parent: str | None
    name: str
    max_points: float | None
    method: str = ""
    evidence: str = ""
    survey: bool = False
    guessed: list[str] = field(default_factory=list)


@dataclass
class CriteriaRead:
    year: int | None
    name: str
    source: str | None
    total: float | None
    rows: list[CriterionRead]
    checks: list[str] = field(default_factory=list)

    def count(self, level: str) -> int:
        return sum(1 for r in self.rows if r.level == level)


def _style(code: str) -> str | None:
    return next((name for name, pattern in _STYLES if re.fullmatch(pattern, code)), None)


def _points(text: str) -> float | None:
    """"10", "2,5", "0.75": a number of points (None when the cell holds none)."""
    found = re.search(r"\d+(?:[.,]\d+)?", text or "")
    return float(found.group(0).replace(",", ".")) if found else None


def fmt(value: float) -> str:
    return f"{round(value, 2):g}".replace(".", ",")


def _header(rows: list[Block]) -> tuple[int, dict[str, int]] | None:
    return header_row(rows, _COLUMNS, lambda names: {"name", "points"} <= names)


def read_criteria(path: Path, year: int | None = None) -> CriteriaRead:
    """The criteria table of the province's decision (ReadError when there is none)."""
    blocks = read_document(path)
    rows = [b for b in blocks if b.is_row]
    found = _header(rows)
    if found is None:
        raise ReadError(N_("No criteria table found in {file}: it needs a header row with the criteria's names and "
                           "their maximum points (Điểm tối đa)"), file=str(path))
    start, columns = found
    texts = [b.text for b in blocks if not b.is_row][:20] + [r.text for r in rows[:start]]
    title = next((t for t in texts if plan_years(t) and len(t) < 300), "")
    years = plan_years(title) if title else []
    chosen = year or (years[-1] if years else None)
    if chosen is None:
        raise ReadError(N_("No year found in the title of {file}: give it with --year YYYY"), file=str(path))
    source = next((m.group(1).strip() for t in texts for m in [re.search(
        r"\(?\s*(?:kèm theo|ban hành kèm theo)\s+((?:quyết định|công văn|kế hoạch)\s+số[^)]+?)\s*\)?\s*$", t,
        re.IGNORECASE)] if m), None)
    name = title.strip(" ()") if title else _("PAR index {year}").format(year=chosen)
    read = CriteriaRead(chosen, name,
                        source[:1].upper() + source[1:] if source else None, None, [])
    _read_rows(rows[start + 1:], columns, read)
    if not read.rows:
        raise ReadError(N_("No criteria found under the header row of {file}"), file=str(path))
    _complete(read)
    return read


def _cell(row: Block, columns: dict[str, int], name: str) -> str:
    i = columns.get(name)
    return row.cells[i].strip() if i is not None and i < len(row.cells) else ""


def _read_rows(rows: list[Block], columns: dict[str, int], read: CriteriaRead) -> None:
    styles: list[str] = []  # numbering styles in the order met: their index is the level
    last: dict[int, CriterionRead] = {}
    doc_codes: dict[str, int] = {}
    repeated = Counter(_cell(r, columns, "code").rstrip(".)").strip() for r in rows)
    for row in rows:
        values = [c for c in row.cells if c]
        if not values or _header([row]) is not None or all(_NUMBERING_ROW.match(v) for v in values):
            continue
        code, name = _cell(row, columns, "code").rstrip(".)").strip(), _cell(row, columns, "name")
        points = _points(_cell(row, columns, "points"))
        if _TOTAL.match(name) or _TOTAL.match(code):
            read.total = points
            continue
        if not code and (inline := _CODE_IN_NAME.match(name)):
            code, name = inline.group(1), name[inline.end():]
        style = _style(code) if code else None
        if style is None:  # a row without a number: more words of the row above
            if read.rows and name:
                above = read.rows[-1]
                above.method = "\n".join(p for p in (above.method, name) if p)
            continue
        if style not in styles:
            styles.append(style)
        depth = styles.index(style)
        method, evidence = _cell(row, columns, "method"), _cell(row, columns, "evidence")
        if depth >= len(LEVELS):  # a band of the scoring method under a sub-criterion
            parent_row = last.get(len(LEVELS) - 1)
            if parent_row is not None:
                band = f"{code}) {name}" + (f": {fmt(points)}" if points is not None else "")
                parent_row.method = "\n".join(p for p in (parent_row.method, band) if p)
            continue
        parent = last.get(depth - 1) if depth else None
        guessed: list[str] = []
        if depth and parent is None:
            guessed.append("parent")
        final = code
        restarts = style not in ("dotted2", "dotted3") and repeated[code] > 1  # "1." again under each area
        renamed = parent is not None and parent.code != parent.doc_code  # its children follow its code
        if doc_codes.get(code) or depth and parent is not None and (restarts or renamed):
            # The same number under each area ("1." again under II): the code names its parent.
            final = f"{parent.code}.{code.rsplit('.', 1)[-1]}" if parent else code
            guessed.append("code")
        doc_codes[code] = doc_codes.get(code, 0) + 1
        survey = bool(_SURVEY.search(f"{name} {method}")) or bool(parent and parent.survey)
        if survey and not (parent and parent.survey):
            guessed.append("survey")
        item = CriterionRead(final[:MAX_CODE], code, LEVELS[depth], parent.code if parent else None, name,
                             points, method, evidence, survey, guessed)
        read.rows.append(item)
        last[depth] = item
        for deeper in [k for k in last if k > depth]:
            del last[deeper]


def _complete(read: CriteriaRead) -> None:
    """Missing maxima from the children (guessed); sums and the total checked against the document."""
    children: dict[str, list[CriterionRead]] = {}
    for row in read.rows:
        if row.parent:
            children.setdefault(row.parent, []).append(row)
    for row in reversed(read.rows):  # children before parents
        kids = children.get(row.code, [])
        added = round(sum(k.max_points or 0 for k in kids), 2)
        if row.max_points is None:
            row.max_points = added if kids else 0.0
            row.guessed.append("max_points")
        elif kids and abs(added - row.max_points) > 0.005:
            read.checks.append(_("{code} \"{name}\": the document gives {points} points, its rows add up to "
                                 "{sum}.").format(code=row.code, name=row.name[:60], points=fmt(row.max_points),
                                                  sum=fmt(added)))
    areas = round(sum(r.max_points or 0 for r in read.rows if r.parent is None), 2)
    if read.total is not None and abs(areas - read.total) > 0.005:
        read.checks.append(_("The areas add up to {sum} points, the document's total is {total}: total_points left "
                             "out until the office corrects the rows.").format(sum=fmt(areas), total=fmt(read.total)))


def criteria_text(read: CriteriaRead, source_file: str) -> str:
    """The criteria file (format 2) with a header listing what the office must check."""
    info: dict[str, Any] = {"year": read.year, "name": read.name}
    if read.source:
        info["source"] = read.source
    areas = round(sum(r.max_points or 0 for r in read.rows if r.parent is None), 2)
    if read.total is not None and abs(areas - read.total) <= 0.005:
        info["total_points"] = read.total
    criteria = []
    for row in read.rows:
        item: dict[str, Any] = {"code": row.code, "level": row.level, "parent": row.parent, "name": row.name,
                                "max_points": row.max_points}
        if row.method:
            item["method"] = row.method
        if row.evidence:
            item["evidence"] = row.evidence
        item["survey"] = row.survey
        item["guessed"] = row.guessed
        criteria.append(item)
    guessed = sum(1 for r in read.rows if r.guessed)
    header = [_("Criteria read from {file} by `nhacviec criteria import` (format 2 of CRITERIA-FORMAT.md).").format(
        file=source_file), _("The office must check, then load it with `nhacviec criteria load`:"), ""]
    todo = [_("{areas} areas, {criteria} criteria, {sub} sub-criteria; {points} points in all (the document's "
              "total: {total}).").format(areas=read.count(LEVELS[0]), criteria=read.count(LEVELS[1]),
                                         sub=read.count(LEVELS[2]), points=fmt(areas),
                                         total=fmt(read.total) if read.total is not None else "-")]
    todo.extend(read.checks)
    if guessed:
        todo.append(_("{count} rows hold a guess (listed in guessed: code, parent, max_points, survey): check "
                      "them.").format(count=guessed))
    todo.append(_("tasks and units are empty: link each sub-criterion to the plan's tasks and the units that owe "
                  "its evidence."))
    text = document(header + [f"- {line}" for line in todo], [("set", info, []), ("criteria", criteria, [])])
    return text.replace("\nset:\n", "\nformat: 2\nset:\n", 1)


def add_import_parser(actions: Any) -> None:
    """`criteria import INPUT --out CRITERIA.yaml [--year YYYY]` on the `criteria` command's actions."""
    imp = actions.add_parser("import", help=_("read the province's criteria table (.xlsx, .docx) into a criteria "
                                              "file (format 2) to check and load"))
    imp.add_argument("input", help=_("the decision's appendix (.xlsx or .docx)"))
    imp.add_argument("--out", required=True, help=_("the criteria file to write (YAML)"))
    imp.add_argument("--year", type=int, default=None, help=_("the assessment year, when the title names none"))


def cmd_import(args: Any) -> int:
    """Write the criteria file; 2 with a Vietnamese message when the document cannot be used."""
    started = time.perf_counter()
    try:
        if args.year is not None and not 2000 <= args.year <= 2100:
            raise ReadError(N_("{value} is not a year: write it with four digits, such as 2026"),
                            value=str(args.year))
        read = read_criteria(Path(args.input), args.year)
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(criteria_text(read, Path(args.input).name), encoding="utf-8")
    except ReadError as exc:
        print(_("Cannot import the criteria: {reason}").format(reason=_(exc.message).format(**exc.params)),
              file=sys.stderr)
        return 2
    except OSError as exc:
        print(_("Cannot write {file}: {reason}").format(file=args.out, reason=exc.strerror or ""), file=sys.stderr)
        return 2
    points = round(sum(r.max_points or 0 for r in read.rows if r.parent is None), 2)
    print(_("Wrote {file}: {areas} areas, {criteria} criteria, {sub} sub-criteria, {points} points; {guessed} rows "
            "with a guess, in {seconds} s.").format(
        file=args.out, areas=read.count(LEVELS[0]), criteria=read.count(LEVELS[1]), sub=read.count(LEVELS[2]),
        points=fmt(points), guessed=sum(1 for r in read.rows if r.guessed),
        seconds=f"{time.perf_counter() - started:.2f}"))
    for check in read.checks:
        print(_("Check: {what}").format(what=check), file=sys.stderr)
    print(_("Check the list at the top of the file, then run: nhacviec criteria load {file}").format(file=args.out))
    return 0
