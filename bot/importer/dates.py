"""Deadline phrases of Vietnamese plans ("trước ngày 20/11", "Quý II/2026", "hằng quý", "6 tháng, năm",
"trong quý II của năm trước liền kề năm kế hoạch", "Thường xuyên"...) read as deadline specs.

Each reading says which rule applied (`rule`), so the draft can write a note on what was read; a
reading the document does not fix exactly (a report "hằng quý" without a day) is `assumed`.
The phrases are vocabulary: the Vietnamese the importer reads.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field, replace
from typing import Any

from bot.i18n import N_, _

ROMAN_QUARTERS = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}


@dataclass(frozen=True)
class DeadlineRead:
    """One deadline found in a phrase: the spec fields, how sure, and what rule read it."""

    key: str
    spec: dict[str, Any]
    source: str  # "seed": as the document says; "assumed": a day the document does not give
    rule: str
    phrase: str
    params: dict[str, Any] = field(default_factory=dict)
    clause: str = ""  # the words of the phrase this deadline was read in (a label for a plan-wide rule)


@dataclass(frozen=True)
class PhraseRead:
    """Everything read in one phrase: deadlines, and whether it said "ongoing" or nothing usable."""

    deadlines: tuple[DeadlineRead, ...]
    ongoing: bool = False

    @property
    def understood(self) -> bool:
        return bool(self.deadlines) or self.ongoing


_DAY = r"(\d{1,2})\s*/\s*(\d{1,2})(?:\s*/\s*(\d{4}))?"
_BEFORE = re.compile(rf"(trước|chậm nhất(?: là)?|hạn chót|không quá|hoàn thành)\s*(?:ngày\s*)?{_DAY}", re.IGNORECASE)
_ON_DAY = re.compile(rf"(?<![\w/])(?:ngày\s*)?{_DAY}(?![\w/])", re.IGNORECASE)
_QUARTER = re.compile(r"quý\s+((?:i{1,3}|iv|[1-4])(?:\s*(?:,|và|-)\s*(?:quý\s+)?(?:i{1,3}|iv|[1-4]))*)"
                      r"(?:\s*(?:/|năm)\s*(\d{4}))?(?!\w)", re.IGNORECASE)
_YEAR_BEFORE = re.compile(r"năm trước(?: liền kề)?(?: năm kế hoạch)?", re.IGNORECASE)
_MONTH = re.compile(r"tháng\s+(\d{1,2})(?:\s*(?:/|năm)\s*(\d{4}))?(?![\d/])", re.IGNORECASE)
_QUARTERLY = re.compile(r"(hằng|hàng|mỗi|định kỳ|theo)\s+quý", re.IGNORECASE)
_HALF = re.compile(r"6\s*tháng|sáu tháng|giữa năm", re.IGNORECASE)
_ANNUAL = re.compile(r"6\s*tháng\s*(?:,|và|/)\s*(?:cả\s+)?năm|(?:hằng|hàng|mỗi|cuối|báo cáo)\s+năm", re.IGNORECASE)
_IN_YEAR = re.compile(r"(?:trong|cả|suốt)\s+năm(?:\s+(\d{4}))?|^\s*năm\s+(\d{4})\s*$", re.IGNORECASE)
_ONGOING = re.compile(r"thường xuyên|liên tục|hằng ngày|hàng ngày", re.IGNORECASE)
_BY = r"(trước|chậm nhất(?: là)?|hạn chót|vào|không quá)\s*(?:ngày\s*)?(\d{1,2})(?!\s*/)"
_EVERY = r"(?:hằng|hàng|mỗi|của mỗi|của các|các)"
_QUARTER_END = re.compile(rf"{_BY}\s*(?:của\s+)?(?:{_EVERY}\s+)?tháng cuối(?:\s+(?:của\s+)?(?:mỗi|các|hằng|hàng))?"
                          r"\s+quý", re.IGNORECASE)
_MONTHLY_AFTER = re.compile(rf"{_BY}\s*(?:{_EVERY}\s+)tháng(?!\s*(?:\d|cuối))", re.IGNORECASE)
_MONTHLY_BEFORE = re.compile(rf"(?:hằng|hàng|mỗi)\s+tháng\s*[,:;]?\s*{_BY}", re.IGNORECASE)
_CLAUSES = re.compile(r";\s+")
_PERIOD_WORD = {"quarterly": N_("quarterly report"), "half_year": N_("six-month report"),
                "annual": N_("annual report")}


def read_phrase(phrase: str, years: list[int]) -> PhraseRead:
    """All deadlines a deadline phrase (a table cell, a "Thời gian:" line, a plan-wide sentence) states,
    clause by clause ("báo cáo 6 tháng trước ngày 10/6; báo cáo năm trước ngày 10/11" is two)."""
    text = phrase.strip()
    found: list[DeadlineRead] = []
    for clause in _CLAUSES.split(text):
        for read in _read_clause(clause.strip(), text, years):
            found.append(replace(read, clause=read.clause or _cut(clause)))
    found = _unique(found)
    return PhraseRead(tuple(found), ongoing=not found and bool(_ONGOING.search(text)))


def _cut(clause: str) -> str:
    """A clause's words up to its last date, without a leading number or bullet and the trailing purpose."""
    clause = re.sub(r"^\s*(?:\d+\.|[a-zđ]\)|[-+•–*])\s*", "", clause).strip(" .;")
    dates = list(re.finditer(r"(?:ngày\s+)?\d{1,2}(?:\s*/\s*\d{1,2}(?:\s*/\s*\d{4})?)?(?:\s+(?:(?:của\s+)?tháng cuối"
                             r"(?:\s+\w+)?\s+quý|(?:hằng|hàng|mỗi)\s+tháng))?(?=\W|$)", clause, re.IGNORECASE))
    last = dates[-1] if dates else None
    text = clause[:last.end()] if last is not None and last.end() > 20 else clause
    if len(text) > 100:  # a long sentence: from its verb ("gửi kết quả … trước ngày 20/11")
        verbs = [m.start() for m in re.finditer(r"\b(gửi|gởi|nộp|báo cáo|cập nhật)\b", text, re.IGNORECASE)]
        fits = [v for v in verbs if len(text) - v <= 100]
        start = fits[0] if fits else verbs[-1] if verbs else 0
        text = text[start:]
    return text[:1].upper() + text[1:]


