"""The plan as validated data: units, groups, roles, areas, tasks, deadlines, ladder.

Structure only; cross-references (unknown units, duplicate ids) are checked in
`bot.domain.references` so every problem of a file is reported at once.
"""

from __future__ import annotations

import calendar as _calendar
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime, time
from functools import cached_property
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from bot.domain.workdays import Shift

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,23}$"
Ident = Annotated[str, Field(pattern=ID_PATTERN)]
Text = Annotated[str, Field(min_length=1, max_length=2000)]
Source = Literal["seed", "assumed"]


class Strict(BaseModel):
    """Unknown fields are errors; values are immutable once loaded."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def parse_day(value: object) -> date:
    """Accept a YAML date, `dd/mm/yyyy` or `yyyy-mm-dd`; reject impossible dates."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise PydanticCustomError("bad_date", "expected a date dd/mm/yyyy", {"value": repr(value)})
    text = value.strip()
    for pattern, order in ((r"(\d{1,2})/(\d{1,2})/(\d{4})", "dmy"), (r"(\d{4})-(\d{1,2})-(\d{1,2})", "ymd")):
        match = re.fullmatch(pattern, text)
        if match:
            a, b, c = (int(g) for g in match.groups())
            y, m, d = (c, b, a) if order == "dmy" else (a, b, c)
            try:
                return date(y, m, d)
            except ValueError:
                raise PydanticCustomError("impossible_date", "impossible date {value}", {"value": text}) from None
    raise PydanticCustomError("bad_date", "expected a date dd/mm/yyyy", {"value": text})


def parse_day_month(value: object) -> tuple[int, int]:
    """Accept `dd/mm` (a date that exists in a leap year, e.g. 29/02)."""
    if not isinstance(value, str) or not re.fullmatch(r"\d{1,2}/\d{1,2}", value.strip()):
        raise PydanticCustomError("bad_day_month", "expected dd/mm", {"value": repr(value)})
    d, m = (int(part) for part in value.strip().split("/"))
    try:
        date(2000, m, d)
    except ValueError:
        raise PydanticCustomError("impossible_date", "impossible date {value}", {"value": value}) from None
    return d, m


def parse_clock_time(value: object) -> time:
    """Accept a quoted `HH:MM` time of day."""
    if isinstance(value, str):
        match = re.fullmatch(r"(\d{1,2}):(\d{2})", value.strip())
        if match and int(match[1]) < 24 and int(match[2]) < 60:
            return time(int(match[1]), int(match[2]))
    raise PydanticCustomError("bad_time", "expected a quoted time HH:MM", {"value": repr(value)})


class Baseline(Strict):
    year: int
    score: float
    rank: int = Field(ge=1)
    of: int = Field(ge=1)


class LadderOverride(Strict):
    """Per-task or per-deadline changes to the plan's reminder ladder."""

    at: str | None = None
    before: list[Annotated[int, Field(ge=1, le=250)]] | None = None
    on_due: bool | None = None
    overdue_every: Annotated[int, Field(ge=1, le=60)] | None = None
    overdue_for: Annotated[int, Field(ge=0, le=250)] | None = None
    escalate_to_lead_after: Annotated[int, Field(ge=1, le=250)] | None = None
    escalate_to_leadership_after: Annotated[int, Field(ge=1, le=250)] | None = None

    @field_validator("at")
    @classmethod
    def _time(cls, value: str | None) -> str | None:
        if value is not None:
            parse_clock_time(value)
        return value


