"""Blocks to a plan read: title, years, date of issue, areas, tasks, responsibilities, products,
deadline phrases and plan-wide rules, in paragraph form (the seed's shape) or table form ("Phụ lục").

The Vietnamese keywords below are vocabulary: the words the importer reads in documents.
"""

from __future__ import annotations

import re
from datetime import date

from bot.importer.plan_read import AreaRead, PlanRead, RespRead, TaskRead
from bot.importer.reading import Block
from bot.importer.tables import read_table, table_header

_ROLE_LINE = re.compile(r"^[-+•–*\s]*(?:\(?[a-zđ]\)\s*)?(?:đơn vị|cơ quan|phòng|bộ phận)?\s*"
                        r"(chủ trì|phối hợp|tổng hợp|thực hiện)\s*:", re.IGNORECASE)
_ROLE_PART = re.compile(r"(?:đơn vị|cơ quan|bộ phận)?\s*(chủ trì|phối hợp|tổng hợp|thực hiện)\s*:\s*", re.IGNORECASE)
_TIME_LINE = re.compile(r"^[-+•–*\s]*(thời gian(?: hoàn thành| thực hiện)?|thời hạn(?: hoàn thành)?|tiến độ)"
                        r"\s*:\s*(.+)$", re.IGNORECASE)
_PRODUCT_LINE = re.compile(r"^[-+•–*\s]*(sản phẩm|kết quả đầu ra)\s*:\s*(.+)$", re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:[-+•–*]|[a-zđ]\)|\(\d+\))\s*")
_ROMAN_HEAD = re.compile(r"^([IVX]+)\.\s+(.+)$")
_AREA_HEAD = re.compile(r"^(\d+)\.\s+(.+)$")
_SUB_HEAD = re.compile(r"^(\d+)\.(\d+)\.?\s+(.+)$")
_CONTENT_HEAD = re.compile(r"^(nội dung(?: triển khai| thực hiện| nhiệm vụ)?|nhiệm vụ(?:, giải pháp)?|giải pháp)"
                           r"\s*:?$", re.IGNORECASE)
_RESP_HEAD = re.compile(r"^(trách nhiệm thực hiện|phân công (?:thực hiện|nhiệm vụ)|tổ chức thực hiện)\s*:?$",
                        re.IGNORECASE)
_NOT_TASKS = re.compile(r"mục tiêu|mục đích|yêu cầu|tổ chức thực hiện|căn cứ", re.IGNORECASE)
_TASK_SECTION = re.compile(r"nhiệm vụ|giải pháp|nội dung", re.IGNORECASE)
_RULE_VERB = re.compile(r"gửi|gởi|nộp|báo cáo|cập nhật|tổng hợp", re.IGNORECASE)
_RULE_WHEN = re.compile(r"(trước|chậm nhất|hạn chót)(?: là)?\s*ngày\s*\d{1,2}|định kỳ\s+(6|sáu)\s+tháng",
                        re.IGNORECASE)
_APPENDIX_TITLE = re.compile(r"^\(?(danh mục|phụ lục|bảng|biểu|kế hoạch)\b", re.IGNORECASE)
_ATTACHED = re.compile(r"kèm theo\s+(?:kế hoạch|văn bản|quyết định)\s+số\s*[\w/.-]+\s+ngày\s+"
                       r"(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})"
                       r"(?:\s+của\s+(Sở [^)(;,.]+?)\s*(?:\)|;|,|\.|$))?", re.IGNORECASE)
_CLOSING = re.compile(r"^(Trên đây là|Nơi nhận)", re.IGNORECASE)
_LETTER_ITEM = re.compile(r"^([a-zđ])\)\s+(.+)$", re.DOTALL)
_INTRO_LINE = re.compile(r"^[^.;]{0,80}(như sau|gồm|sau đây)\s*:$", re.IGNORECASE)
_ISSUED = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.IGNORECASE)
_LIST_SPLIT_MIN = 5


def read_structure(blocks: list[Block]) -> PlanRead:
    """The plan's structure, as far as the blocks show it."""
    plan = PlanRead()
    _read_head(blocks, plan)
    rows = [b for b in blocks if b.is_row]
    section, outside, heading = _task_section(blocks)
    if rows and table_header(rows) is not None and not _has_prose_tasks(section):
        plan.layout = "table"
        outside = [b for b in blocks if not b.is_row] + read_table(rows, plan)
    else:
        outside = outside + _read_paragraphs(section, plan, heading)
    for block in outside:
        plan.common_rules.extend(rule_sentences(block.text))
    return plan


