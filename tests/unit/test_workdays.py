"""Working-day arithmetic against Vietnam's official calendar for public servants.

Expected dates come from the government's holiday notices, worked out by hand:
- Tết Kỷ Hợi 2019: off Sat 02/02 – Sun 10/02 (weekdays Mon 04/02 – Fri 08/02).
- Tết Canh Tý 2020: off Thu 23/01 – Wed 29/01; back Thu 30/01.
- Tết Tân Sửu 2021: off Wed 10/02 – Tue 16/02; back Wed 17/02.
- Giỗ Tổ Hùng Vương: 2019 Sun 14/04 (Mon 15/04 off in lieu), 2020 Thu 02/04, 2021 Wed 21/04.
- 30/4–1/5/2019: Mon 29/04 off, made up on Sat 04/05 (a working Saturday).
- 31/12/2018 off, made up on Sat 05/01/2019.
- Quốc khánh: 2019 Mon 02/09 only; from 2021 two days (Thu 02/09 and Fri 03/09/2021).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.domain.workdays import Shift, WorkCalendar

CAL = WorkCalendar()


@pytest.mark.parametrize("day", [
    date(2019, 2, 4), date(2019, 2, 5), date(2019, 2, 6), date(2019, 2, 7), date(2019, 2, 8),
    date(2020, 1, 23), date(2020, 1, 24), date(2020, 1, 27), date(2020, 1, 28), date(2020, 1, 29),
    date(2021, 2, 10), date(2021, 2, 11), date(2021, 2, 12), date(2021, 2, 15), date(2021, 2, 16),
])
def test_tet_weekdays_are_days_off(day: date) -> None:
    assert day.weekday() < 5
    assert not CAL.is_working_day(day)


@pytest.mark.parametrize("day", [
    date(2019, 2, 1), date(2019, 2, 11),  # the Friday before and the Monday after Tết 2019
    date(2020, 1, 22), date(2020, 1, 30),  # Wednesday before, Thursday after Tết 2020
    date(2021, 2, 9), date(2021, 2, 17),  # Tuesday before, Wednesday after Tết 2021
])
def test_days_around_tet_are_working_days(day: date) -> None:
    assert CAL.is_working_day(day)


@pytest.mark.parametrize("day", [
    date(2019, 4, 15),  # Hùng Kings 2019 fell on Sunday 14/04: Monday off in lieu
    date(2020, 4, 2), date(2021, 4, 21),
    date(2019, 4, 30), date(2019, 5, 1),
    date(2019, 9, 2),  # Monday
    date(2021, 9, 2), date(2021, 9, 3),  # two days from 2021 on
    date(2018, 12, 31), date(2019, 1, 1),
])
def test_public_holidays_on_weekdays_are_days_off(day: date) -> None:
    assert day.weekday() < 5
    assert not CAL.is_working_day(day)


def test_hung_kings_day_on_a_sunday_is_still_a_day_off_and_named() -> None:
    assert not CAL.is_working_day(date(2019, 4, 14))
    assert CAL.holiday_name(date(2019, 4, 14)) is not None
    assert CAL.holiday_name(date(2019, 4, 16)) is None


def test_bridge_monday_29_04_2019_is_off_and_saturday_04_05_2019_is_a_working_day() -> None:
    assert not CAL.is_working_day(date(2019, 4, 29))
    assert date(2019, 5, 4).weekday() == 5
    assert CAL.is_working_day(date(2019, 5, 4))


def test_saturday_05_01_2019_made_up_for_new_year_bridge_is_a_working_day() -> None:
    assert CAL.is_working_day(date(2019, 1, 5))


def test_ordinary_weekends_are_days_off_and_2_9_2019_tuesday_after_is_working() -> None:
    assert not CAL.is_working_day(date(2019, 5, 11))
    assert not CAL.is_working_day(date(2019, 5, 12))
    assert CAL.is_working_day(date(2019, 9, 3))


def test_2019_has_252_working_days() -> None:
    # 261 weekdays − 11 weekday holidays (1/1, five of Tết, 15/4, 29/4, 30/4, 1/5, 2/9) + 2 working Saturdays.
    assert CAL.working_days_between(date(2018, 12, 31), date(2019, 12, 31)) == 252


def test_february_2019_has_15_working_days() -> None:
    assert CAL.working_days_between(date(2019, 1, 31), date(2019, 2, 28)) == 15


@pytest.mark.parametrize(("day", "rule", "expected"), [
    (date(2019, 2, 6), Shift.PREVIOUS, date(2019, 2, 1)),
    (date(2019, 2, 6), Shift.NEXT, date(2019, 2, 11)),
    (date(2019, 2, 6), Shift.KEEP, date(2019, 2, 6)),
    (date(2020, 1, 25), Shift.PREVIOUS, date(2020, 1, 22)),
    (date(2020, 1, 25), Shift.NEXT, date(2020, 1, 30)),
    (date(2021, 2, 12), Shift.PREVIOUS, date(2021, 2, 9)),
    (date(2021, 2, 12), Shift.NEXT, date(2021, 2, 17)),
    (date(2019, 5, 1), Shift.PREVIOUS, date(2019, 4, 26)),
    (date(2019, 4, 29), Shift.NEXT, date(2019, 5, 2)),
    (date(2019, 5, 5), Shift.PREVIOUS, date(2019, 5, 4)),  # Sunday → the working Saturday before it
    (date(2019, 5, 5), Shift.NEXT, date(2019, 5, 6)),
    (date(2019, 9, 2), Shift.PREVIOUS, date(2019, 8, 30)),
    (date(2019, 8, 31), Shift.NEXT, date(2019, 9, 3)),
    (date(2021, 9, 3), Shift.PREVIOUS, date(2021, 9, 1)),
    (date(2021, 9, 2), Shift.NEXT, date(2021, 9, 6)),
    (date(2019, 4, 14), Shift.NEXT, date(2019, 4, 16)),
])
def test_shift_moves_a_day_off_to_the_nearest_working_day_in_its_direction(day: date, rule: Shift,
                                                                           expected: date) -> None:
    assert CAL.shift(day, rule) == expected


@pytest.mark.parametrize("rule", list(Shift))
def test_shift_leaves_a_working_day_alone(rule: Shift) -> None:
    assert CAL.shift(date(2019, 11, 19), rule) == date(2019, 11, 19)


@pytest.mark.parametrize(("start", "count", "expected"), [
    (date(2019, 2, 1), 1, date(2019, 2, 11)),
    (date(2019, 2, 11), -1, date(2019, 2, 1)),
    (date(2019, 1, 31), 3, date(2019, 2, 12)),
    (date(2019, 2, 14), -7, date(2019, 1, 29)),
    (date(2020, 1, 22), 1, date(2020, 1, 30)),
    (date(2020, 2, 3), -5, date(2020, 1, 20)),
    (date(2021, 2, 17), -1, date(2021, 2, 9)),
    (date(2021, 2, 5), 5, date(2021, 2, 19)),
    (date(2019, 4, 26), 1, date(2019, 5, 2)),
    (date(2019, 4, 26), 3, date(2019, 5, 4)),  # the swapped Saturday counts
    (date(2019, 4, 26), 4, date(2019, 5, 6)),
    (date(2019, 5, 6), -1, date(2019, 5, 4)),
    (date(2021, 9, 1), 1, date(2021, 9, 6)),
    (date(2021, 9, 6), -1, date(2021, 9, 1)),
])
def test_add_working_days_skips_holidays_and_counts_swapped_saturdays(start: date, count: int,
                                                                      expected: date) -> None:
    assert CAL.add_working_days(start, count) == expected


def test_add_working_days_from_a_day_off_steps_to_working_days_only() -> None:
    assert CAL.add_working_days(date(2019, 2, 6), 1) == date(2019, 2, 11)
    assert CAL.add_working_days(date(2019, 2, 6), -1) == date(2019, 2, 1)


def test_add_zero_working_days_returns_the_day_itself_even_a_day_off() -> None:
    assert CAL.add_working_days(date(2019, 2, 6), 0) == date(2019, 2, 6)


def test_add_working_days_backwards_undoes_forwards_from_a_working_day() -> None:
    start = date(2020, 1, 20)
    for n in range(1, 30):
        assert CAL.add_working_days(CAL.add_working_days(start, n), -n) == start


@pytest.mark.parametrize(("start", "end", "expected"), [
    (date(2019, 2, 1), date(2019, 2, 11), 1),
    (date(2019, 1, 31), date(2019, 2, 12), 3),
    (date(2019, 2, 12), date(2019, 1, 31), -3),
    (date(2020, 1, 22), date(2020, 1, 31), 2),
    (date(2019, 3, 31), date(2019, 4, 30), 19),  # 22 weekdays − 15/4, 29/4, 30/4
    (date(2021, 2, 9), date(2021, 2, 17), 1),
    (date(2019, 5, 3), date(2019, 5, 6), 2),  # Saturday 04/05 and Monday 06/05
    (date(2019, 6, 3), date(2019, 6, 3), 0),
])
def test_working_days_between_counts_working_days_after_start_up_to_end(start: date, end: date,
                                                                        expected: int) -> None:
    assert CAL.working_days_between(start, end) == expected


def test_working_days_between_agrees_with_add_working_days() -> None:
    start = date(2019, 1, 25)
    for n in range(40):
        assert CAL.working_days_between(start, CAL.add_working_days(start, n)) == n


def test_extra_days_off_and_extra_workdays_override_the_national_calendar() -> None:
    local = WorkCalendar(extra_days_off=frozenset({date(2019, 11, 19)}),
                         extra_workdays=frozenset({date(2019, 2, 6), date(2019, 11, 23)}))
    assert not local.is_working_day(date(2019, 11, 19))
    assert local.is_working_day(date(2019, 2, 6))
    assert local.is_working_day(date(2019, 11, 23))
    assert local.add_working_days(date(2019, 11, 18), 1) == date(2019, 11, 20)
    assert CAL.is_working_day(date(2019, 11, 19))  # the shared national calendar is unaffected


def test_memoised_answers_do_not_leak_between_calendars() -> None:
    plain, local = WorkCalendar(), WorkCalendar(extra_days_off=frozenset({date(2019, 11, 19)}))
    assert plain.add_working_days(date(2019, 11, 18), 1) == date(2019, 11, 19)
    assert local.add_working_days(date(2019, 11, 18), 1) == date(2019, 11, 20)
    assert plain.add_working_days(date(2019, 11, 18), 1) == date(2019, 11, 19)


def test_every_weekday_of_an_ordinary_week_is_a_working_day() -> None:
    monday = date(2019, 11, 18)
    assert [CAL.is_working_day(monday + timedelta(days=i)) for i in range(7)] == [True] * 5 + [False] * 2
