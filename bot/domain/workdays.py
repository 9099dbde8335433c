"""Vietnamese working days: weekends, public holidays (the Lunar New Year included) and swapped workdays."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache

import holidays


class Shift(StrEnum):
    """What to do with a deadline that falls on a day off."""

    PREVIOUS = "previous"  # internal "before day X" deadlines: safer to be early
    NEXT = "next"  # Civil Code 2015 art. 148: the period ends on the next working day
    KEEP = "keep"


@lru_cache(maxsize=64)
def _vn_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("VN", years=year, language="vi")


class WorkCalendar:
    """Answers whether a date is a working day in Vietnam's public administration."""

    def __init__(self, extra_days_off: frozenset[date] = frozenset(),
                 extra_workdays: frozenset[date] = frozenset()) -> None:
        self._extra_off = extra_days_off
        self._extra_work = extra_workdays
        # Memos: a plan's occurrences share few due dates, and every reminder steps from one of them.
        self._working: dict[date, bool] = {}
        self._stepped: dict[tuple[date, int], date] = {}

    def holiday_name(self, day: date) -> str | None:
        """The Vietnamese name of the public holiday on `day`, if any."""
        return _vn_holidays(day.year).get(day)

    def is_working_day(self, day: date) -> bool:
        """True for Monday–Friday that are not holidays, and for government-swapped Saturdays."""
        known = self._working.get(day)
        if known is None:
            known = self._working[day] = self._is_working_day(day)
        return known

    def _is_working_day(self, day: date) -> bool:
        if day in self._extra_work:
            return True
        if day in self._extra_off:
            return False
        calendar = _vn_holidays(day.year)
        if day in calendar.weekend_workdays:
            return True
        return day.weekday() < 5 and day not in calendar

    def previous_working_day(self, day: date) -> date:
        """The latest working day on or before `day`."""
        while not self.is_working_day(day):
            day -= timedelta(days=1)
        return day

    def next_working_day(self, day: date) -> date:
        """The earliest working day on or after `day`."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def shift(self, day: date, rule: Shift) -> date:
        """Apply a shift rule to a deadline date."""
        if rule is Shift.PREVIOUS:
            return self.previous_working_day(day)
        if rule is Shift.NEXT:
            return self.next_working_day(day)
        return day

    def add_working_days(self, day: date, count: int) -> date:
        """Step `count` working days from `day` (negative: backwards); `day` itself is not counted."""
        known = self._stepped.get((day, count))
        if known is not None:
            return known
        start, step, remaining = day, timedelta(days=1 if count >= 0 else -1), abs(count)
        while remaining:
            day += step
            if self.is_working_day(day):
                remaining -= 1
        self._stepped[(start, count)] = day
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative when end is before start."""
        if end < start:
            return -self.working_days_between(end, start)
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_working_day(day)
        return count
