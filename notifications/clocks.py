"""The machinery of every clock of the procedure: steps, clocks, the registry the domain apps fill.

Times are Beijing time (Asia/Shanghai). Three kinds of step, one rule each:

- a **reminder** before a limit fires at 09:00 on its day, and is dropped once the limit has passed;
- an **escalation** when a limit passes fires at 00:00 the day after the limit (the limit day is
  still in time: a period ends at 24:00 of its last day, 民法典 第203条); a nudge after a wait
  (an objection open 5 working days) is an escalation too: it is never dropped;
- a **transition** (closing a publicity notice) fires at 00:00 the day after the end, like an escalation.

Working-day periods follow docs/domain.md (N working days count from the start day if it is a working
day, else from the next one); "N working days after an event" starts the day after it (the day of
the event is not counted, 民法典 第201条): ``workdays.arithmetic.working_days_after``.

The concrete clocks live with the data they watch and register here in their app's
``AppConfig.ready()`` (:func:`register_clocks`): ``certification/clocks.py`` (completeness check,
the 40-day limit, publicity, objection findings, certificates, monitoring reports, missing-report
flags), ``experts/clocks.py`` (scoring deadlines), ``districts/clocks.py`` (filings waiting for the
office), ``workdays/clocks.py`` (next year's calendar). :data:`CLOCKS` keeps them in the order of
:class:`notifications.models.Clock`, whichever app registers first; the working calendar the steps
count on comes from the provider ``workdays`` registers (:func:`use_calendar`). This app imports
none of them.

Each step's name carries the date it counts from ("d10@2026-04-10"), so when that date changes
(a resubmission, a moved end date) the schedule gets new rows and the old ones are cancelled.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import CharField, Exists, OuterRef, QuerySet, Value
from django.db.models.functions import Cast, Concat, TruncDate
from django.urls import NoReverseMatch, reverse

from notifications.models import Clock, Deadline

SHANGHAI = ZoneInfo("Asia/Shanghai")
REMINDER_TIME = dt.time(9, 0)
START_OF_DAY = dt.time(0, 0)
FLAG_TIME = dt.time(2, 0)
DAY = dt.timedelta(days=1)


class Action:
    REMIND = "remind"
    ESCALATE = "escalate"
    CLOSE = "close"
    FLAG = "flag"


@dataclass(frozen=True)
class Step:
    name: str
    due_at: dt.datetime
    action: str
    target: dt.date  # the limit the step counts toward

    def obsolete_on(self, today: dt.date) -> bool:
        """A reminder of a limit that has already passed is no use."""
        return self.action == Action.REMIND and today > self.target


def at(day: dt.date, time: dt.time = REMINDER_TIME) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=SHANGHAI)


def local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(SHANGHAI).date()


def current(steps: Iterable[Step], today: dt.date) -> list[Step]:
    return [s for s in steps if not s.obsolete_on(today)]


# --- The context a sweep or a schedule works in ---------------------------------------------------


@dataclass
class Context:
    now: dt.datetime
    calendar: WorkingCalendar
    recipients: Any = None  # notifications.selectors.Recipients, memoised per sweep
    # While the sweep runs a batch, the inbox rows its steps build (saved in one INSERT).
    outbox: list[Any] | None = None

    @property
    def today(self) -> dt.date:
        return local_date(self.now)


def link(name: str, *args: Any) -> str:
    """A path inside the portal, or "" when the page is not wired (the notification still goes out)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def local_day_sql(field_name: str) -> Any:
    return Cast(TruncDate(field_name, tzinfo=SHANGHAI), CharField())


def date_sql(field_name: str) -> Any:
    return Cast(field_name, CharField())


# --- A clock: which objects run it, its steps, what each step does ----------------------------------


