"""The working calendar in force (the municipal office's data), for services that compute due dates.

Each process keeps the calendar in memory and rebuilds it when the shared cache says it changed,
so a year entered on one web node is used by every node and worker at once.

When the office enters a year, every open period counted in working days is recomputed by the
recomputers the other apps register in their ``AppConfig.ready()`` (publicity notices and renames in
certification, review due dates in experts): this app imports none of them.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _

from workdays.arithmetic import Calendar, Period, add_working_days

VERSION_KEY = "working-calendar-version"
_memo: dict[str, object] = {"version": None, "calendar": None}
MIN_YEAR, MAX_YEAR = 2004, 2100


def _build() -> Calendar:
    from workdays.models import CalendarDay, CalendarYear

    overrides = dict(CalendarDay.objects.values_list("date", "working"))
    official = frozenset(CalendarYear.objects.filter(official=True).values_list("year", flat=True))
    return Calendar(overrides=overrides, official_years=official)


def working_calendar() -> Calendar:
    version = cache.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        cache.add(VERSION_KEY, version, None)
        version = cache.get(VERSION_KEY, version)
    if _memo["calendar"] is None or _memo["version"] != version:
        _memo["calendar"] = _build()
        _memo["version"] = version
    return _memo["calendar"]  # type: ignore[return-value]


def invalidate() -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def working_days_from(start: dt.date, count: int) -> Period:
    return add_working_days(working_calendar(), start, count)


# --- Entering a newly announced year --------------------------------------------------------------

_LINE = re.compile(
    r"^(?P<start>\d{4}-\d{1,2}-\d{1,2})\s*(?:(?:至|到|~|～|—|–|-{1,2})\s*(?P<end>\d{4}-\d{1,2}-\d{1,2}))?"
    r"\s*(?P<kind>休|班)\s*(?P<note>.*)$"
)


@dataclass(frozen=True)
class ScheduleEntry:
    date: dt.date
    working: bool
    note: str


def parse_schedule(year: int, text: str) -> tuple[list[ScheduleEntry], list[str]]:
    """Lines such as "2027-02-05 至 2027-02-13 休 春节" and "2027-02-14 班" → entries, errors (Chinese)."""
    entries: dict[dt.date, ScheduleEntry] = {}
    errors: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        m = _LINE.match(line)
        if not m:
            errors.append(
                _("第 %(n)s 行格式不对：“%(line)s”。应为“2027-02-05 至 2027-02-13 休”或“2027-02-14 班”。")
                % {"n": number, "line": line[:60]}
            )
            continue
        try:
            start = dt.date.fromisoformat("-".join(f"{int(p):02d}" for p in m["start"].split("-")))
            end = (
                dt.date.fromisoformat("-".join(f"{int(p):02d}" for p in m["end"].split("-")))
                if m["end"]
                else start
            )
        except ValueError:
            errors.append(_("第 %(n)s 行有不存在的日期。") % {"n": number})
            continue
        if start.year != year or end.year != year:
            errors.append(_("第 %(n)s 行的日期不在 %(year)s 年内。") % {"n": number, "year": year})
            continue
        if end < start or (end - start).days > 31:
            errors.append(_("第 %(n)s 行的日期范围无效（结束早于开始或超过 31 天）。") % {"n": number})
            continue
        day = start
        while day <= end:
            if day in entries and entries[day].working != (m["kind"] == "班"):
                errors.append(_("%(day)s 同时被标为上班和休息。") % {"day": day.isoformat()})
            entries[day] = ScheduleEntry(date=day, working=m["kind"] == "班", note=m["note"].strip()[:40])
            day += dt.timedelta(days=1)
    if not entries and not errors:
        errors.append(_("没有填写任何放假或调休安排。"))
    return sorted(entries.values(), key=lambda e: e.date), errors


@dataclass(frozen=True)
class PreviewDay:
    date: dt.date
    working: bool
    kind: str  # "workday", "weekend", "holiday" (休, a weekday off) or "makeup" (班, a weekend worked)
    note: str
    in_month: bool


@dataclass(frozen=True)
class PreviewMonth:
    month: int
    weeks: list[list[PreviewDay]]
    working_days: int


def preview_year(year: int, entries: Sequence[ScheduleEntry]) -> list[PreviewMonth]:
    """The twelve months of ``year`` as the entered schedule makes them (Monday-first weeks), for the
    office to check before saving: each day working or not, and why (weekend, holiday, make-up day)."""
    import calendar as cal

    by_day = {e.date: e for e in entries}
    months = []
    for month in range(1, 13):
        weeks = []
        count = 0
        for week in cal.Calendar(firstweekday=0).monthdatescalendar(year, month):
            row = []
            for day in week:
                weekend = day.weekday() >= 5
                entry = by_day.get(day) if day.year == year else None
                working = entry.working if entry else not weekend
                if entry and entry.working and weekend:
                    kind = "makeup"
                elif entry and not entry.working:
                    kind = "holiday"
                else:
                    kind = "weekend" if weekend else "workday"
                in_month = day.month == month
                count += working and in_month
                row.append(PreviewDay(day, working, kind, entry.note if entry else "", in_month))
            weeks.append(row)
        months.append(PreviewMonth(month=month, weeks=weeks, working_days=count))
    return months


@dataclass(frozen=True)
class MovedPeriod:
    """An open period whose end moved; ``users`` are told at ``url`` (compared by the first four only)."""

    what: str
    object_id: int
    old_end: dt.date
    new_end: dt.date
    title: str = field(default="", compare=False)
    url: str = field(default="", compare=False)
    users: Sequence[Any] = field(default=(), compare=False, repr=False)


# A recomputer moves the open periods of one kind to the given calendar (saving the new ends) and says
# which moved, with whom to tell. Registered by the apps that own such periods, run in registration order.
Recomputer = Callable[[Calendar], list[MovedPeriod]]
_recomputers: list[Recomputer] = []


def register_recomputer(recomputer: Recomputer) -> Recomputer:
    """Called from an ``AppConfig.ready()``; registering the same function twice keeps one."""
    if recomputer not in _recomputers:
        _recomputers.append(recomputer)
    return recomputer


def recomputers() -> tuple[Recomputer, ...]:
    return tuple(_recomputers)


def calendar_enter_year(*, year: int, text: str, by) -> list[MovedPeriod]:  # type: ignore[no-untyped-def]
    """Store the official schedule of a year and recompute every open period that depends on it."""
    from core.errors import InvalidInput
    from workdays.models import CalendarDay, CalendarYear

    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidInput({"year": [_("年度应在 %(a)s 至 %(b)s 之间。") % {"a": MIN_YEAR, "b": MAX_YEAR}]})
    entries, errors = parse_schedule(year, text)
    if errors:
        raise InvalidInput({"text": errors})
    with transaction.atomic():
        CalendarYear.objects.select_for_update().filter(year=year).first()
        CalendarDay.objects.filter(date__year=year).delete()
        CalendarDay.objects.bulk_create(
            CalendarDay(date=e.date, working=e.working, note=e.note)
            for e in entries
            if e.working == (e.date.weekday() >= 5)  # only days that differ from the weekday rule
        )
        CalendarYear.objects.update_or_create(
            year=year, defaults={"official": True, "source": "office", "entered_by": by}
        )
        transaction.on_commit(invalidate)
        moved = recompute_open_periods()
        notify_moved(moved, year)
    return moved


def notify_moved(moved: list[MovedPeriod], year: int) -> None:
    """Tell whoever is responsible for a moved end (the recomputer named them). In the caller's
    transaction: nothing is sent if the calendar entry rolls back."""
    from notifications.services import notify

    for m in moved:
        if not m.url:
            continue
        context = {"year": year, "old_end": m.old_end.isoformat(), "new_end": m.new_end.isoformat()}
        context.update(what=m.what, title=m.title)
        notify(users=list(m.users), kind="period_moved", url=m.url, context=context)


def recompute_open_periods() -> list[MovedPeriod]:
    """Every open period counted in working days, recomputed on the current calendar."""
    calendar = _build()
    moved: list[MovedPeriod] = []
    for recomputer in _recomputers:
        moved += recomputer(calendar)
    return moved