def rule_sentences(text: str) -> list[str]:
    """The sentences of a paragraph that set a plan-wide reporting deadline, as written."""
    out = []
    for sentence in re.split(r"(?<=[.;])\s+(?=[A-ZĐÀ-Ỹ])", text):
        sentence = re.sub(r"^\s*(?:\d+\.|[a-zđ]\)|[-+•–*])\s*", "", sentence).strip()
        if _RULE_VERB.search(sentence) and _RULE_WHEN.search(sentence):
            out.append(sentence)
    return out


def _has_prose_tasks(section: list[Block]) -> bool:
    """Whether the task section holds items in prose (a table then is one area's list, not the plan)."""
    return sum(1 for b in section if not b.is_row and (_BULLET.match(b.text) or _SUB_HEAD.match(b.text))) >= 2


def _read_head(blocks: list[Block], plan: PlanRead) -> None:
    texts = [b.text for b in blocks if not b.is_row]
    for i, text in enumerate(texts[:30]):
        if text.upper().startswith("KẾ HOẠCH") and plan.title is None:
            rest = text[len("KẾ HOẠCH"):].strip(" :")
            if not rest and i + 1 < len(texts) and len(texts[i + 1]) < 250:
                rest = texts[i + 1]
            plan.title = ("Kế hoạch " + (rest[:1] + rest[1:].lower() if rest.isupper() else rest)) if rest else None
        plan.issued_on = plan.issued_on or _day_of(_ISSUED.search(text))
        issuer = re.match(r"^(?:UBND[^|]*?\s)?(SỞ [A-ZĐÀ-Ỹ ,&]+?)(?:\s{2,}|\s*(?:Số|CỘNG)|$)", text)
        if issuer and plan.issuer is None:
            plan.issuer = issuer.group(1).strip().title().replace(" Và ", " và ")
    if plan.title is None:  # an appendix: "DANH MỤC NHIỆM VỤ … NĂM 2026", "PHỤ LỤC …" in its title rows
        for text in texts[:12]:
            if _APPENDIX_TITLE.match(text) and plan_years(text):
                plan.title = _sentence_case(text)
                break
    for text in texts[:30]:  # "(Kèm theo Kế hoạch số 18/KH-SKHCN ngày 12/01/2026 của Sở …)"
        attached = _ATTACHED.search(text)
        plan.issued_on = plan.issued_on or _day_of(attached)
        if attached and plan.issuer is None and attached.group(4):
            plan.issuer = attached.group(4).strip()
    if plan.title:
        plan.years = plan_years(plan.title)
        named = re.search(r"Sở Giáo dục và Đào tạo|Sở [A-ZĐ][\w]*(?: [A-ZĐ&][\w&]*)+", plan.title)
        plan.issuer = plan.issuer or (named.group(0) if named else None)
    whole = " ".join(texts)
    if plan.issuer:  # a header in capitals: take the document's own spelling when it has one
        spelled = re.search(re.escape(plan.issuer), whole.replace(plan.issuer.upper(), ""), re.IGNORECASE)
        plan.issuer = spelled.group(0) if spelled else plan.issuer
    plan.issuer = plan.issuer or ("Sở Giáo dục và Đào tạo" if "Sở Giáo dục và Đào tạo" in whole else None)
    plan.references = [ref for text in texts for ref in citations(text)][:12]


def _day_of(found: re.Match[str] | None) -> date | None:
    """The date of a match whose groups 1-3 are day, month, year (None when none or not a date)."""
    try:
        return date(int(found[3]), int(found[2]), int(found[1])) if found else None
    except ValueError:
        return None


_CITATION = re.compile(r"(?:Quyết định|Kế hoạch|Chỉ thị|Công văn|Nghị quyết|Thông tư|Nghị định) số\s*[\w/.-]+ "
                       r"ngày [\d/]+")
_CITATION_WORDS = 300  # characters kept after a citation's date (its subject), cut at a word beyond that


