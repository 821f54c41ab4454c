"""The calendar's clock (registered with notifications in ``WorkdaysConfig.ready()``): the municipal
office is reminded on 1 December and weekly through December while the next year's official
schedule is not entered. A system clock: no object row, ``object_id`` is the year."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from notifications.clocks import Action, Context, Step, SystemClock, at, link, send
from notifications.models import Clock, Deadline
from workdays.models import CalendarYear

CALENDAR_REMINDER_DAYS = (1, 8, 15, 22, 29)  # December


def calendar_steps(year: int) -> list[Step]:
    """Reminders that the official schedule of ``year`` is missing, from 1 December of the year before."""
    last = dt.date(year - 1, 12, 31)
    return [
        Step(f"remind-12-{day:02d}@{year}", at(dt.date(year - 1, 12, day)), Action.REMIND, last)
        for day in CALENDAR_REMINDER_DAYS
    ]


@dataclass(frozen=True)
class CalendarCheck:
    year: int
    official: bool


class CalendarNextYearClock(SystemClock):
    kind = Clock.CALENDAR_NEXT_YEAR
    notification_kinds = ("calendar_missing",)

    def object_id(self, obj: Any) -> int:
        return int(obj.year)

    def load(self, ids: Iterable[int]) -> dict[int, Any]:
        years = list(ids)
        official = set(
            CalendarYear.objects.filter(year__in=years, official=True).values_list("year", flat=True)
        )
        return {year: CalendarCheck(year=year, official=year in official) for year in years}

    def applies(self, obj: Any, today: dt.date) -> bool:
        return not obj.official

    def anchor(self, obj: Any) -> str:
        return str(obj.year)

    def raw_steps(self, obj: Any, ctx: Context) -> list[Step]:
        return calendar_steps(obj.year)

    def due_objects(self, today: dt.date) -> list[Any]:
        if today.month != 12:
            return []
        year = today.year + 1
        return [obj for obj in self.load([year]).values() if self.applies(obj, today)]

    def fire(self, obj: Any, step: Step, deadline: Deadline, ctx: Context) -> str:
        return send(
            ctx,
            users=ctx.recipients.municipal_office(),
            kind="calendar_missing",
            url=link("audits:calendar"),
            context={"year": obj.year},
            deadline=deadline,
        )


CLOCKS = (CalendarNextYearClock(),)
