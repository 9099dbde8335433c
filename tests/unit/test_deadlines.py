"""Deadline expansion: each kind of deadline, who owes it, and which date it lands on.

Weekdays and holidays checked by hand: 30/06/2019 is a Sunday, 14/03/2020 a
Saturday, 20/09/2020 a Sunday, 30/04/2020 a Thursday and a public holiday.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot.domain.deadlines import Occurrence, expand_plan, expand_task, task_deadlines
from bot.domain.plan import Plan
from bot.domain.workdays import WorkCalendar
from bot.plans.loader import load_plan, parse_plan

CAL = WorkCalendar()
MINI = Path(__file__).resolve().parents[1] / "data" / "mini.yaml"


def make_plan(*deadlines: dict[str, Any], years: list[int] | None = None, shift: str | None = None,
              responsibility: dict[str, Any] | None = None, task: dict[str, Any] | None = None,
              common: list[dict[str, Any]] | None = None) -> Plan:
    """VP leads, the group PHONG (TCCB, KHTC) cooperates; one task with the given deadlines."""
    info: dict[str, Any] = {"id": "t", "title": "Thử", "issued_by": "Sở", "years": years or [2019],
                            "office": "VP", "common_deadlines": common or []}
    if shift is not None:
        info["shift"] = shift
    specs = [{"id": f"d{i}", "label": "Hạn", "source": "seed", **spec} for i, spec in enumerate(deadlines)]
    return Plan.model_validate({
        "plan": info,
        "units": [{"id": u, "name": u} for u in ("VP", "TCCB", "KHTC")],
        "groups": [{"id": "PHONG", "name": "Các phòng", "members": ["TCCB", "KHTC"]}],
        "roles": [{"id": "leadership", "name": "Lãnh đạo Sở"}],
        "areas": [{"id": "1", "name": "Chỉ đạo", "responsibility": {"lead": ["VP"], "others": ["PHONG"]}}],
        "tasks": [{"id": "1.1", "area": "1", "title": "Nhiệm vụ", "deadlines": specs,
                   **({"responsibility": responsibility} if responsibility else {}), **(task or {})}],
    })


def of_unit(plan: Plan, unit: str = "VP") -> list[Occurrence]:
    return [o for o in expand_plan(plan, CAL) if o.unit == unit]


def dues(plan: Plan, unit: str = "VP") -> list[date]:
    return [o.due for o in of_unit(plan, unit)]


@pytest.mark.parametrize("written", ["05/12/2019", "5/12/2019", "2019-12-05"])
def test_one_off_date_in_either_format(written: str) -> None:
    [occurrence] = of_unit(make_plan({"date": written}))
    assert (occurrence.period, occurrence.nominal, occurrence.due) == ("once", date(2019, 12, 5), date(2019, 12, 5))
    assert occurrence.key == "1.1/d0/VP/once"


def test_one_off_unquoted_yaml_date_is_accepted() -> None:
    text = MINI.read_text(encoding="utf-8").replace('yearly: "20/11"', "date: 2019-12-05")
    plan = parse_plan(text, "mini.yaml")  # ket-qua is `exclusive` in mini.yaml: due the day before
    assert {o.due for o in expand_plan(plan, CAL) if o.deadline_id == "ket-qua"} == {date(2019, 12, 4)}


def test_one_off_date_ignores_the_plan_years() -> None:
    assert dues(make_plan({"date": "05/12/2021"}, years=[2019, 2020])) == [date(2021, 12, 3)]  # from a Sunday


def test_yearly_deadline_recurs_in_each_plan_year() -> None:
    occurrences = of_unit(make_plan({"yearly": "20/11"}, years=[2019, 2020]))
    assert [(o.period, o.due) for o in occurrences] == [("2019", date(2019, 11, 20)), ("2020", date(2020, 11, 20))]


def test_yearly_deadline_years_of_its_own_replace_the_plan_years() -> None:
    occurrences = of_unit(make_plan({"yearly": "20/11", "years": [2021]}, years=[2019, 2020]))
    assert [(o.period, o.due) for o in occurrences] == [("2021", date(2021, 11, 19))]  # 20/11/2021 is a Saturday


def test_yearly_29_february_falls_on_28_february_in_a_common_year() -> None:
    occurrences = of_unit(make_plan({"yearly": "29/02"}, years=[2019, 2020]))
    assert [o.nominal for o in occurrences] == [date(2019, 2, 28), date(2020, 2, 29)]
    assert [o.due for o in occurrences] == [date(2019, 2, 28), date(2020, 2, 28)]  # 29/02/2020 is a Saturday


def test_exclusive_deadline_is_the_day_before_trước_ngày_20_11() -> None:
    occurrences = of_unit(make_plan({"yearly": "20/11", "exclusive": True}, years=[2019, 2020]))
    assert [(o.nominal, o.due) for o in occurrences] == [(date(2019, 11, 19), date(2019, 11, 19)),
                                                          (date(2020, 11, 19), date(2020, 11, 19))]


def test_exclusive_deadline_then_shifted_off_a_weekend() -> None:
    [occurrence] = of_unit(make_plan({"yearly": "02/09", "exclusive": True}))
    assert (occurrence.nominal, occurrence.due) == (date(2019, 9, 1), date(2019, 8, 30))


def test_window_quarter_of_the_previous_year_is_due_on_its_last_working_day() -> None:
    [occurrence] = of_unit(make_plan({"window": {"quarter": 2, "year_offset": -1}}, years=[2020]))
    assert occurrence.period == "2020"
    assert occurrence.window_start == date(2019, 4, 1)
    assert occurrence.nominal == date(2019, 6, 30)
    assert occurrence.due == date(2019, 6, 28)


def test_window_quarter_shifted_forward_with_shift_next() -> None:
    plan = make_plan({"window": {"quarter": 2, "year_offset": -1}, "shift": "next"}, years=[2020])
    assert dues(plan) == [date(2019, 7, 1)]


@pytest.mark.parametrize(("quarter", "start", "end"), [
    (1, date(2019, 1, 1), date(2019, 3, 31)), (2, date(2019, 4, 1), date(2019, 6, 30)),
    (3, date(2019, 7, 1), date(2019, 9, 30)), (4, date(2019, 10, 1), date(2019, 12, 31)),
])
def test_window_quarters_cover_their_three_months(quarter: int, start: date, end: date) -> None:
    [occurrence] = of_unit(make_plan({"window": {"quarter": quarter}, "shift": "keep"}))
    assert (occurrence.window_start, occurrence.nominal) == (start, end)


def test_window_from_to_across_the_year_end_ends_in_the_next_year() -> None:
    [occurrence] = of_unit(make_plan({"window": {"from": "15/12", "to": "14/03"}}))
    assert occurrence.window_start == date(2019, 12, 15)
    assert occurrence.nominal == date(2020, 3, 14)
    assert occurrence.due == date(2020, 3, 13)
    assert occurrence.period == "2019"


def test_window_from_to_within_one_year() -> None:
    [occurrence] = of_unit(make_plan({"window": {"from": "15/06", "to": "14/09"}}))
    assert (occurrence.window_start, occurrence.due) == (date(2019, 6, 15), date(2019, 9, 13))  # 14/09 is Saturday


def test_rrule_march_and_september_20_over_two_years_gives_four_dates() -> None:
    occurrences = of_unit(make_plan({"rrule": "FREQ=YEARLY;BYMONTH=3,9;BYMONTHDAY=20"}, years=[2019, 2020]))
    assert [o.nominal for o in occurrences] == [date(2019, 3, 20), date(2019, 9, 20), date(2020, 3, 20),
                                                date(2020, 9, 20)]
    assert [o.due for o in occurrences] == [date(2019, 3, 20), date(2019, 9, 20), date(2020, 3, 20),
                                            date(2020, 9, 18)]
    assert [o.period for o in occurrences] == ["2019-03-20", "2019-09-20", "2020-03-20", "2020-09-20"]


def test_rrule_bymonthday_minus_one_is_every_month_end() -> None:
    occurrences = of_unit(make_plan({"rrule": "FREQ=MONTHLY;BYMONTHDAY=-1"}, years=[2020]))
    assert [o.nominal.day for o in occurrences] == [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    due = {o.nominal: o.due for o in occurrences}
    assert due[date(2020, 2, 29)] == date(2020, 2, 28)
    assert due[date(2020, 4, 30)] == date(2020, 4, 29)  # 30/4 is a public holiday
    assert due[date(2020, 5, 31)] == date(2020, 5, 29)
    assert due[date(2020, 10, 31)] == date(2020, 10, 30)
    assert due[date(2020, 12, 31)] == date(2020, 12, 31)


def test_rrule_bymonthday_31_skips_short_months() -> None:
    occurrences = of_unit(make_plan({"rrule": "FREQ=MONTHLY;BYMONTHDAY=31"}, years=[2019]))
    assert [o.nominal.month for o in occurrences] == [1, 3, 5, 7, 8, 10, 12]


def test_shift_of_the_deadline_beats_the_task_which_beats_the_plan() -> None:
    sunday = {"date": "30/06/2019"}
    assert dues(make_plan(sunday)) == [date(2019, 6, 28)]  # plan default: previous
    assert dues(make_plan(sunday, shift="next")) == [date(2019, 7, 1)]
    assert dues(make_plan(sunday, shift="next", task={"shift": "keep"})) == [date(2019, 6, 30)]
    assert dues(make_plan({**sunday, "shift": "previous"}, shift="next", task={"shift": "keep"})) == \
        [date(2019, 6, 28)]


def test_task_given_to_a_group_is_due_from_each_member_and_the_lead() -> None:
    occurrences = expand_plan(make_plan({"date": "05/12/2019"}), CAL)
    assert [o.unit for o in occurrences] == ["KHTC", "TCCB", "VP"]  # sorted by unit on the same day
    assert {o.lead_units for o in occurrences} == {("VP",)}


def test_due_from_lead_only_the_lead_units_owe_it() -> None:
    occurrences = expand_plan(make_plan({"date": "05/12/2019", "due_from": "lead"}), CAL)
    assert [o.unit for o in occurrences] == ["VP"]


def test_due_from_others_only_the_cooperating_units_owe_it() -> None:
    occurrences = expand_plan(make_plan({"date": "05/12/2019", "due_from": "others"}), CAL)
    assert sorted(o.unit for o in occurrences) == ["KHTC", "TCCB"]


def test_due_from_lead_falls_back_to_others_when_nobody_leads_and_vice_versa() -> None:
    no_lead = make_plan({"date": "05/12/2019", "due_from": "lead"}, responsibility={"others": ["PHONG"]})
    assert sorted(o.unit for o in expand_plan(no_lead, CAL)) == ["KHTC", "TCCB"]
    only_lead = make_plan({"date": "05/12/2019", "due_from": "others"}, responsibility={"lead": ["TCCB"]})
    assert [o.unit for o in expand_plan(only_lead, CAL)] == ["TCCB"]


def test_a_unit_in_both_lead_and_a_group_owes_the_deadline_once() -> None:
    plan = make_plan({"date": "05/12/2019"}, responsibility={"lead": ["TCCB"], "others": ["PHONG", "KHTC"]})
    assert sorted(o.unit for o in expand_plan(plan, CAL)) == ["KHTC", "TCCB"]


def test_task_responsibility_replaces_the_area_responsibility() -> None:
    plan = make_plan({"date": "05/12/2019"}, responsibility={"lead": ["KHTC"]})
    assert [(o.unit, o.lead_units) for o in expand_plan(plan, CAL)] == [("KHTC", ("KHTC",))]


def test_occurrence_key_stays_the_same_when_the_plan_moves_a_yearly_date() -> None:
    before = {o.key: o.due for o in expand_plan(make_plan({"yearly": "20/11"}), CAL)}
    after = {o.key: o.due for o in expand_plan(make_plan({"yearly": "25/11"}), CAL)}
    assert before.keys() == after.keys() == {"1.1/d0/VP/2019", "1.1/d0/TCCB/2019", "1.1/d0/KHTC/2019"}
    assert set(before.values()) == {date(2019, 11, 20)}
    assert set(after.values()) == {date(2019, 11, 25)}


def test_occurrence_key_of_a_one_off_date_stays_the_same_when_the_date_moves() -> None:
    assert [o.key for o in of_unit(make_plan({"date": "05/12/2019"}))] == \
        [o.key for o in of_unit(make_plan({"date": "10/12/2019"}))]


def test_occurrence_carries_label_source_and_deadline_id() -> None:
    [occurrence] = of_unit(make_plan({"date": "05/12/2019", "label": "Nộp báo cáo", "source": "assumed"}))
    assert (occurrence.task_id, occurrence.deadline_id, occurrence.label, occurrence.source) == \
        ("1.1", "d0", "Nộp báo cáo", "assumed")


def test_common_deadlines_apply_to_every_task_unless_it_opts_out() -> None:
    common = [{"id": "chung", "label": "Chung", "yearly": "20/11", "source": "seed"}]
    plan = make_plan({"date": "05/12/2019"}, common=common)
    assert [s.id for s in task_deadlines(plan, plan.tasks[0])] == ["d0", "chung"]
    opted_out = make_plan({"date": "05/12/2019"}, common=common, task={"common_deadlines": False})
    assert [s.id for s in task_deadlines(opted_out, opted_out.tasks[0])] == ["d0"]
    assert {o.deadline_id for o in expand_task(opted_out, opted_out.tasks[0], CAL)} == {"d0"}


def test_mini_plan_expands_to_sixteen_occurrences() -> None:
    plan = load_plan(MINI)
    occurrences = expand_plan(plan, CAL)
    assert len(occurrences) == 16
    training = [(o.unit, o.period, o.due) for o in occurrences if o.deadline_id == "dao-tao"]
    assert training == [("VP", "2020", date(2019, 6, 28)), ("VP", "2021", date(2020, 6, 30))]
    quarterly = {o.unit for o in occurrences if o.deadline_id == "quy"}
    assert quarterly == {"TCCB", "KHTC"}
    assert [o.due for o in occurrences] == sorted(o.due for o in occurrences)


def test_expand_plan_date_range_is_inclusive_and_counts_the_due_date() -> None:
    plan = load_plan(MINI)
    window = expand_plan(plan, CAL, start=date(2019, 9, 20), end=date(2019, 11, 19))
    assert {(o.deadline_id, o.due) for o in window} == {("quy", date(2019, 9, 20)), ("ket-qua", date(2019, 11, 19))}
    assert len(window) == 2 + 3


def test_expand_plan_open_ended_range_and_unit_filter() -> None:
    plan = load_plan(MINI)
    from_2020 = expand_plan(plan, CAL, start=date(2020, 1, 1))
    assert min(o.due for o in from_2020) == date(2020, 3, 20)
    until_2019 = expand_plan(plan, CAL, end=date(2019, 12, 31))
    assert len(from_2020) + len(until_2019) == 16
    vp = expand_plan(plan, CAL, unit="VP")
    assert {o.unit for o in vp} == {"VP"}
    assert [(o.deadline_id, o.period) for o in vp] == [("dao-tao", "2020"), ("ket-qua", "2019"),
                                                      ("dao-tao", "2021"), ("ket-qua", "2020")]


def test_expand_plan_unknown_unit_gives_nothing() -> None:
    assert expand_plan(load_plan(MINI), CAL, unit="NOBODY") == []
