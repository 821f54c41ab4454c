"""Experts' clock (registered with notifications in ``ExpertsConfig.ready()``): an expert's scoring
deadline. The expert is reminded on the 2nd working day before ``due_on``, the district is told when
it passes (they may then replace the expert from the alternates)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from experts.models import Review, ReviewStatus
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
from workdays.arithmetic import Calendar, working_days_before

EXPERT_REMINDER_WORKING_DAYS = 2


def expert_steps(due_on: dt.date, calendar: Calendar) -> list[Step]:
    remind_on = working_days_before(calendar, due_on, EXPERT_REMINDER_WORKING_DAYS)
    return [
        Step(f"d{EXPERT_REMINDER_WORKING_DAYS}@{due_on}", at(remind_on), Action.REMIND, due_on),
        Step(f"passed@{due_on}", at(due_on + DAY, START_OF_DAY), Action.ESCALATE, due_on),
    ]


class ExpertDeadlineClock(ClockSpec):
    kind = Clock.EXPERT_DEADLINE
    notification_kinds = ("expert_deadline_reminder", "expert_deadline_passed")
    model = Review

    def candidates(self, today: dt.date) -> QuerySet:
        return Review.objects.filter(status=ReviewStatus.ASSIGNED, due_on__isnull=False)

    def applies(self, obj: Any, today: dt.date) -> bool:
        return obj.status == ReviewStatus.ASSIGNED and obj.due_on is not None

    def anchor(self, obj: Any) -> str:
        return iso(obj.due_on)

    def anchor_sql(self) -> Any:
        return date_sql("due_on")

    def load(self, ids: Iterable[int]) -> dict[int, Any]:
        return Review.objects.select_related("expert__user", "application__enterprise__district").in_bulk(
            list(ids)
        )

    def raw_steps(self, obj: Any, ctx: Context) -> list[Step]:
        return expert_steps(obj.due_on, ctx.calendar)

    def fire(self, obj: Any, step: Step, deadline: Deadline, ctx: Context) -> str:
        application = obj.application
        context = {
            "review_id": obj.pk,
            "application_id": application.pk,
            "enterprise": application.enterprise.name,
            "expert": obj.expert.name,
            "due_on": iso(obj.due_on),
        }
        if step.action == Action.REMIND:
            return send(
                ctx,
                users=[obj.expert.user],
                kind="expert_deadline_reminder",
                url=link("experts:review_detail", obj.pk),
                context=context,
                deadline=deadline,
            )
        return send(
            ctx,
            users=ctx.recipients.district_officials(application.enterprise.district_id),
            kind="expert_deadline_passed",
            url=link("districts:application_detail", application.pk),
            context=context,
            deadline=deadline,
        )


CLOCKS = (ExpertDeadlineClock(),)
