"""Properties of expansion and reminders over random plans, 2018–2030.

Plans are built as the YAML loader would hand them to pydantic: random deadlines
(one-off dates, yearly days, windows, simple RRULEs), random shift rules at plan,
task and deadline level, and random ladders and ladder overrides.
"""

from __future__ import annotations

import calendar as _calendar
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.deadlines import Occurrence, expand_plan, task_deadlines
from bot.domain.ladder import effective_ladder, plan_reminders
from bot.domain.plan import Plan
from bot.domain.workdays import Shift, WorkCalendar

CAL = WorkCalendar()
HCM = ZoneInfo("Asia/Ho_Chi_Minh")
UNITS = ["VP", "TCCB", "KHTC", "TTr"]
PROPERTY_SETTINGS = settings(max_examples=100, deadline=None, database=None,
                             suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

shifts = st.sampled_from(["previous", "next", "keep"])


@st.composite
def day_months(draw: st.DrawFn) -> str:
    month = draw(st.integers(1, 12))
    day = draw(st.integers(1, _calendar.monthrange(2000, month)[1]))  # 29/02 included
    return f"{day:02d}/{month:02d}"


@st.composite
def one_off_dates(draw: st.DrawFn) -> str:
    day = draw(st.dates(date(2018, 1, 1), date(2030, 12, 31)))
    return day.isoformat() if draw(st.booleans()) else day.strftime("%d/%m/%Y")


def rrules() -> st.SearchStrategy[str]:
    month_day = st.one_of(st.integers(1, 28), st.just(-1))
    return st.one_of(
        month_day.map(lambda d: f"FREQ=MONTHLY;BYMONTHDAY={d}"),
        st.tuples(st.integers(1, 3), month_day).map(lambda t: f"FREQ=MONTHLY;INTERVAL={t[0]};BYMONTHDAY={t[1]}"),
        st.tuples(st.lists(st.integers(1, 12), min_size=1, max_size=3, unique=True), month_day).map(
            lambda t: f"FREQ=YEARLY;BYMONTH={','.join(map(str, sorted(t[0])))};BYMONTHDAY={t[1]}"),
    )


def windows() -> st.SearchStrategy[dict[str, Any]]:
    offset = st.integers(-1, 1)
    return st.one_of(
        st.builds(lambda q, o: {"quarter": q, "year_offset": o}, st.integers(1, 4), offset),
        st.builds(lambda a, b, o: {"from": a, "to": b, "year_offset": o}, day_months(), day_months(), offset),
    )


@st.composite
def ladder_overrides(draw: st.DrawFn) -> dict[str, Any]:
    fields = {
        "at": st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23), st.sampled_from([0, 15, 30, 45])),
        "before": st.lists(st.integers(1, 30), max_size=5),
        "on_due": st.booleans(),
        "overdue_every": st.integers(1, 10),
        "overdue_for": st.integers(0, 30),
        "escalate_to_lead_after": st.integers(1, 30),
        "escalate_to_leadership_after": st.integers(1, 30),
    }
    chosen = draw(st.lists(st.sampled_from(sorted(fields)), unique=True, max_size=len(fields)))
    return {name: draw(fields[name]) for name in chosen}


@st.composite
def plan_ladders(draw: st.DrawFn) -> dict[str, Any]:
    ladder = draw(ladder_overrides())
    for rung in ("escalate_to_lead_after", "escalate_to_leadership_after"):
        if draw(st.booleans()) and draw(st.booleans()):
            ladder[rung] = None  # only the plan's ladder can switch an escalation off
    if draw(st.booleans()):
        ladder["leadership_via_office"] = draw(st.booleans())  # only the plan's ladder says so
    return ladder


@st.composite
def deadline_specs(draw: st.DrawFn, index: int) -> dict[str, Any]:
    kind = draw(st.sampled_from(["date", "yearly", "window", "rrule"]))
    value = {"date": one_off_dates, "yearly": day_months, "window": windows, "rrule": rrules}[kind]()
    spec: dict[str, Any] = {"id": f"d{index}", "label": "Hạn", "source": "seed", kind: draw(value),
                            "exclusive": draw(st.booleans()),
                            "due_from": draw(st.sampled_from(["all", "lead", "others"]))}
    if draw(st.booleans()):
        spec["shift"] = draw(shifts)
    if draw(st.booleans()):
        spec["ladder"] = draw(ladder_overrides())
    return spec


@st.composite
def responsibilities(draw: st.DrawFn) -> dict[str, Any]:
    lead = draw(st.lists(st.sampled_from([*UNITS, "PHONG"]), max_size=2, unique=True))
    others = draw(st.lists(st.sampled_from([*UNITS, "PHONG"]), min_size=0 if lead else 1, max_size=2, unique=True))
    return {"lead": lead, "others": others}


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    first = draw(st.integers(2018, 2030))
    years = sorted({first, min(first + draw(st.integers(0, 1)), 2030)})
    info: dict[str, Any] = {"id": "p", "title": "Kế hoạch", "issued_by": "Sở", "years": years, "office": "VP",
                            "shift": draw(shifts), "ladder": draw(plan_ladders())}
    tasks = []
    for t in range(draw(st.integers(1, 2))):
        task: dict[str, Any] = {"id": f"t{t}", "area": "1", "title": "Nhiệm vụ", "common_deadlines": False,
                                "deadlines": [draw(deadline_specs(i)) for i in range(draw(st.integers(1, 2)))]}
        if draw(st.booleans()):
            task["shift"] = draw(shifts)
        if draw(st.booleans()):
            task["ladder"] = draw(ladder_overrides())
        if draw(st.booleans()):
            task["responsibility"] = draw(responsibilities())
        tasks.append(task)
    return Plan.model_validate({
        "plan": info,
        "units": [{"id": u, "name": u} for u in UNITS],
        "groups": [{"id": "PHONG", "name": "Các phòng", "members": ["TCCB", "KHTC"]}],
        "roles": [{"id": "leadership", "name": "Lãnh đạo"}],
        "areas": [{"id": "1", "name": "Lĩnh vực", "responsibility": draw(responsibilities())}],
        "tasks": tasks,
    })