class Ladder(Strict):
    """When reminders go out, counted in working days around the due date."""

    at: str = "08:00"
    before: list[Annotated[int, Field(ge=1, le=250)]] = [14, 7, 3, 1]
    on_due: bool = True
    overdue_every: int = Field(default=2, ge=1, le=60)
    overdue_for: int = Field(default=20, ge=0, le=250)
    escalate_to_lead_after: int | None = Field(default=3, ge=1, le=250)
    escalate_to_leadership_after: int | None = Field(default=7, ge=1, le=250)
    leadership_role: Ident = "leadership"
    # The seed: difficulties reach Lãnh đạo Sở "thông qua Văn phòng Sở". The last rung goes to the office,
    # which reports on; to the role in charge of the area too when the plan names one (`areas[].in_charge`).
    leadership_via_office: bool = True

    @field_validator("at")
    @classmethod
    def _time(cls, value: str) -> str:
        parse_clock_time(value)
        return value

    @property
    def send_time(self) -> time:
        return parse_clock_time(self.at)

    def merged(self, override: LadderOverride | None) -> Ladder:
        """This ladder with the fields an override sets replaced."""
        if override is None:
            return self
        changes = {k: v for k, v in override.model_dump(exclude_none=True).items()}
        return self.model_copy(update=changes)


class Window(Strict):
    """A period such as "Q2 of the year before": due at its last day."""

    quarter: Annotated[int, Field(ge=1, le=4)] | None = None
    start: str | None = Field(default=None, alias="from")
    end: str | None = Field(default=None, alias="to")
    year_offset: int = Field(default=0, ge=-5, le=5)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _shape(self) -> Window:
        if (self.quarter is None) == (self.start is None or self.end is None):
            raise PydanticCustomError("window_shape", "give either quarter or from and to", {})
        for value in (self.start, self.end):
            if value is not None:
                parse_day_month(value)
        return self


def _check_month_days(rule: str) -> None:
    """Reject a BYMONTHDAY no month can have (40, or 30 with BYMONTH=2).

    dateutil accepts such a rule and then yields no date at all, after searching
    up to the year 9999: the deadline would silently never fall due.
    """
    parts = dict(p.split("=", 1) for p in rule.upper().replace(" ", "").split(";") if "=" in p)
    try:
        days = [int(d) for d in parts.get("BYMONTHDAY", "").split(",") if d]
        months = [int(m) for m in parts.get("BYMONTH", "").split(",") if m] or list(range(1, 13))
    except ValueError:
        return  # dateutil has already judged the syntax
    longest = max((_calendar.monthrange(2000, m)[1] for m in months if 1 <= m <= 12), default=31)  # 2000: leap
    if days and not any(1 <= abs(d) <= longest for d in days):
        raise PydanticCustomError("rrule_never", "BYMONTHDAY={days} matches no day of the months given",
                                  {"days": parts["BYMONTHDAY"]})


class DeadlineSpec(Strict):
    """One kind of deadline of a task: exactly one of date, yearly, window, rrule."""

    id: Ident
    label: Text
    source: Source
    date: str | None = None
    yearly: str | None = None
    window: Window | None = None
    rrule: str | None = None
    years: list[Annotated[int, Field(ge=1990, le=2100)]] | None = None
    exclusive: bool = False
    due_from: Literal["all", "lead", "others"] = "all"
    shift: Shift | None = None
    ladder: LadderOverride | None = None
    note: str | None = None
    # Who owes it, when not "every unit the task names" (`due_from`): unit and group ids.
    units: list[Ident] | None = None
    # The date is when the task's lead unit reports outward (to the Sở Nội vụ, the Sở Tư pháp...); the
    # other units owe their share to the lead `plan.internal_lead_days` working days earlier.
    collect: bool = False
    # What the lead's own occurrence reads (with `collect`), and the office's own (it is not asked to
    # send results to itself: e.g. "hoàn thành và cập nhật").
    lead_label: Text | None = None
    office_label: Text | None = None
    # Units (or groups) whose share the plan does not give but the transcriber assumed: their occurrences are
    # `assumed` (a draft until the office confirms it) even when the date itself is the plan's.
    assumed_units: list[Ident] | None = None
    assumed_note: str | None = None

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, value: object) -> str | None:
        return None if value is None else parse_day(value).isoformat()

    @field_validator("yearly")
    @classmethod
    def _yearly(cls, value: str | None) -> str | None:
        if value is not None:
            parse_day_month(value)
        return value

    @field_validator("rrule")
    @classmethod
    def _rrule(cls, value: str | None) -> str | None:
        if value is not None:
            from dateutil.rrule import rrulestr

            if "DTSTART" in value.upper():
                raise PydanticCustomError("rrule_dtstart", "DTSTART comes from the plan years", {})
            try:
                rrulestr(value, dtstart=datetime(2000, 1, 1))
            except (ValueError, TypeError) as exc:
                raise PydanticCustomError("bad_rrule", "invalid RRULE: {reason}", {"reason": str(exc)}) from None
            _check_month_days(value)
        return value

    @model_validator(mode="after")
    def _assumed_noted(self) -> DeadlineSpec:
        if self.assumed_units and not (self.assumed_note or "").strip():
            raise PydanticCustomError("assumed_needs_note", "an assumed choice needs a note", {})
        return self

    @model_validator(mode="after")
    def _one_kind(self) -> DeadlineSpec:
        given = [k for k in ("date", "yearly", "window", "rrule") if getattr(self, k) is not None]
        if len(given) != 1:
            raise PydanticCustomError("deadline_kind", "give exactly one of date, yearly, window, rrule",
                                      {"given": ", ".join(given) or "-"})
        return self

    @property
    def kind(self) -> str:
        return next(k for k in ("date", "yearly", "window", "rrule") if getattr(self, k) is not None)


