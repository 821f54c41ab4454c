"""Districts' clock (registered with notifications in ``DistrictsConfig.ready()``): the municipal
office is reminded when a filing has waited 10 working days (00:00 after the 10th)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from districts.models import Filing, FilingStatus
from notifications.clocks import (
    DAY,
    START_OF_DAY,
    Action,
    ClockSpec,
    Context,
    Step,
    at,
    iso,
    link,
    local_date,
    local_day_sql,
    send,
)
from notifications.models import Clock, Deadline
from workdays.arithmetic import Calendar, working_days_after

FILING_WAIT_WORKING_DAYS = 10


def filing_steps(filed_on: dt.date, calendar: Calendar) -> list[Step]:
    last = working_days_after(calendar, filed_on, FILING_WAIT_WORKING_DAYS)
    return [Step(f"waiting@{filed_on}", at(last + DAY, START_OF_DAY), Action.ESCALATE, last)]


class FilingClock(ClockSpec):
    kind = Clock.FILING
    notification_kinds = ("filing_waiting",)
    model = Filing

    def candidates(self, today: dt.date) -> QuerySet:
        return Filing.objects.filter(status=FilingStatus.SUBMITTED)

    def applies(self, obj: Any, today: dt.date) -> bool:
        return obj.status == FilingStatus.SUBMITTED

    def anchor(self, obj: Any) -> str:
        return iso(local_date(obj.created_at))

    def anchor_sql(self) -> Any:
        return local_day_sql("created_at")

    def load(self, ids: Iterable[int]) -> dict[int, Any]:
        return Filing.objects.select_related("district").in_bulk(list(ids))

    def raw_steps(self, obj: Any, ctx: Context) -> list[Step]:
        return filing_steps(local_date(obj.created_at), ctx.calendar)

    def fire(self, obj: Any, step: Step, deadline: Deadline, ctx: Context) -> str:
        return send(
            ctx,
            users=ctx.recipients.municipal_office(),
            kind="filing_waiting",
            url=link("audits:filing_detail", obj.pk),
            context={"filing_id": obj.pk, "district": obj.district.name, "filed_on": self.anchor(obj)},
            deadline=deadline,
        )


CLOCKS = (FilingClock(),)