def _periodic_day(text: str) -> list[DeadlineRead]:
    """"trước ngày 15 tháng cuối quý", "trước ngày 25 hằng tháng", "hằng tháng, trước ngày 25"."""
    out = []
    for match in _QUARTER_END.finditer(text):
        day = int(match.group(2))
        if 1 <= day <= 30:
            extra = {"exclusive": True} if match.group(1).lower() == "trước" else {}
            out.append(DeadlineRead("bc-quy", {"rrule": f"FREQ=YEARLY;BYMONTH=3,6,9,12;BYMONTHDAY={day}", **extra},
                                    "seed", "quarter_end_day", text, {"day": day}))
    for match in [*_MONTHLY_AFTER.finditer(text), *_MONTHLY_BEFORE.finditer(text)]:
        day = int(match.group(2))
        if 1 <= day <= 28 and not _QUARTER_END.search(text):
            extra = {"exclusive": True} if match.group(1).lower() == "trước" else {}
            out.append(DeadlineRead("bc-thang", {"rrule": f"FREQ=MONTHLY;BYMONTHDAY={day}", **extra}, "seed",
                                    "monthly_day", text, {"day": day}))
    return out


def _read_clause(text: str, whole: str, years: list[int]) -> list[DeadlineRead]:
    found: list[DeadlineRead] = [replace(r, phrase=whole) for r in _periodic_day(text)]
    if found:
        return found
    taken: list[tuple[int, int]] = []
    for match in _BEFORE.finditer(text):
        found.append(_day(match.group(2), match.group(3), match.group(4), years, whole,
                          exclusive=match.group(1).lower() == "trước"))
        taken.append(match.span())
    for match in _ON_DAY.finditer(text):
        if not any(a <= match.start() < b for a, b in taken):
            found.append(_day(match.group(1), match.group(2), match.group(3), years, whole, exclusive=False))
    found.extend(_quarters(text, years, whole))
    for match in _MONTH.finditer(text):
        if not _HALF.match(text, match.start() - 2) and match.group(1) != "6" or not _HALF.search(text):
            found.extend(_month(int(match.group(1)), match.group(2), years, whole))
    dated = bool(found)
    if dated and _HALF.search(text) and _ANNUAL.search(text):
        found = _by_period(found)
    if not dated and (_QUARTERLY.search(text) or _HALF.search(text)
                      and not _MONTH.search(text.replace("6 tháng", ""))):
        found.extend(_periodic(text, whole))
    elif not dated and _ANNUAL.search(text) and re.search(r"báo cáo", text, re.IGNORECASE):
        found.extend(r for r in _periodic(text, whole) if r.rule == "annual")
    if not found:
        for match in _IN_YEAR.finditer(text):
            year = match.group(1) or match.group(2)
            found.append(DeadlineRead(f"nam-{year}" if year else "trong-nam", {"window": {"from": "01/01",
                         "to": "31/12"}, **_years(year, years)}, "seed", "in_year", whole,
                         {"year": year or ", ".join(map(str, years))}))
    return found


def _by_period(found: list[DeadlineRead]) -> list[DeadlineRead]:
    """Two days for "6 tháng, năm" ("Báo cáo 6 tháng, năm trước ngày 15/6 và 15/11"): the first is the six-month
    report's, the second the annual report's, each labelled so (not both with the whole phrase)."""
    days = [r for r in found if "day" in r.params]
    if len(days) != 2 or len(found) != 2:
        return found
    out = []
    for read, period in zip(days, ("half_year", "annual"), strict=True):
        template = _("{report} before {day}") if read.spec.get("exclusive") else _("{report}, due {day}")
        out.append(replace(read, clause=template.format(report=_(_PERIOD_WORD[period]), day=read.params["day"])))
    return out