class ClockSpec:
    """One clock: which objects run it, how its steps follow from their data, what each step does."""

    kind: ClassVar[str]
    model: ClassVar[type[models.Model] | None] = None
    writes: ClassVar[bool] = False  # performs a transition through another app's service
    # The kinds of notification it sends (each has its templates/notifications/email/<kind>.*).
    notification_kinds: ClassVar[tuple[str, ...]] = ()

    # Scheduling -------------------------------------------------------------------------------------
    def content_type(self) -> ContentType | None:
        return ContentType.objects.get_for_model(self.model) if self.model else None

    def object_id(self, obj: Any) -> int:
        return int(obj.pk)

    def candidates(self, today: dt.date) -> QuerySet:
        """The objects this clock runs for today (indexed filters)."""
        raise NotImplementedError

    def applies(self, obj: Any, today: dt.date) -> bool:
        """The same condition as ``candidates``, on a loaded object."""
        raise NotImplementedError

    def anchor(self, obj: Any) -> str:
        """The data the steps count from, as text; ``anchor_sql`` says the same in SQL."""
        raise NotImplementedError

    def anchor_sql(self) -> Any:
        raise NotImplementedError

    def raw_steps(self, obj: Any, ctx: Context) -> list[Step]:
        raise NotImplementedError

    def steps(self, obj: Any, ctx: Context) -> list[Step]:
        """The steps still to come for this object as it is now ([] once the clock has stopped)."""
        if obj is None or not self.applies(obj, ctx.today):
            return []
        return current(self.raw_steps(obj, ctx), ctx.today)

    def missing(self, today: dt.date) -> QuerySet:
        """Candidates with no schedule for their current data: no ``set@<anchor>`` marker row."""
        markers = Deadline.objects.filter(
            kind=self.kind,
            content_type=self.content_type(),
            object_id=OuterRef("pk"),
            step=Concat(Value("set@"), OuterRef("_anchor"), output_field=CharField()),
        )
        return (
            self.candidates(today).annotate(_anchor=self.anchor_sql()).filter(~Exists(markers)).order_by("pk")
        )

    def load(self, ids: Iterable[int]) -> dict[int, Any]:
        assert self.model is not None
        return self.model._default_manager.in_bulk(list(ids))  # type: ignore[attr-defined]

    # Firing -----------------------------------------------------------------------------------------
    def fire(self, obj: Any, step: Step, deadline: Deadline, ctx: Context) -> str:
        raise NotImplementedError


def send(ctx: Context, *, users: list, kind: str, url: str, context: dict, deadline: Deadline) -> str:
    from notifications.services import build_notifications, save_notifications

    rows = build_notifications(
        users=users,
        kind=kind,
        url=url,
        context=context,
        deadline=deadline,
        now=ctx.now,
        preferences=ctx.recipients.preferences_of(users) if ctx.recipients else None,
    )
    if ctx.outbox is not None:
        ctx.outbox.extend(rows)
    else:
        save_notifications(rows)
    return f"notified {len(rows)}"


# --- System clocks: no object row, ``object_id`` names the year or the day ---------------------------


class SystemClock(ClockSpec):
    model = None

    def content_type(self) -> ContentType | None:
        return None

    def due_objects(self, today: dt.date) -> list[Any]:
        """The objects that should have a schedule today (checked in Python: at most one or two)."""
        raise NotImplementedError


# --- The registry -----------------------------------------------------------------------------------

# kind → clock, in the order of notifications.models.Clock. Filled in place by register_clocks() (the
# domain apps' ready()), so a module that imported it earlier sees every clock.
CLOCKS: dict[str, ClockSpec] = {}
# The kinds of notification the clocks send, in the clocks' order (filled in place too).
NOTIFICATION_KINDS: list[str] = []
_ORDER = {kind: position for position, kind in enumerate(Clock.values)}


def register_clocks(*clocks: ClockSpec) -> None:
    """Add a domain app's clocks (from its ``AppConfig.ready()``); registering a kind again replaces it."""
    merged = dict(CLOCKS)
    for clock in clocks:
        if clock.kind not in _ORDER:
            raise ImproperlyConfigured(f"clock kind {clock.kind!r} is not one of notifications.models.Clock")
        merged[clock.kind] = clock
    CLOCKS.clear()
    CLOCKS.update(sorted(merged.items(), key=lambda item: _ORDER[item[0]]))
    NOTIFICATION_KINDS[:] = [kind for clock in CLOCKS.values() for kind in clock.notification_kinds]


def clocks_for(obj: Any) -> list[ClockSpec]:
    """The clocks an object of this model runs (an application two, a certificate two …)."""
    return [c for c in CLOCKS.values() if c.model is not None and isinstance(obj, c.model)]


class WorkingCalendar(Protocol):
    def is_working_day(self, day: dt.date) -> bool: ...


_calendar_provider: list[Callable[[], WorkingCalendar]] = []


def use_calendar(provider: Callable[[], WorkingCalendar]) -> None:
    """The working calendar in force, for the steps counted in working days (``workdays`` sets it)."""
    _calendar_provider[:] = [provider]


def working_calendar() -> WorkingCalendar:
    if not _calendar_provider:
        raise ImproperlyConfigured("no working calendar: the workdays app registers it in its ready()")
    return _calendar_provider[0]()
