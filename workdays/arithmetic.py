"""Working-day arithmetic (pure): holidays and make-up working days (调休) come in as data.

A period of N working days starts on its start date if that is a working day, else on the next
one, and ends on the Nth (docs/domain.md). For a year with no official schedule, weekends and the
fixed statutory days (1 Jan, 1–2 May, 1–3 Oct) are rest days and the result is unconfirmed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

FALLBACK_REST_DAYS = ((1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3))


@dataclass(frozen=True)
class Calendar:
    """`overrides` maps a date to True (working day) or False (rest day) for the official years."""

    overrides: dict[dt.date, bool]
    official_years: frozenset[int]

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if day.year not in self.official_years and (day.month, day.day) in FALLBACK_REST_DAYS:
            return False
        return day.weekday() < 5

    def confirmed(self, day: dt.date) -> bool:
        return day.year in self.official_years


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    confirmed: bool


def add_working_days(calendar: Calendar, start: dt.date, count: int) -> Period:
    """The Nth working day counting from `start` (itself included when it is a working day)."""
    if count < 1:
        raise ValueError("count must be at least 1")
    day = start
    seen = 0
    confirmed = calendar.confirmed(day)
    while True:
        confirmed = confirmed and calendar.confirmed(day)
        if calendar.is_working_day(day):
            seen += 1
            if seen == count:
                return Period(start=start, end=day, confirmed=confirmed)
        day += dt.timedelta(days=1)


def add_calendar_days_excluding_first(start: dt.date, days: int) -> dt.date:
    """民法典 第201条: the day of the event is not counted; accepted 1 March + 40 days → 10 April."""
    return start + dt.timedelta(days=days)


def chinesecalendar_overrides(years: Collection[int]) -> dict[dt.date, bool]:
    """The official schedule for the years the `chinesecalendar` package covers (2004–2026)."""
    import chinese_calendar

    result: dict[dt.date, bool] = {}
    for day in list(chinese_calendar.holidays) + list(chinese_calendar.workdays):
        if day.year in years:
            working = chinese_calendar.is_workday(day)
            if working == (day.weekday() >= 5):  # differs from the plain weekday rule
                result[day] = working
    return result


def chinesecalendar_calendar() -> Calendar:
    """The packaged official schedule (2004–2026); the municipal office's own entries extend it."""
    years = frozenset(range(2004, 2027))
    return Calendar(overrides=chinesecalendar_overrides(years), official_years=years)


def working_days_after(calendar: Calendar, event_day: dt.date, count: int) -> dt.date:
    """The Nth working day after the event day (which is not counted, 民法典 第201条)."""
    return add_working_days(calendar, event_day + dt.timedelta(days=1), count).end


def working_days_before(calendar: Calendar, day: dt.date, count: int) -> dt.date:
    """The working day that lies ``count`` working days before ``day``: due Friday, 2 → Wednesday."""
    seen = 0
    while seen < count:
        day -= dt.timedelta(days=1)
        if calendar.is_working_day(day):
            seen += 1
    return day