class Metric(Strict):
    id: Ident
    name: Text
    kind: Literal["percent", "count"]
    target: float
    comparison: Literal[">=", ">", "<=", "<", "=="] = ">="
    note: str | None = None  # the transcriber's remarks, kept out of the name leadership reads

    @model_validator(mode="after")
    def _range(self) -> Metric:
        if self.kind == "percent" and not 0 <= self.target <= 100:
            raise PydanticCustomError("percent_range", "a percentage is between 0 and 100", {})
        if self.kind == "count" and (self.target < 0 or self.target != int(self.target)):
            raise PydanticCustomError("count_range", "a count is a non-negative integer", {})
        return self

    def is_met(self, value: float) -> bool:
        """Whether a reported value reaches the target."""
        return {">=": value >= self.target, ">": value > self.target, "<=": value <= self.target,
                "<": value < self.target, "==": value == self.target}[self.comparison]


class Responsibility(Strict):
    """Who leads (chủ trì / tổng hợp) and who cooperates or executes (phối hợp / thực hiện)."""

    lead: list[Ident] = []
    lead_as: Literal["chủ trì", "tổng hợp"] = "chủ trì"
    others: list[Ident] = []
    others_as: Literal["phối hợp", "thực hiện"] = "phối hợp"

    @property
    def others_cooperate(self) -> bool:
        """The others help the lead (phối hợp) rather than carry the work out themselves (thực hiện)."""
        return self.others_as == "phối hợp"

    @model_validator(mode="after")
    def _someone(self) -> Responsibility:
        if not self.lead and not self.others:
            raise PydanticCustomError("nobody_responsible", "name at least one unit or group", {})
        return self


class Unit(Strict):
    id: Ident
    name: Text
    email: str | None = None
    note: str | None = None


class Group(Strict):
    id: Ident
    name: Text
    members: list[Ident] = Field(min_length=1)


class Role(Strict):
    id: Ident
    name: Text
    members: list[Text] = []


class Area(Strict):
    id: Ident
    name: Text
    responsibility: Responsibility
    # The plan's role (a Phó Giám đốc) in charge of this area: escalations go to them, through the office.
    in_charge: Ident | None = None


class Owners(Strict):
    """The units that owe every deadline of a task, when fewer than its responsibility names.

    A Sở-wide figure or a single plan has one owner who reports the Sở's figure. The seed rarely
    says who: `source: assumed` then needs a `note` for the office to confirm.
    """

    units: list[Ident] = Field(min_length=1)
    source: Source
    note: str | None = None

    @model_validator(mode="after")
    def _noted(self) -> Owners:
        if self.source == "assumed" and not (self.note or "").strip():
            raise PydanticCustomError("assumed_needs_note", "an assumed choice needs a note", {})
        return self