def citations(text: str) -> list[str]:
    """The documents a text cites, each whole: its number and date, then its subject up to the end of the
    clause (";", ".", ":"), the parenthesis it sits in, or the next citation; a PDF line break inside it does
    not end it ("…UBND các huyện, thị xã, thành / phố và UBND các xã…" is one citation)."""
    starts = list(_CITATION.finditer(text))
    out = []
    for index, match in enumerate(starts):
        end = starts[index + 1].start() if index + 1 < len(starts) else len(text)
        tail, depth, cut = text[match.end():end], 0, None
        for pos, char in enumerate(tail):
            if char in ";.:" or char == ")" and depth == 0:
                cut = pos
                break
            depth += {"(": 1, ")": -1}.get(char, 0)
        tail = tail[:cut]
        if len(tail) > _CITATION_WORDS:
            tail = tail[:_CITATION_WORDS].rsplit(" ", 1)[0].rstrip(" ,") + "…"
        citation = (match.group(0) + tail).strip(" ;,(")
        citation = re.sub(r"\s*(?:,|và|;)?\s*\(?$", "", citation).strip()
        out.append(_balanced(citation))
    return out


def _balanced(text: str) -> str:
    while text.endswith(")") and text.count(")") > text.count("("):
        text = text[:-1].rstrip()
    return text


def plan_years(text: str) -> list[int]:
    """Years a title names: "năm 2019, 2020", "giai đoạn 2021-2025", "năm 2026"."""
    span = re.search(r"giai đoạn\s+(\d{4})\s*[-–]\s*(\d{4})", text, re.IGNORECASE)
    if span and int(span[1]) <= int(span[2]) <= int(span[1]) + 10:
        return list(range(int(span[1]), int(span[2]) + 1))
    listed = re.search(r"năm\s+((?:\d{4}\s*(?:,|và|-|–)?\s*)+)", text, re.IGNORECASE)
    return sorted({int(y) for y in re.findall(r"\d{4}", listed.group(1))}) if listed else []


def _task_section(blocks: list[Block]) -> tuple[list[Block], list[Block], str | None]:
    """The blocks of the section holding the tasks ("II. NHIỆM VỤ…"), the others, and its heading."""
    heads = [i for i, b in enumerate(blocks) if not b.is_row and _ROMAN_HEAD.match(b.text)]
    for n, i in enumerate(heads):
        if _TASK_SECTION.search(blocks[i].text) and not re.search(r"mục tiêu|mục đích", blocks[i].text, re.IGNORECASE):
            end = heads[n + 1] if n + 1 < len(heads) else len(blocks)
            heading = _ROMAN_HEAD.match(blocks[i].text)
            return blocks[i + 1:end], blocks[:i] + blocks[end:], heading.group(2) if heading else None
    outside: list[Block] = []  # no task section: its "I. …" sections are areas, except these
    for n, i in enumerate(heads):
        if _NOT_TASKS.search(blocks[i].text):
            outside.extend(blocks[i:heads[n + 1] if n + 1 < len(heads) else len(blocks)])
    return blocks, outside, None


def _sentence_case(text: str) -> str:
    """"NHIỆM VỤ TRỌNG TÂM" → "Nhiệm vụ trọng tâm"; a heading in mixed case stays as written."""
    text = text.strip(" .:")
    return text[:1] + text[1:].lower() if text.isupper() else text


def _area_marks(section: list[Block]) -> str:
    """What marks an area in this section: Word heading styles (the highest level used: "style2"), "1." numbers,
    bold or capital lines."""
    texts = [b for b in section if not b.is_row]
    styled = [b.heading for b in texts if 0 < b.heading < 7]
    if styled:
        return f"style{min(styled)}"
    if any(_AREA_HEAD.match(b.text) for b in texts):
        return "arabic"
    if any(b.heading == 7 and not _BULLET.match(b.text) for b in texts):
        return "bold"
    if sum(1 for b in texts if b.upper and not _ROMAN_HEAD.match(b.text)) >= 2:
        return "upper"
    return "roman"


def _area_head(block: Block, marks: str) -> tuple[str, str | None] | None:
    """(name, number) when the block heads an area under the section's marks."""
    text = block.text
    if block.is_row or len(text) >= 200 or text.rstrip().endswith((";", ",")) or _SUB_HEAD.match(text):
        return None
    numbered = _AREA_HEAD.match(text) or _ROMAN_HEAD.match(text)
    if marks == f"style{block.heading}" or marks == "bold" and block.heading == 7 \
            or marks == "upper" and block.upper:
        name, number = (numbered.group(2), numbered.group(1)) if numbered else (text, None)
        return _sentence_case(name), number
    found = _AREA_HEAD.match(text) if marks == "arabic" else _ROMAN_HEAD.match(text) if marks == "roman" else None
    return (found.group(2).strip(" .:"), found.group(1)) if found else None