def find_in_sentence(sentence: str, years: list[int]) -> list[DeadlineRead]:
    """Deadlines a task's own sentence states in passing ("(trong quý II của năm trước ...)")."""
    out: list[DeadlineRead] = []
    for match in _BEFORE.finditer(sentence):
        if match.group(1).lower() in ("trước", "chậm nhất", "chậm nhất là", "hạn chót"):
            out.append(_day(match.group(2), match.group(3), match.group(4), years, _around(sentence, match),
                            exclusive=match.group(1).lower() == "trước"))
    for match in re.finditer(r"(?:trong|vào|trước)\s+(quý\s+[ivx1-4]+[^.;)]*)", sentence, re.IGNORECASE):
        out.extend(_quarters(match.group(1), years))
    return _unique(out)


def _around(sentence: str, match: re.Match[str]) -> str:
    return sentence[max(0, match.start() - 60):match.end()].strip(" ,;(")


def _years(year: str | None, years: list[int]) -> dict[str, Any]:
    if year is None or [int(year)] == years:
        return {}
    return {"years": [int(year)]}


def _day(day: str, month: str, year: str | None, years: list[int], phrase: str, *, exclusive: bool) -> DeadlineRead:
    d, m = int(day), int(month)
    extra: dict[str, Any] = {"exclusive": True} if exclusive else {}
    if year is not None:
        return DeadlineRead(f"ngay-{d:02d}{m:02d}{year[2:]}", {"date": f"{d:02d}/{m:02d}/{year}", **extra},
                            "seed", "before_date" if exclusive else "on_date", phrase,
                            {"day": f"{d:02d}/{m:02d}/{year}"})
    return DeadlineRead(f"ngay-{d:02d}{m:02d}", {"yearly": f"{d:02d}/{m:02d}", **extra}, "seed",
                        "before_yearly" if exclusive else "on_yearly", phrase, {"day": f"{d:02d}/{m:02d}"})


def _quarters(text: str, years: list[int], whole: str | None = None) -> list[DeadlineRead]:
    out = []
    for match in _QUARTER.finditer(text):
        quarters = [ROMAN_QUARTERS[q.lower()] for q in re.findall(r"iv|i{1,3}|[1-4]", match.group(1), re.IGNORECASE)]
        before = _YEAR_BEFORE.search(text, match.end(), match.end() + 40)
        for quarter in quarters:
            window: dict[str, Any] = {"quarter": quarter}
            if before:
                window["year_offset"] = -1
            rule = "quarter_year_before" if before else "quarter"
            key = f"quy-{quarter}" + ("-nam-truoc" if before else "")
            out.append(DeadlineRead(key, {"window": window, **_years(match.group(2), years)}, "seed", rule,
                                    whole or text, {"quarter": quarter}))
    return out


def _month(month: int, year: str | None, years: list[int], phrase: str) -> list[DeadlineRead]:
    if not 1 <= month <= 12:
        return []
    last = calendar.monthrange(2000, month)[1]  # 2000 is a leap year; 29/02 falls back to 28/02
    spec = {"window": {"from": f"01/{month:02d}", "to": f"{last:02d}/{month:02d}"}, **_years(year, years)}
    return [DeadlineRead(f"thang-{month:02d}", spec, "seed", "month", phrase,
                         {"month": f"{month:02d}" + (f"/{year}" if year else ""), "last": f"{last:02d}/{month:02d}"})]


def _periodic(text: str, whole: str) -> list[DeadlineRead]:
    out = []
    half, annual = bool(_HALF.search(text)), bool(_ANNUAL.search(text))
    if _QUARTERLY.search(text):
        months = "3,9" if half else "3,6,9,12"
        months = "3,6,9" if annual and not half else months
        out.append(DeadlineRead("bc-quy", {"rrule": f"FREQ=YEARLY;BYMONTH={months};BYMONTHDAY=20"}, "assumed",
                                "quarterly", whole, {"months": months}, _(_PERIOD_WORD["quarterly"])))
    if half:
        out.append(DeadlineRead("bc-6thang", {"yearly": "20/06"}, "assumed", "half_year", whole, {"day": "20/06"},
                                _(_PERIOD_WORD["half_year"])))
    if annual:
        out.append(DeadlineRead("bc-nam", {"yearly": "20/12"}, "assumed", "annual", whole, {"day": "20/12"},
                                _(_PERIOD_WORD["annual"])))
    return out


def _unique(found: list[DeadlineRead]) -> list[DeadlineRead]:
    out: list[DeadlineRead] = []
    for item in found:
        if all(item.spec != other.spec for other in out):
            out.append(item)
    return out
