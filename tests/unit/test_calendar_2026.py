"""24/11 "Ngày Văn hóa Việt Nam" (Resolution 80-NQ/TW) is a paid day off from 2026: the pinned
`holidays` release knows it, so working-day arithmetic around 20/11 is the same on every machine."""

from __future__ import annotations

from datetime import date

from bot.domain.deadlines import expand_plan
from bot.domain.workdays import Shift, WorkCalendar
from bot.plans.loader import parse_plan

CAL = WorkCalendar()


def test_24_november_2026_is_a_named_day_off_and_2025_was_not() -> None:
    assert not CAL.is_working_day(date(2026, 11, 24))  # a Tuesday
    assert CAL.holiday_name(date(2026, 11, 24)) == "Ngày Văn hóa Việt Nam"
    assert CAL.is_working_day(date(2025, 11, 24))  # a Monday, before the holiday existed
    assert CAL.holiday_name(date(2025, 11, 24)) is None


def test_working_days_around_20_to_24_november_2026() -> None:
    days = [date(2026, 11, d) for d in range(19, 27)]
    assert [CAL.is_working_day(d) for d in days] == [True, True, False, False, True, False, True, True]
    assert CAL.add_working_days(date(2026, 11, 20), 2) == date(2026, 11, 25)  # Mon 23, (Tue 24 off), Wed 25
    assert CAL.add_working_days(date(2026, 11, 25), -2) == date(2026, 11, 20)
    assert CAL.working_days_between(date(2026, 11, 20), date(2026, 11, 25)) == 2
    assert CAL.shift(date(2026, 11, 24), Shift.PREVIOUS) == date(2026, 11, 23)
    assert CAL.shift(date(2026, 11, 24), Shift.NEXT) == date(2026, 11, 25)


PLAN = """\
plan:
  id: p2026
  title: Kế hoạch 2026
  issued_by: Giám đốc Sở
  years: [2026]
  office: VP
  internal_lead_days: 3
units:
  - {id: VP, name: Văn phòng Sở}
  - {id: KHTC, name: Phòng Kế hoạch - Tài chính}
roles:
  - {id: leadership, name: Lãnh đạo Sở}
areas:
  - {id: "1", name: Chỉ đạo, responsibility: {lead: [VP], others: [KHTC]}}
tasks:
  - id: "1.1"
    area: "1"
    title: Báo cáo năm
    deadlines:
      - {id: bc-nam, label: Gửi báo cáo, lead_label: Gửi Sở Nội vụ, yearly: "25/11", exclusive: true,
         collect: true, source: assumed, note: giả định}
"""


def test_an_annual_report_before_25_november_2026_and_the_departments_share() -> None:
    plan = parse_plan(PLAN, "p.yaml")
    due = {o.unit: (o.due, o.label) for o in expand_plan(plan, CAL)}
    # "Before 25/11" is 24/11, a day off in 2026: the office's deadline moves back to Monday 23/11;
    # the department reports 3 working days earlier: Wed 18/11.
    assert due == {"VP": (date(2026, 11, 23), "Gửi Sở Nội vụ"), "KHTC": (date(2026, 11, 18), "Gửi báo cáo")}
