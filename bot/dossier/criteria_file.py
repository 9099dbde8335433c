"""Reading a criteria file: format 2 (a set with its tree, see CRITERIA-FORMAT.md) or the old flat list.

Every problem is collected and listed in the reader's words; nothing is loaded when there is one.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any

import yaml

from bot.i18n import _
from bot.services.criteria import CriteriaError as CriteriaFileError

LEVELS = ("linh_vuc", "tieu_chi", "tieu_chi_thanh_phan")
CODE_CHARS = 32


@dataclass(frozen=True)
class SetSpec:
    year: int | None  # None: the old flat list, whose year the caller chooses
    name: str = ""
    source: str | None = None
    total_points: float | None = None
    last_points: float | None = None
    last_rank: int | None = None
    last_of: int | None = None


@dataclass(frozen=True)
class RowSpec:
    code: str
    level: str
    parent: str | None
    name: str
    max_points: float
    method: str | None = None
    evidence: str | None = None
    survey: bool = False
    tasks: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    guessed: tuple[str, ...] = ()


@dataclass(frozen=True)
class CriteriaFile:
    set: SetSpec
    rows: tuple[RowSpec, ...]
    warnings: tuple[str, ...] = field(default=())


def _text(value: Any) -> str:
    return unicodedata.normalize("NFC", " ".join(str(value).split())) if value is not None else ""


def _number(value: Any) -> float | None:
    """10, 1.5, "70,69": a number; anything else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip().replace(",", "."))
        except ValueError:
            return None
    return None


