"""The working calendar in force, for services that compute due dates."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from certification.workdays import Calendar, Period, add_working_days, chinesecalendar_calendar


@lru_cache(maxsize=1)
def working_calendar() -> Calendar:
    return chinesecalendar_calendar()


def working_days_from(start: dt.date, count: int) -> Period:
    return add_working_days(working_calendar(), start, count)