def _read_paragraphs(section: list[Block], plan: PlanRead, heading: str | None) -> list[Block]:
    """Areas and tasks of a section in prose (tables inside it read as lists of tasks); returns table notes."""
    area: AreaRead | None = None
    task: TaskRead | None = None
    mode = "content"
    marks = _area_marks(section)
    notes: list[Block] = []
    rows: list[Block] = []
    for n, block in enumerate([*section, Block("")]):
        if block.is_row:
            rows.append(block)
            continue
        if rows:
            if table_header(rows) is not None:
                notes.extend(read_table(rows, plan, area))
                area = plan.areas[-1] if plan.areas else area
                task = None
            rows = []
        text = block.text
        if _CLOSING.match(text):  # the closing paragraph ends the tasks; it may hold a plan-wide rule
            notes.extend(b for b in section[n:] if not b.is_row)
            break
        if not text:
            continue
        sub = _SUB_HEAD.match(text)
        head = _area_head(block, marks)
        if head and marks == "roman" and _NOT_TASKS.search(text):
            area, task = None, None
            continue
        name = (sub.group(3) if sub else text).strip()
        letter = _LETTER_ITEM.match(text)
        if head:
            area, task, mode = AreaRead(head[0].strip(" .:"), head[1]), None, "content"
            plan.areas.append(area)
        elif _CONTENT_HEAD.match(name) or 0 < block.heading < 7 and not sub and not letter:
            mode, task = "content", None  # "Nội dung triển khai", or a sub-heading below the areas' level
        elif _RESP_HEAD.match(name):
            mode = "resp"
        elif _ROLE_LINE.match(text):
            # After a numbered item the line is that task's; after bullets it is the area's.
            own = task is not None and task.numbered and mode == "content"
            if own and task is not None and task.responsibility is None:
                task.responsibility = RespRead()
            holder = task.responsibility if own and task is not None else (area.responsibility if area else None)
            if holder is not None:
                _roles(text, holder)
        elif (found := _TIME_LINE.match(text)) and task is not None and area is not None:
            # After bullets, a time line is the time of the bullets above it that have none.
            listed = [task] if task.numbered else [t for t in area.tasks if not t.time and not t.numbered]
            for item in listed or [task]:
                item.time.append(found.group(2).strip(" ."))
        elif (found := _PRODUCT_LINE.match(text)) and task is not None:
            task.products.extend(p.strip(" .") for p in re.split(r";|\s\+\s", found.group(2)) if p.strip(" ."))
        elif mode == "resp" or area is None and heading is None:
            continue
        elif area is None:
            area = AreaRead(_sentence_case(heading or ""), None)
            plan.areas.append(area)
            for item in split_list(_BULLET.sub("", text, count=1).strip()):
                task = item
                area.tasks.append(item)
        elif sub:
            task = TaskRead(sub.group(3).strip(), f"{sub.group(1)}.{sub.group(2)}", numbered=True)
            area.tasks.append(task)
        elif letter:  # "a) …" items carry their own "- Chủ trì:", "- Thời gian:" lines
            task = TaskRead(letter.group(2).strip(), letter.group(1), numbered=True)
            area.tasks.append(task)
        elif task is not None and task.numbered:
            task.detail += "\n" + _BULLET.sub("- ", text, count=1)
        elif _INTRO_LINE.match(text):
            continue  # "Các nhiệm vụ cụ thể như sau:" introduces a list or a table
        else:
            for item in split_list(_BULLET.sub("", text, count=1).strip()):
                task = item
                area.tasks.append(item)
    return notes


def _roles(text: str, holder: RespRead) -> None:
    marks = list(_ROLE_PART.finditer(text))
    for n, mark in enumerate(marks):
        end = marks[n + 1].start() if n + 1 < len(marks) else len(text)
        units = text[mark.end():end].strip(" .;")
        if units:
            holder.add(mark.group(1), units, text.strip(" -"))


def split_list(detail: str) -> list[TaskRead]:
    """One task, or one per item when a long bullet is "head: item; item; ..." with many items."""
    head, colon, rest = detail.partition(":")
    items = [i.strip(" .;") for i in rest.split(";") if i.strip(" .;")]
    if not colon or len(head) > 200 or len(items) < _LIST_SPLIT_MIN or len(detail) < 400:
        return [TaskRead(detail)]
    return [TaskRead(f"{head.strip()}: {item}", split_from=head.strip(), title_from=item) for item in items]
