"""Plans as a table ("Phụ lục"): a header row naming the columns, area rows, one task per row.

The column names are vocabulary: the Vietnamese the importer reads in documents.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.importer.plan_read import AreaRead, PlanRead, RespRead, TaskRead
from bot.importer.reading import Block

_COLUMNS = (("stt", r"^(stt|tt|số tt)$"), ("content", r"nội dung|nhiệm vụ|công việc"), ("lead", r"chủ trì"),
            ("others", r"phối hợp"), ("exec", r"^(đơn vị )?thực hiện$"), ("time", r"thời gian|thời hạn|tiến độ"),
            ("product", r"sản phẩm|kết quả"), ("note", r"ghi chú"))


_NOTE = re.compile(r"^\s*(ghi chú|lưu ý|chú thích)\b", re.IGNORECASE)


def header_row(rows: list[Block], patterns: tuple[tuple[str, str], ...],
               enough: Callable[[set[str]], bool]) -> tuple[int, dict[str, int]] | None:
    """The first row whose cells name `enough` of the columns (name -> pattern): its index and the columns."""
    for index, row in enumerate(rows):
        columns: dict[str, int] = {}
        for i, cell in enumerate(row.cells):
            for name, pattern in patterns:
                if name not in columns and re.search(pattern, cell.lower()):
                    columns[name] = i
                    break
        if enough(set(columns)):
            return index, columns
    return None


def table_header(rows: list[Block]) -> tuple[int, dict[str, int]] | None:
    """The header row of a plan's table of tasks."""
    return header_row(rows, _COLUMNS, lambda names: "content" in names and bool({"lead", "time", "exec"} & names))


def read_table(rows: list[Block], plan: PlanRead, area: AreaRead | None = None) -> list[Block]:
    """Areas and tasks of the table's rows into `plan` (tasks before any area row go to `area`);
    returns the notes written in the table ("Ghi chú: …" rows), which may hold plan-wide rules."""
    found = table_header(rows)
    assert found is not None
    start, columns = found
    notes: list[Block] = []

    def cell(row: Block, name: str) -> str:
        i = columns.get(name)
        return row.cells[i].strip() if i is not None and i < len(row.cells) else ""

    for row in rows[start + 1:]:
        values = [c for c in row.cells if c]
        if table_header([row]) is not None:
            continue  # the header repeated (a new page, or one table per area)
        content = cell(row, "content")
        if not values or all(re.fullmatch(r"\(?\d+\)?", v) for v in values):
            continue  # an empty row or the row numbering the columns (1) (2) (3)
        duties = [cell(row, n) for n in ("lead", "others", "exec", "time", "product")]
        if len(set(values)) == 1 and _NOTE.match(values[0]):
            notes.append(Block(values[0]))
            continue
        if len(set(values)) == 1 or (content and all(d in ("", content) for d in duties)):
            name = re.sub(r"^([IVX]+|[A-Z]|\d+)[.)]\s*", "", values[-1] if len(set(values)) == 1 else content)
            name = name.strip(" .:")
            area = AreaRead(name, cell(row, "stt") or None)
            plan.areas.append(area)
            continue
        if area is None:
            area = AreaRead("", None)
            plan.areas.append(area)
        task = TaskRead(content, cell(row, "stt") or None)
        resp = RespRead()
        for name, role in (("lead", "chủ trì"), ("others", "phối hợp"), ("exec", "thực hiện")):
            if cell(row, name):
                resp.add(role, cell(row, name), f"{role}: {cell(row, name)}")
        task.responsibility = resp if resp.parts else None
        if cell(row, "time"):
            task.time.append(cell(row, "time"))
        if cell(row, "product"):
            task.products.extend(p.strip(" .") for p in re.split(r";|\n", cell(row, "product")) if p.strip(" ."))
        area.tasks.append(task)
    return notes
