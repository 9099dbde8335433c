"""Copy a plan to a new year: years and dates moved, the plan start set when the model has one,
`source` kept, and a note on each deadline that the office must confirm it for the new year."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from bot.domain.plan import PlanInfo, parse_day
from bot.i18n import N_, _
from bot.i18n.formats import fmt_number
from bot.importer.reading import ReadError
from bot.importer.stale import applies, in_plan, summary
from bot.importer.writing import COMMENT, document
from bot.plans.loader import PlanError, load_plan


def _moved(day: date, delta: int) -> date:
    try:
        return day.replace(year=day.year + delta)
    except ValueError:  # 29/02 into a common year
        return day.replace(year=day.year + delta, day=28)


def _years_in_text(text: str, old: list[int], new: list[int]) -> str:
    mapping = dict(zip(map(str, old), map(str, new), strict=True))
    return re.sub(r"(?<!\d)(\d{4})(?!\d)", lambda m: mapping.get(m.group(1), m.group(1)), text)


def _near_years_moved(text: str, old: list[int], delta: int) -> str:
    """Years of the plan and the years next to it ("the year before", "the next plan year") moved by `delta`."""
    near = range(old[0] - 1, old[-1] + 2)
    return re.sub(r"(?<!\d)(\d{4})(?!\d)", lambda m: str(int(m.group(1)) + delta) if int(m.group(1)) in near
                  else m.group(1), text)


def _roll_deadline(spec: dict[str, Any], delta: int, old_years: list[int], new_years: list[int]) -> None:
    for key in ("label", "note", "lead_label", "office_label"):  # "30/06/2019 và 30/06/2020" move with the years
        if spec.get(key):
            spec[key] = _near_years_moved(str(spec[key]), old_years, delta)
    if spec.get("date") is not None:
        old_day = parse_day(spec["date"])
        spec["date"] = _moved(old_day, delta).strftime("%d/%m/%Y")
    if spec.get("years"):
        spec["years"] = [y + delta for y in spec["years"]]
    confirm = _("Rolled from the plan of {old}: confirm this deadline for {year}.").format(
        old=", ".join(map(str, old_years)), year=", ".join(map(str, new_years)))
    spec["note"] = f"{spec['note']} {confirm}" if spec.get("note") else confirm


def roll_plan(path: Path, to_year: int) -> tuple[str, int, list[str]]:
    """The text of the plan moved to `to_year`, the number of deadlines to confirm, and the terms of before
    2025 it still uses (each with the current one), when the new years are 2025 or later."""
    try:
        load_plan(path)
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except PlanError as exc:
        raise ReadError(N_("{file} is not a valid plan; run nhacviec check on it first ({count} problems)"),
                        file=str(path), count=str(len(exc.issues))) from None
    info = data["plan"]
    old_years = sorted(int(y) for y in info["years"])
    delta = to_year - old_years[0]
    new_years = [y + delta for y in old_years]
    info["years"] = new_years
    info["id"] = _years_in_text(str(info["id"]), old_years, new_years)[:24]
    info["title"] = _years_in_text(str(info["title"]), old_years, new_years)
    if "starts" in PlanInfo.model_fields:  # the plan start, in models that have one
        info["starts"] = f"01/01/{to_year}"
        if "start_note" in info or "start_note" in PlanInfo.model_fields:  # the old start's reason is stale
            info["start_note"] = _("Rolled to {year}: the plan starts on 01/01/{year} until the office enters the "
                                   "date of issue of the new plan (issued_on).").format(year=to_year)
    if "issued_on" in PlanInfo.model_fields:
        info.pop("issued_on", None)
    baseline = info.pop("baseline", None)
    count = 0
    for spec in info.get("common_deadlines") or []:
        _roll_deadline(spec, delta, old_years, new_years)
        count += 1
    for task in data.get("tasks") or []:
        for spec in task.get("deadlines") or []:
            _roll_deadline(spec, delta, old_years, new_years)
            count += 1
    header = [_("Plan rolled from {file} ({old}) to {new} by `nhacviec plan roll`.").format(
        file=path.name, old=", ".join(map(str, old_years)), new=", ".join(map(str, new_years))),
        _("The office must check:"),
        "- " + _("every deadline: its note says it was rolled; dates and years moved by {delta} years.").format(
            delta=delta),
        "- " + _("the references, titles and details that name a year."),
        "- " + _("the units and groups: the organisation may have changed.")]
    if baseline is not None:
        header.append("- " + _("baseline removed (it was {year}: {score}); enter the result of {previous}.").format(
            year=baseline.get("year"), score=fmt_number(float(baseline.get("score", 0))), previous=to_year - 1))
    stale = summary(in_plan(data)) if applies(new_years) else []
    if stale:
        header += ["", _("Terms and units that no longer exist since 01/07/2025 (write the current ones):"),
                   *[f"- {line}" for line in stale]]
    info[COMMENT] = []
    sections: list[tuple[str, Any, list[str]]] = [(key, value, []) for key, value in data.items()]
    return document(header, sections) + "\n", count, stale
