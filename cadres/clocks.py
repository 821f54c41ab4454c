"""The development data's deadlines (registered with notifications in ``CadresConfig.ready()``).

实施方案 二(二)4: a helped enterprise updates its development data every half year, the first half by
the end of July, the whole year by the end of January of the next year. For each listed enterprise the
clock keeps, for the five years from the year it was listed (the plan's span), a reminder 7 days
before each deadline (to the enterprise's users) and, the day after a deadline whose data is still
missing, an overdue notice (to the enterprise's users and its cadres). Entering the data reschedules
the entry (``cadres.services.development_save``), so the period's pending steps are cancelled.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Role, User
from cadres.models import DevelopmentData, Half, HelpListEntry
from notifications.clocks import (
    DAY,
    START_OF_DAY,
    Action,
    ClockSpec,
    Context,
    Step,
    at,
    date_sql,
    iso,
    link,
    send,
)
from notifications.models import Clock, Deadline

REMIND_DAYS = 7
SPAN_YEARS = 5


def due_on(year: int, half: str) -> dt.date:
    """The last day to enter a period's data: 31 July for the first half, 31 January next for the year."""
    return dt.date(year, 7, 31) if half == Half.FIRST else dt.date(year + 1, 1, 31)


def last_passed_period(today: dt.date) -> tuple[int, str]:
    """The latest period whose deadline (``due_on``) is before ``today``: its data is overdue if missing."""
    if today > due_on(today.year, Half.FIRST):
        return today.year, Half.FIRST
    if today > due_on(today.year - 1, Half.YEAR):
        return today.year - 1, Half.YEAR
    return today.year - 1, Half.FIRST


def development_steps(year_added: int, filed: Iterable[tuple[int, str]]) -> list[Step]:
    done = set(filed)
    steps = []
    for year in range(year_added, year_added + SPAN_YEARS):
        for half in (Half.FIRST, Half.YEAR):
            if (year, half) in done:
                continue
            last = due_on(year, half)
            steps.append(
                Step(f"{year}-{half}:d{REMIND_DAYS}", at(last - REMIND_DAYS * DAY), Action.REMIND, last)
            )
            steps.append(Step(f"{year}-{half}:overdue", at(last + DAY, START_OF_DAY), Action.ESCALATE, last))
    return steps


class DevelopmentDataClock(ClockSpec):
    kind = Clock.DEVELOPMENT_DATA
    notification_kinds = ("development_data_due", "development_data_overdue")
    model = HelpListEntry

    def candidates(self, today: dt.date) -> QuerySet:
        return HelpListEntry.objects.all()

    def applies(self, obj: Any, today: dt.date) -> bool:
        return True

    def anchor(self, obj: Any) -> str:
        return str(obj.year_added)

    def anchor_sql(self) -> Any:
        return date_sql("year_added")

    def load(self, ids: Iterable[int]) -> dict[int, Any]:
        entries = HelpListEntry.objects.select_related("enterprise").in_bulk(list(ids))
        filed: dict[int, set[tuple[int, str]]] = {pk: set() for pk in entries}
        for entry_id, year, half in DevelopmentData.objects.filter(entry_id__in=list(entries)).values_list(
            "entry_id", "year", "half"
        ):
            filed[entry_id].add((year, half))
        for pk, entry in entries.items():
            entry.filed_periods = filed[pk]
        return entries

    def raw_steps(self, obj: Any, ctx: Context) -> list[Step]:
        return development_steps(obj.year_added, getattr(obj, "filed_periods", ()))

    def fire(self, obj: Any, step: Step, deadline: Deadline, ctx: Context) -> str:
        period = step.name.split(":", 1)[0]
        year, half = period.split("-", 1)
        context = {
            "enterprise": obj.enterprise.name,
            "year": year,
            "half": half,
            "due_on": iso(step.target),
        }
        users = list(ctx.recipients.enterprise_users(obj.enterprise_id)) if ctx.recipients else []
        if step.action == Action.REMIND:
            kind = "development_data_due"
        else:
            kind = "development_data_overdue"
            # The cadres of the pairings running today: a former cadre no longer sees the enterprise.
            today = timezone.localdate()
            users += list(
                User.objects.filter(
                    role=Role.CADRE,
                    cadre_assignments__entry=obj,
                    cadre_assignments__starts_on__lte=today,
                    cadre_assignments__ends_on__gt=today,
                ).distinct()
            )
        return send(
            ctx, users=users, kind=kind, url=link("cadres:detail", obj.pk), context=context, deadline=deadline
        )


CLOCKS = (DevelopmentDataClock(),)