def _codes(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
        return None
    return tuple(dict.fromkeys(_text(v) for v in value if _text(v)))


def fmt_points(value: float) -> str:
    return f"{round(value, 2):g}".replace(".", ",")


def parse_criteria_file(text: str, path: str = "criteria.yaml") -> CriteriaFile:
    """Format 2 (`format: 2`, `set:`, `criteria:`) or the old flat list of {code, name, max_points, tasks}."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CriteriaFileError(path, [_("not valid YAML: {error}").format(error=str(exc).splitlines()[0])]) from None
    if isinstance(data, dict) and data.get("format") == 2:
        return _format2(data, path)
    if isinstance(data, dict) and "format" in data:
        raise CriteriaFileError(path, [_("unknown format {value}: this version reads format 2 and the old list")
                                       .format(value=_text(data.get("format"))[:10])])
    rows = data.get("criteria") if isinstance(data, dict) else data
    if not isinstance(rows, list) or not rows:
        raise CriteriaFileError(path, [_("expected a list of criteria, each with code, name, max_points and "
                                         "tasks, or a format 2 file")])
    problems: list[str] = []
    specs = _rows(rows, problems, flat=True)
    if problems:
        raise CriteriaFileError(path, problems)
    return CriteriaFile(SetSpec(None), tuple(specs))


def _set(raw: Any, problems: list[str]) -> SetSpec:
    if not isinstance(raw, dict):
        problems.append(_("set: missing; it needs at least year and name"))
        return SetSpec(None)
    year = raw.get("year")
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        problems.append(_("set: year must be a year such as 2026"))
        year = None
    name = _text(raw.get("name"))
    if not name:
        problems.append(_("set: name is missing"))
    total = _number(raw.get("total_points")) if raw.get("total_points") is not None else None
    if raw.get("total_points") is not None and (total is None or total <= 0):
        problems.append(_("set: total_points must be a number above 0"))
    last = raw.get("last_year") or {}
    if not isinstance(last, dict):
        problems.append(_("set: last_year must be {points, rank, of}"))
        last = {}
    points = _number(last.get("points")) if last.get("points") is not None else None
    rank, of = last.get("rank"), last.get("of")
    if last.get("points") is not None and (points is None or points < 0):
        problems.append(_("set: last_year.points must be a number"))
    for label, value in (("rank", rank), ("of", of)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            problems.append(_("set: last_year.{field} must be a whole number from 1").format(field=label))
    if isinstance(rank, int) and isinstance(of, int) and rank > of:
        problems.append(_("set: last_year.rank {rank} is above of {of}").format(rank=rank, of=of))
    return SetSpec(year, name, _text(raw.get("source")) or None, total, points,
                   rank if isinstance(rank, int) else None, of if isinstance(of, int) else None)


def _rows(items: list[Any], problems: list[str], flat: bool) -> list[RowSpec]:
    specs: list[RowSpec] = []
    seen: set[str] = set()
    for n, item in enumerate(items, start=1):
        where = _("row {n}").format(n=n)
        if not isinstance(item, dict):
            problems.append(_("{where}: expected code, level, parent, name and max_points").format(where=where))
            continue
        code, name = _text(item.get("code")), _text(item.get("name"))
        if code:
            where = _("row {n} ({code})").format(n=n, code=code[:CODE_CHARS])
        if not code or len(code) > CODE_CHARS:
            problems.append(_("{where}: code is missing or longer than {limit} characters")
                            .format(where=where, limit=CODE_CHARS))
        elif code in seen:
            problems.append(_("{where}: code {code} appears twice").format(where=where, code=code))
        seen.add(code)
        if not name:
            problems.append(_("{where}: name is missing").format(where=where))
        points = _number(item.get("max_points"))
        if points is None or not (0 < points if flat else 0 <= points) or points > 100:
            problems.append(_("{where}: max_points must be a number from 0 to 100").format(where=where))
        level = "tieu_chi" if flat else _text(item.get("level"))
        if level not in LEVELS:
            problems.append(_("{where}: level must be linh_vuc, tieu_chi or tieu_chi_thanh_phan")
                            .format(where=where))
        parent = None if flat else (_text(item.get("parent")) or None)
        tasks, units = _codes(item.get("tasks")), _codes(item.get("units"))
        if tasks is None:
            problems.append(_("{where}: tasks must be a list of task codes, e.g. [\"1.1\", \"2.3\"]")
                            .format(where=where))
        if units is None:
            problems.append(_("{where}: units must be a list of unit codes, e.g. [\"VP\", \"TCCB\"]")
                            .format(where=where))
        survey = item.get("survey", False)
        if not isinstance(survey, bool):
            problems.append(_("{where}: survey must be true or false").format(where=where))
        guessed = _codes(item.get("guessed")) or ()
        specs.append(RowSpec(code, level, parent, name, points or 0.0, _text(item.get("method")) or None,
                             _text(item.get("evidence")) or None, survey is True, tasks or (), units or (),
                             guessed))
    return specs


def _format2(data: dict[str, Any], path: str) -> CriteriaFile:
    problems: list[str] = []
    spec = _set(data.get("set"), problems)
    items = data.get("criteria")
    if not isinstance(items, list) or not items:
        problems.append(_("criteria: expected a list of rows"))
        raise CriteriaFileError(path, problems)
    rows = _rows(items, problems, flat=False)
    warnings = _tree(rows, spec, problems)
    if problems:
        raise CriteriaFileError(path, problems)
    return CriteriaFile(spec, tuple(rows), tuple(warnings))


def _tree(rows: list[RowSpec], spec: SetSpec, problems: list[str]) -> list[str]:
    """Parents exist, come first and are one level up; sums checked (a difference is a warning: provinces round)."""
    warnings: list[str] = []
    level_of: dict[str, str] = {}
    children: dict[str, list[RowSpec]] = {}
    for row in rows:
        depth = LEVELS.index(row.level) if row.level in LEVELS else None
        if row.parent is None:
            if depth not in (None, 0):
                problems.append(_("{code}: a {level} row needs its parent").format(code=row.code, level=row.level))
        elif row.parent not in level_of:
            problems.append(_("{code}: parent {parent} is not an earlier row").format(code=row.code,
                                                                                      parent=row.parent))
        elif depth is not None and level_of[row.parent] in LEVELS and LEVELS.index(level_of[row.parent]) != depth - 1:
            problems.append(_("{code}: parent {parent} is {parent_level}, not one level above {level}")
                            .format(code=row.code, parent=row.parent, parent_level=level_of[row.parent],
                                    level=row.level))
        else:
            children.setdefault(row.parent, []).append(row)
        level_of.setdefault(row.code, row.level)
    for row in rows:
        kids = children.get(row.code)
        if kids and abs(sum(k.max_points for k in kids) - row.max_points) > 0.005:
            warnings.append(_("{code}: maximum {points} but its rows add up to {sum}").format(
                code=row.code, points=fmt_points(row.max_points), sum=fmt_points(sum(k.max_points for k in kids))))
    areas = sum(r.max_points for r in rows if r.parent is None)
    if spec.total_points is not None and abs(areas - spec.total_points) > 0.005:
        problems.append(_("the areas add up to {sum}, not the total_points {total}").format(
            sum=fmt_points(areas), total=fmt_points(spec.total_points)))
    return warnings