def shift_rule(plan: Plan, occurrence: Occurrence) -> Shift:
    task = plan.task(occurrence.task_id)
    spec = next(s for s in task_deadlines(plan, task) if s.id == occurrence.deadline_id)
    return Shift(spec.shift or task.shift or plan.plan.shift)


def local_day(moment: datetime) -> date:
    return moment.astimezone(HCM).date()


@PROPERTY_SETTINGS
@given(plans())
def test_previous_and_next_never_leave_a_due_date_on_a_day_off(plan: Plan) -> None:
    for occurrence in expand_plan(plan, CAL):
        rule = shift_rule(plan, occurrence)
        if rule is Shift.PREVIOUS:
            assert occurrence.due <= occurrence.nominal
            assert CAL.is_working_day(occurrence.due)
        elif rule is Shift.NEXT:
            assert occurrence.due >= occurrence.nominal
            assert CAL.is_working_day(occurrence.due)
        else:
            assert occurrence.due == occurrence.nominal


@PROPERTY_SETTINGS
@given(plans())
def test_reminders_fall_on_working_days_in_order_and_on_the_right_side_of_the_due_time(plan: Plan) -> None:
    for occurrence in expand_plan(plan, CAL):
        ladder = effective_ladder(plan, occurrence)
        due_time = datetime.combine(occurrence.due, ladder.send_time, tzinfo=HCM)
        reminders = plan_reminders(plan, occurrence, CAL)
        times = [r.at for r in reminders]
        assert times == sorted(times)
        for reminder in reminders:
            assert CAL.is_working_day(local_day(reminder.at)), reminder
            assert reminder.at.astimezone(HCM).time() == ladder.send_time
            if reminder.kind == "before":
                assert reminder.at < due_time
            elif reminder.kind == "due":
                assert reminder.at <= due_time
                assert local_day(reminder.at) == CAL.previous_working_day(occurrence.due)
            else:
                assert reminder.at > due_time


@PROPERTY_SETTINGS
@given(plans())
def test_each_rung_of_the_ladder_gives_exactly_one_reminder_to_the_right_people(plan: Plan) -> None:
    for occurrence in expand_plan(plan, CAL):
        ladder = effective_ladder(plan, occurrence)
        reminders = plan_reminders(plan, occurrence, CAL)
        lead = occurrence.lead_units or (plan.plan.office,)
        to_lead = ladder.escalate_to_lead_after is not None and occurrence.unit not in lead
        expected = (len(set(ladder.before)) + ladder.on_due
                    + len(range(ladder.overdue_every, ladder.overdue_for + 1, ladder.overdue_every))
                    + to_lead + (ladder.escalate_to_leadership_after is not None))
        assert len(reminders) == expected
        assert len({r.key for r in reminders}) == expected
        for reminder in reminders:
            assert reminder.occurrence_key == occurrence.key
            if reminder.kind != "escalation":
                assert reminder.to == (occurrence.unit,)
            elif reminder.rung.startswith("escalation-lead-"):
                assert reminder.to == lead and occurrence.unit not in lead
            elif ladder.leadership_via_office and occurrence.unit != plan.plan.office:
                assert reminder.to == ("office",)  # to leadership through the office (seed, section III)
            else:  # the office's own share, or a plan that escalates straight to leadership
                assert reminder.to == (ladder.leadership_role,)


@PROPERTY_SETTINGS
@given(plans())
def test_reminder_offsets_count_working_days_from_a_working_due_date(plan: Plan) -> None:
    for occurrence in expand_plan(plan, CAL):
        if not CAL.is_working_day(occurrence.due):
            continue
        for reminder in plan_reminders(plan, occurrence, CAL):
            assert CAL.working_days_between(occurrence.due, local_day(reminder.at)) == reminder.offset


@PROPERTY_SETTINGS
@given(plans())
def test_expansion_is_sorted_with_unique_keys_and_filters_agree(plan: Plan) -> None:
    occurrences = expand_plan(plan, CAL)
    assert [o.due for o in occurrences] == sorted(o.due for o in occurrences)
    assert len({o.key for o in occurrences}) == len(occurrences)
    for unit in UNITS:
        assert expand_plan(plan, CAL, unit=unit) == [o for o in occurrences if o.unit == unit]
    if occurrences:
        middle = occurrences[len(occurrences) // 2].due
        halves = expand_plan(plan, CAL, end=middle) + expand_plan(plan, CAL, start=middle)
        assert sorted(o.key for o in halves) == sorted(
            [o.key for o in occurrences] + [o.key for o in occurrences if o.due == middle])