class Task(Strict):
    id: Ident
    area: Ident
    title: Text
    ref: Text | None = None  # where the plan's own text says it (section, bullet), shown on the task card
    detail: str | None = None
    evidence: list[Text] = []
    evidence_source: Source | None = None  # seed: the plan lists them; assumed: the transcriber did
    evidence_required: bool = False
    metrics: list[Metric] = []
    responsibility: Responsibility | None = None
    owners: Owners | None = None
    common_deadlines: bool = True
    deadlines: list[DeadlineSpec] = []
    shift: Shift | None = None
    ladder: LadderOverride | None = None


class PlanInfo(Strict):
    id: Ident
    title: Text
    issued_by: Text
    years: list[Annotated[int, Field(ge=1990, le=2100)]] = Field(min_length=1)
    baseline: Baseline | None = None
    office: Ident
    timezone: str = "Asia/Ho_Chi_Minh"
    shift: Shift = Shift.PREVIOUS
    ladder: Ladder = Ladder()
    common_deadlines: list[DeadlineSpec] = []
    references: list[Text] = []
    # No occurrence is due before the plan starts: `starts`, else the day it was issued.
    issued_on: str | None = None
    starts: str | None = None
    start_note: str | None = None
    # Departments report to the lead (usually the office) this many working days before its own
    # deadline outward (deadlines marked `collect`).
    internal_lead_days: int = Field(default=5, ge=0, le=60)
    internal_lead_note: str | None = None

    @field_validator("issued_on", "starts", mode="before")
    @classmethod
    def _day(cls, value: object) -> str | None:
        return None if value is None else parse_day(value).isoformat()

    @property
    def start(self) -> date | None:
        """The first day an occurrence may be due (None: no limit)."""
        chosen = self.starts or self.issued_on
        return None if chosen is None else date.fromisoformat(chosen)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise PydanticCustomError("bad_timezone", "unknown time zone {value}", {"value": value}) from None
        return value


class Plan(Strict):
    """A whole plan file."""

    plan: PlanInfo
    units: list[Unit] = Field(min_length=1)
    groups: list[Group] = []
    roles: list[Role] = []
    areas: list[Area] = Field(min_length=1)
    tasks: list[Task] = Field(min_length=1)

    @cached_property
    def _derived(self) -> dict[Any, Any]:
        # Values computed from this immutable plan (id indexes, effective ladders). A cached
        # property lives in __dict__, which pydantic leaves out of ==, dumps and validation.
        return {}

    def derived(self, key: Any, compute: Callable[[], Any]) -> Any:
        """`compute()`, remembered under `key` for the life of this plan object."""
        derived = self._derived
        if key not in derived:
            derived[key] = compute()
        return derived[key]

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy (see pydantic) that does not inherit values derived from the original's fields."""
        copy = super().model_copy(update=update, deep=deep)
        copy.__dict__.pop("_derived", None)
        return copy

    def _by_id(self, name: str, ident: str) -> Any:
        def index() -> dict[str, Any]:
            found: dict[str, Any] = {}
            for item in getattr(self, name):
                found.setdefault(item.id, item)  # like a linear search: the first of duplicate ids
            return found

        return self.derived(("by_id", name), index)[ident]

    def unit(self, unit_id: str) -> Unit:
        """The unit with this id (KeyError if none)."""
        unit: Unit = self._by_id("units", unit_id)
        return unit

    def area(self, area_id: str) -> Area:
        """The area with this id (KeyError if none)."""
        area: Area = self._by_id("areas", area_id)
        return area

    def task(self, task_id: str) -> Task:
        """The task with this id (KeyError if none)."""
        task: Task = self._by_id("tasks", task_id)
        return task

    def expand_units(self, names: list[str]) -> tuple[str, ...]:
        """Unit ids for a list of unit and group ids, in order, without repeats."""
        groups = {g.id: g.members for g in self.groups}
        out: list[str] = []
        for name in names:
            for unit_id in groups.get(name, [name]):
                if unit_id not in out:
                    out.append(unit_id)
        return tuple(out)

    def responsibility(self, task: Task) -> Responsibility:
        return task.responsibility or self.area(task.area).responsibility
