"""办件进度: where an application stands in the procedure, for the enterprise's application page.

The stages are the statuses of the table's main road (workflow.path from the entry to the certificate),
so a new row in certification/workflow.py shows here without a second list. A done stage carries the
date it was (last) entered, from the ApplicationTransition records; the current one its legal time
limits: the completeness check (5 working days after submission, certification/clocks.py), the 40 days
from acceptance to the filing (第十条（3）; the deadline districts set on acceptance), and the 10
working days of publicity (the notice's own period). An application off the main road (returned for
correction, or stopped by a refusal) shows that status where it left the road.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from certification import workflow
from certification.models import Application, ApplicationStatus, ApplicationTransition

S = ApplicationStatus
START = workflow.to_status("create")
END = workflow.to_status("certify")
# The main road: the entry's status, then every status the shortest run of rows to the certificate enters.
MAIN: tuple[str, ...] = (START, *(t.target for t in workflow.path(START, END)))

DONE, CURRENT, TODO, STOPPED, SKIPPED = "done", "current", "todo", "stopped", "skipped"


@dataclass
class Step:
    status: str
    label: str
    state: str  # done / current / todo; stopped (a refusal ended the procedure here) / skipped
    on: dt.date | None = None  # the day the application (last) entered the status
    notes: list[str] = field(default_factory=list)  # time limits and facts of the stage
    off_road: bool = False  # returned or refused: not one of the main road's stages


def _entered(transitions: Iterable[ApplicationTransition]) -> dict[str, dt.datetime]:
    """Status → when the application last entered it (the records come in time order)."""
    return {t.to_status: t.at for t in sorted(transitions, key=lambda t: (t.at, t.pk or 0))}


def _day(value: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(value) if value is not None else None


def _left(deadline: dt.date, today: dt.date) -> str:
    days = (deadline - today).days
    if days < 0:
        return _("已超期 %(n)s 天") % {"n": -days}
    return _("剩余 %(n)s 天") % {"n": days}


def limits(
    application: Application, status: str, entered: dict[str, dt.datetime], today: dt.date
) -> list[str]:
    """The time limits that run in `status` (the current stage), in the active language."""
    from certification.clocks import COMPLETENESS_WORKING_DAYS
    from workdays.arithmetic import working_days_after
    from workdays.services import working_calendar

    notes: list[str] = []
    if status == workflow.to_status("submit") and application.submitted_at:
        submitted_on = timezone.localdate(application.submitted_at)
        due = working_days_after(working_calendar(), submitted_on, COMPLETENESS_WORKING_DAYS)
        notes.append(
            _(
                "区县工作小组在提交后 %(n)s 个工作日内完成完整性审查（受理或一次性告知需补正的全部问题），截至 %(due)s。"
            )
            % {"n": COMPLETENESS_WORKING_DAYS, "due": due.isoformat()}
        )
    if status == workflow.to_status("publicise"):
        entry = (
            application.publicity_entries.select_related("notice").order_by("-notice__start", "-pk").first()
        )
        if entry is not None:
            notice = entry.notice
            notes.append(
                _(
                    "公示期 %(start)s 至 %(end)s（10 个工作日，第十条（3））；公示期内任何单位和个人可实名提出异议。"
                )
                % {"start": notice.start.isoformat(), "end": notice.end.isoformat()}
            )
    if status in workflow.CLOCK_STATUSES and application.review_deadline:
        accepted_on = _day(entered.get(workflow.to_status("accept")))
        days = (application.review_deadline - accepted_on).days if accepted_on else None
        notes.append(
            _(
                "%(days)s 日办理时限（第十条（3））：自受理次日起计算，区县工作小组须在 %(due)s 前完成评审、公示和报备（%(left)s）。"
            )
            % {
                "days": days if days is not None else 40,
                "due": application.review_deadline.isoformat(),
                "left": _left(application.review_deadline, today),
            }
        )
    return notes


def progress(
    application: Application, transitions: Iterable[ApplicationTransition], today: dt.date | None = None
) -> list[Step]:
    """The steps of the stepper, in procedure order."""
    today = today or timezone.localdate()
    entered = _entered(transitions)
    current = application.status
    steps = [Step(status=s, label=str(S(s).label), state=TODO, on=_day(entered.get(s))) for s in MAIN]
    if current in MAIN:
        at = MAIN.index(current)
        extra = None
    else:
        try:  # still on its way (returned): it rejoins the road at the next main status
            rejoin = workflow.path(current, END)[0].target
            at, extra = MAIN.index(rejoin), Step(current, str(S(current).label), CURRENT, off_road=True)
        except KeyError:  # stopped by a refusal: after the main status it left from
            left_from = next(s for s in workflow.row(current).sources if s in MAIN)
            at, extra = (
                MAIN.index(left_from) + 1,
                Step(current, str(S(current).label), STOPPED, off_road=True),
            )
    for i, step in enumerate(steps):
        if i < at:
            step.state = DONE
        elif i == at and extra is None:
            step.state = CURRENT
        else:
            step.on = None  # not reached (again) yet
            if extra is not None and extra.state == STOPPED:
                step.state = SKIPPED
    if current == END:  # certified: the procedure is complete, every stage done
        steps[at].state = DONE
    if extra is not None:
        extra.on = _day(entered.get(current))
        steps.insert(at, extra)
    for step in steps:
        if step.state in (CURRENT, STOPPED):
            step.notes = limits(application, step.status, entered, today)
    certificate = getattr(application, "certificate", None) if current == END else None
    if certificate is not None:
        steps[-1].notes.append(
            _("证书编号 %(number)s，有效期至 %(until)s。")
            % {"number": certificate.number, "until": certificate.valid_until.isoformat()}
        )
    return steps
